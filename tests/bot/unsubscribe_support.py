"""Helpers for the `/unsubscribe` tests: the route on a free port, and plain HTTP requests."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from bot.http import HttpServer, health_app, routed_app
from bot.unsubscribe_page import unsubscribe_app
from engine.store import Database
from tests.conftest import T0

ONE_CLICK = b"List-Unsubscribe=One-Click"


@contextmanager
def unsubscribe_server(database: Database) -> Iterator[str]:
    """`income serve`'s routes (/healthz and /unsubscribe) on a free port; its base URL."""
    app = routed_app(
        health_app(lambda: {"status": "ok"}), None, unsubscribe_app(database.uow, lambda: T0)
    )
    server = HttpServer(app, "127.0.0.1", 0)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def fetch(url: str, data: bytes | None = None, method: str | None = None) -> tuple[int, str]:
    """Status and body of one request (a POST when data is given)."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if data is not None else {}
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
