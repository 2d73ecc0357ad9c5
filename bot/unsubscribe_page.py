"""`/unsubscribe?a=<action id>&t=<token>`: a confirmation page on GET, the unsubscribe on POST.

GET only shows a button, so link scanners that prefetch links unsubscribe nobody; POST (the
button, or a mail client's RFC 8058 one-click `List-Unsubscribe=One-Click`) suppresses the
address. Pages never show the address, and every link that is not ours gets the same 404.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlencode

from bot.http import StartResponse, WsgiApp
from engine import unsubscribe
from engine.logs import event

log = logging.getLogger("income.unsubscribe")

_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Robots-Tag", "noindex"),
    ("Content-Security-Policy", _POLICY),
]
_STYLE = "body{font-family:sans-serif;max-width:32em;margin:4em auto;padding:0 1em;line-height:1.5}"
_FORM = (
    "<p>Do you want to stop receiving marketing e-mails from us at this address?</p>"
    '<form method="post" action="{action}"><button type="submit">Unsubscribe</button></form>'
)
_DONE = (
    "<p>You are unsubscribed: we will send no more marketing e-mails to this address. "
    "A mailing already on its way may still arrive.</p>"
)
_NOT_FOUND = (
    "<p>This unsubscribe link is not valid. Check that it was copied completely, "
    "or reply to our e-mail with the word <em>unsubscribe</em>.</p>"
)
_UNAVAILABLE = "<p>We could not record this just now. Please try again in a few minutes.</p>"
_PAGES = {
    "200 OK": ("Unsubscribed", _DONE),
    "404 Not Found": ("Link not valid", _NOT_FOUND),
    "405 Method Not Allowed": ("Not allowed", "<p>Use the link from our e-mail.</p>"),
    "503 Service Unavailable": ("Try again later", _UNAVAILABLE),
}


def unsubscribe_app(
    uow_factory: unsubscribe.UnitOfWorkFactory, clock: Callable[[], datetime]
) -> WsgiApp:
    """The WSGI app of `/unsubscribe` over the database's units of work."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        query = environ.get("QUERY_STRING", "")
        page = _answer(uow_factory, clock, method, query, start_response)
        return [] if method == "HEAD" else page  # waitress would send a HEAD's body

    return app


def _answer(
    uow_factory: unsubscribe.UnitOfWorkFactory,
    clock: Callable[[], datetime],
    method: str,
    query: str,
    start_response: StartResponse,
) -> list[bytes]:
    if method not in ("GET", "HEAD", "POST"):
        return _page(start_response, "405 Method Not Allowed", extra=[("Allow", "GET, POST")])
    action_id, mark = _parameters(query)
    try:
        if method == "POST":
            ok = unsubscribe.unsubscribe(uow_factory, action_id, mark, clock())
        else:
            ok = unsubscribe.verify(uow_factory, action_id, mark)
    except Exception as error:  # noqa: BLE001 - the reader gets a page, the log a type only
        # only the type: a database error's text can quote the address it was writing
        event(log, "unsubscribe_error", logging.ERROR, error=type(error).__name__)
        return _page(start_response, "503 Service Unavailable", extra=[("Retry-After", "300")])
    if not ok:
        event(log, "unsubscribe_refused", method=method)
        return _page(start_response, "404 Not Found")
    if method == "POST":
        event(log, "unsubscribed", action=action_id)
        return _page(start_response, "200 OK")
    action = "?" + urlencode({"a": action_id, "t": mark})
    body = _FORM.format(action=escape(action))
    return _page(start_response, "200 OK", title="Unsubscribe", body=body)


def _parameters(query: str) -> tuple[str, str]:
    """`a` and `t` of the query string; empty when missing, repeated or unreadable."""
    try:
        fields = parse_qs(query, max_num_fields=8)
    except ValueError:
        return "", ""
    action_ids, marks = fields.get("a", []), fields.get("t", [])
    return (
        action_ids[0] if len(action_ids) == 1 else "",
        marks[0] if len(marks) == 1 else "",
    )


def _page(
    start_response: StartResponse,
    status: str,
    *,
    title: str | None = None,
    body: str | None = None,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    default_title, default_body = _PAGES[status]
    heading = escape(title or default_title)
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{heading}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{heading}</h1>{body or default_body}</body></html>"
    ).encode()
    headers = [*_HEADERS, ("Content-Length", str(len(html))), *(extra or [])]
    start_response(status, headers)
    return [html]
