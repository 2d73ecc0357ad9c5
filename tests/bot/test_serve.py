"""`income serve`'s process: /healthz over real HTTP and the scheduled cycle on the wall clock."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bootstrap import build_runtime
from bot.serve import Service, scheduled_slot
from engine.model import CycleReport
from engine.settings import load_settings


def get(url: str, method: str = "GET") -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, method=method)  # noqa: S310 - a local test server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_for(predicate, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("now", "interval", "slot"),
    [
        (
            datetime(2026, 11, 30, 10, 59, 59, tzinfo=UTC),
            3600,
            "scheduled:2026-11-30T10:00:00+00:00",
        ),
        (datetime(2026, 11, 30, 11, 0, 0, tzinfo=UTC), 3600, "scheduled:2026-11-30T11:00:00+00:00"),
        (datetime(2026, 11, 30, 11, 7, 30, tzinfo=UTC), 300, "scheduled:2026-11-30T11:05:00+00:00"),
    ],
)
def test_scheduled_slot_is_the_start_of_the_interval(
    now: datetime, interval: int, slot: str
) -> None:
    assert scheduled_slot(now, interval) == slot


def test_serve_is_healthy_runs_the_first_cycle_at_once_and_two_copies_share_a_slot(
    tmp_path: Path,
) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'income.db'}",
            "INCOME_DEMO_SCENARIO": "error_spike",
        },
        dotenv=None,
    )
    reports: list[CycleReport] = []
    first = Service(build_runtime(settings), reports.append, host="127.0.0.1", port=0)
    second = Service(build_runtime(settings), reports.append, host="127.0.0.1", port=0)
    first.start()
    try:
        base = f"http://127.0.0.1:{first.http.port}"
        status, body = get(base + "/healthz")
        assert status == 200
        assert body["status"] == "ok"
        assert body["database"] == "ok"
        wait_for(lambda: bool(first.last_cycle))
        assert first.last_cycle["ok"] is True
        assert len(reports) == 1
        assert any(i.kind.value == "error_spike" for i in reports[0].open_issues)

        second.scheduled_cycle()  # the same slot, from a second copy on the same database
        assert len(reports) == 1
        assert get(base + "/healthz")[1]["last_cycle"] == first.last_cycle
        assert get(base + "/nope")[0] == 404
        assert get(base + "/healthz", method="POST")[0] == 405
    finally:
        first.stop()
        second.http.stop()
