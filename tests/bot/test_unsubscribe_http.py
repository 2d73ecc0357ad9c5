"""`/unsubscribe` over real HTTP: GET confirms, POST (button or one-click) suppresses."""

from __future__ import annotations

import http.client
import logging
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest

from bot.bootstrap import build_runtime
from bot.serve import Service
from engine.executors.message import token
from engine.settings import load_settings
from engine.store import Database
from tests.bot.unsubscribe_support import ONE_CLICK, fetch, unsubscribe_server
from tests.engine.executors.support import approved, candidate_with


def suppressed(database: Database) -> list[tuple[str, str]]:
    """The suppression list as (address, reason)."""
    with database.uow() as uow:
        return [(address, reason) for address, reason, _ in uow.suppressions.entries()]


@pytest.fixture
def base(database: Database) -> Iterator[str]:
    """The unsubscribe route beside /healthz on a free port (what INCOME_PUBLIC_URL names)."""
    with unsubscribe_server(database) as url:
        yield url


def link(base: str, action_id: str, email: str) -> str:
    """The recipient's unsubscribe link, as the e-mail carries it."""
    return f"{base}/unsubscribe?a={action_id}&t={token(action_id, email)}"


def test_get_shows_a_form_and_suppresses_nothing_then_its_button_does(
    database: Database, base: str
) -> None:
    action_id = approved(database, candidate_with(2))
    status, page = fetch(link(base, action_id, "c1@example.com"))
    assert status == 200
    assert '<form method="post"' in page
    assert "c1@example.com" not in page
    assert suppressed(database) == []
    action = unescape(re.search(r'action="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    status, done = fetch(f"{base}/unsubscribe{action}", data=b"")
    assert status == 200
    assert "You are unsubscribed" in done
    assert "c1@example.com" not in done
    assert suppressed(database) == [("c1@example.com", "unsubscribed")]


def test_one_click_post_suppresses_and_repeating_it_is_fine(database: Database, base: str) -> None:
    action_id = approved(database, candidate_with(3))
    for _ in range(2):
        status, page = fetch(link(base, action_id, "c2@example.com"), data=ONE_CLICK)
        assert status == 200
        assert "You are unsubscribed" in page
    assert suppressed(database) == [("c2@example.com", "unsubscribed")]


def test_a_forged_or_unknown_link_gets_the_same_404_and_changes_nothing(
    database: Database, base: str, caplog: pytest.LogCaptureFixture
) -> None:
    action_id = approved(database, candidate_with(2))
    forged = link(base, action_id, "someone@else.org")
    unknown = link(base, "anotthere", "c0@example.com")
    other_token = f"{base}/unsubscribe?a={action_id}&t={'0' * 24}"
    malformed = f"{base}/unsubscribe?a={action_id}"
    pages = set()
    with caplog.at_level(logging.INFO, logger="income"):
        for url in (forged, unknown, other_token, malformed):
            for data in (None, ONE_CLICK):
                status, page = fetch(url, data=data)
                assert status == 404
                pages.add(page)
    assert len(pages) == 1  # nothing tells an unknown action from a wrong token
    assert "example.com" not in pages.pop()
    assert suppressed(database) == []
    assert "@" not in caplog.text


def test_other_methods_are_refused(database: Database, base: str) -> None:
    action_id = approved(database, candidate_with(1))
    status, _ = fetch(link(base, action_id, "c0@example.com"), method="PUT", data=b"")
    assert status == 405
    assert suppressed(database) == []
    assert fetch(f"{base}/healthz")[0] == 200


def test_head_sends_no_body_and_odd_queries_get_the_404(database: Database, base: str) -> None:
    action_id = approved(database, candidate_with(1))
    path = link("", action_id, "c0@example.com")
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
    try:
        connection.request("HEAD", path)
        head = connection.getresponse()
        assert (head.status, head.read()) == (200, b"")
        connection.request("GET", path)  # the same connection: no stray body in the way
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    crowded = path + "".join(f"&x{i}=1" for i in range(20))
    assert fetch(base + crowded, data=ONE_CLICK)[0] == 404
    assert fetch(base + path + f"&a={action_id}", data=ONE_CLICK)[0] == 404  # a given twice
    assert suppressed(database) == []


def test_no_address_reaches_the_logs(
    database: Database, base: str, caplog: pytest.LogCaptureFixture
) -> None:
    action_id = approved(database, candidate_with(1))
    with caplog.at_level(logging.DEBUG):
        fetch(link(base, action_id, "c0@example.com"))
        fetch(link(base, action_id, "c0@example.com"), data=ONE_CLICK)
    assert "unsubscribed" in caplog.text
    assert "c0@" not in caplog.text


def test_income_serve_answers_unsubscribes_without_slack(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'income.db'}"}, dotenv=None)
    runtime = build_runtime(settings)
    service = Service(runtime, lambda report: None, host="127.0.0.1", port=0)
    service.http.start()  # the HTTP server alone: no scheduled cycle
    try:
        action_id = approved(runtime.database, candidate_with(1))
        url = link(f"http://127.0.0.1:{service.http.port}", action_id, "c0@example.com")
        assert fetch(url)[0] == 200
        assert fetch(url, data=ONE_CLICK)[0] == 200
        assert suppressed(runtime.database) == [("c0@example.com", "unsubscribed")]
    finally:
        service.http.stop()
        runtime.database.dispose()
