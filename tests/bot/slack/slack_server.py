"""A local recording Slack Web API server that rejects what Slack rejects."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_TOKEN = "xoxb-test-token"
SCOPES = "chat:write,commands,im:write,files:write,channels:read,users:read,users:read.email"
JSON_FIELDS = ("blocks", "view", "attachments", "files")


@dataclass
class Call:
    """One recorded Web API call (or response_url post / file upload)."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class SlackServer:
    """`http.server` in a thread answering the Web API methods the bot uses."""

    def __init__(self, member_of: set[str]) -> None:
        self.member_of = set(member_of)
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.throttled: dict[str, int] = {}
        self.token = BOT_TOKEN
        self.scopes = set(SCOPES.split(","))  # granted; sent as x-oauth-scopes on every answer
        self.emails: dict[str, str] = {}  # user id → the e-mail address on their profile
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def start(self) -> SlackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    def record(self, method: str, params: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(Call(method, params))

    def of(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [call.params for call in self.calls if call.method == method]

    def methods(self) -> list[str]:
        with self._lock:
            return [call.method for call in self.calls]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, f"timed out; calls so far: {self.methods()}"
            time.sleep(0.02)

    def answer(self, method: str, params: dict[str, Any], auth: str | None) -> dict[str, Any]:
        if auth is None or not auth.startswith("Bearer "):
            return {"ok": False, "error": "not_authed"}
        if auth.removeprefix("Bearer ") != self.token:
            return {"ok": False, "error": "invalid_auth"}
        self.record(method, params)
        handler = getattr(self, "api_" + method.replace(".", "_").lower(), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        return dict(handler(params))

    def _new_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _blocks_error(self, params: dict[str, Any]) -> dict[str, Any] | None:
        blocks = params.get("blocks") or []
        if len(blocks) > 50:
            return {"ok": False, "error": "invalid_blocks", "errors": ["must be <= 50 blocks"]}
        if not params.get("text") and not blocks:
            return {"ok": False, "error": "no_text"}
        return None

    def _can_post(self, channel: str) -> bool:
        return channel.startswith("D") or channel in self.member_of

    def api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user_id": "UBOT", "bot_id": "B_BOT", "team_id": "T1",
                "user": "income", "team": "Test"}  # fmt: skip

    def api_chat_postmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        if not self._can_post(channel):
            return {"ok": False, "error": "not_in_channel"}
        error = self._blocks_error(params)
        if error:
            return error
        ts = self._new_ts()
        with self._lock:
            self.messages[(channel, ts)] = params
        return {"ok": True, "channel": channel, "ts": ts, "message": params}

    def api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (str(params.get("channel")), str(params.get("ts")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        error = self._blocks_error(params)
        if error:
            return error
        with self._lock:
            self.messages[key] = params
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def api_chat_postephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        if not self._can_post(str(params.get("channel"))):
            return {"ok": False, "error": "not_in_channel"}
        return {"ok": True, "message_ts": self._new_ts()}

    def api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        if "users:read" not in self.scopes:
            return {"ok": False, "error": "missing_scope", "needed": "users:read",
                    "provided": ",".join(sorted(self.scopes))}  # fmt: skip
        user = str(params.get("user", ""))
        profile: dict[str, Any] = {"real_name": f"User {user}", "display_name": user.lower()}
        if user in self.emails and "users:read.email" in self.scopes:
            profile["email"] = self.emails[user]  # Slack leaves it out without the scope
        return {"ok": True, "user": {"id": user, "name": user.lower(), "profile": profile}}

    def api_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": "D" + str(params["users"])}}

    def api_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel"))
        return {"ok": True, "channel": {"id": channel, "is_member": channel in self.member_of}}

    def api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return {"ok": True, "view": {"id": "V1", **params["view"]}}

    def api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        if len(params["view"].get("blocks", [])) > 100:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {"id": "VH", **params["view"]}}

    def api_files_getuploadurlexternal(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "upload_url": self.base + "/upload/F1", "file_id": "F1"}

    def api_files_completeuploadexternal(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")}
                                      for f in params["files"]]}  # fmt: skip


def _parse(content_type: str, raw: bytes) -> dict[str, Any]:
    if "json" in content_type:
        return dict(json.loads(raw or b"{}"))
    params: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
    for name in JSON_FIELDS:
        if isinstance(params.get(name), str):
            params[name] = json.loads(params[name])
    return params


class _Handler(BaseHTTPRequestHandler):
    server_state: SlackServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        del format, args

    def do_POST(self) -> None:
        server = self.server_state
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        path = self.path
        if path.startswith("/upload/"):
            server.record("file.upload", {"path": path, "bytes": len(raw)})
            self._send(200, b"OK - %d" % len(raw), "text/plain")
            return
        if path.startswith("/response/"):
            server.record("response_url", json.loads(raw))
            self._send(200, b"ok", "text/plain")
            return
        method = path.removeprefix("/api/")
        if server.throttled.get(method, 0):
            server.throttled[method] -= 1
            server.record("429:" + method, {})
            body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
            self._send(429, body, "application/json", {"Retry-After": "1"})
            return
        params = _parse(self.headers.get("Content-Type", ""), raw)
        answer = server.answer(method, params, self.headers.get("Authorization"))
        headers = {"x-oauth-scopes": ",".join(sorted(server.scopes))}
        self._send(200, json.dumps(answer).encode(), "application/json", headers)

    def _send(
        self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _handler(server: SlackServer) -> type[BaseHTTPRequestHandler]:
    return type("BoundHandler", (_Handler,), {"server_state": server})
