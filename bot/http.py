"""The process's HTTP face: waitress in threads; `/healthz`, `/slack/events`, `/unsubscribe`."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from waitress.server import create_server

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
HealthCheck = Callable[[], dict[str, Any]]
SLACK_EVENTS_PATH = "/slack/events"
UNSUBSCRIBE_PATH = "/unsubscribe"


def health_app(check: HealthCheck) -> WsgiApp:
    """A WSGI app answering `GET /healthz` with the check's JSON (503 when not ok); HEAD too."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        answer = _health(environ, start_response, check)
        # waitress would send a HEAD's body, which a client reusing the connection reads as junk
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else answer

    return app


def _health(
    environ: dict[str, Any], start_response: StartResponse, check: HealthCheck
) -> list[bytes]:
    if environ.get("PATH_INFO") != "/healthz":
        return _respond(start_response, "404 Not Found", {"error": "not found"})
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return _respond(start_response, "405 Method Not Allowed", {"error": "use GET"})
    body = check()
    status = "200 OK" if body.get("status") == "ok" else "503 Service Unavailable"
    return _respond(start_response, status, body)


def routed_app(
    health: WsgiApp, slack_events: WsgiApp | None, unsubscribe: WsgiApp | None = None
) -> WsgiApp:
    """`/slack/events` and `/unsubscribe` to their apps (when given); the rest to `health`."""
    routes = {SLACK_EVENTS_PATH: slack_events, UNSUBSCRIBE_PATH: unsubscribe}
    paths = {path: routed for path, routed in routes.items() if routed is not None}
    if not paths:
        return health

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return paths.get(environ.get("PATH_INFO", ""), health)(environ, start_response)

    return app


def _respond(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    start_response(status, headers)
    return [payload]


class HttpServer:
    """waitress in a background thread: many threads, one process."""

    def __init__(self, app: WsgiApp, host: str, port: int, threads: int = 8) -> None:
        self._server: Any = create_server(app, host=host, port=port, threads=threads)
        self._thread = threading.Thread(target=self._server.run, name="http", daemon=True)

    @property
    def port(self) -> int:
        """The port actually bound (useful when 0 asked for any free port)."""
        return int(self._server.effective_port)

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Close every socket from inside the server's loop, then stop its worker threads."""
        if self._thread.is_alive():
            # Closing sockets from another thread races the loop's select() (EBADF); a thunk
            # pulled through waitress's trigger runs in the loop, which then finds its map
            # empty and returns.
            try:
                self._server.trigger.pull_trigger(self._close_all)
            except OSError:  # the trigger is already gone: nothing runs the loop any more
                self._close_all()
            self._thread.join(timeout=5)
        else:
            self._close_all()
        self._server.task_dispatcher.shutdown()

    def _close_all(self) -> None:
        for dispatcher in list(self._server._map.values()):  # waitress exposes no public map
            dispatcher.close()
