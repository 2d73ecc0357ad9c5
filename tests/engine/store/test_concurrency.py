"""Contract: racing clicks and racing processes, each thread with its own unit of work."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import func, select

from engine.model import RejectReason
from engine.ports import DecisionOutcome, DecisionResult
from engine.store import Database
from engine.store.tables import DecisionRow, ExecutionRow, LearnerEventRow
from tests.conftest import T0, sample_candidate

THREADS = 8
T1 = T0 + timedelta(hours=1)
R = TypeVar("R")


def _race(work: Callable[[int], R]) -> list[R]:
    """Run work(0..THREADS-1) in threads released together by a barrier."""
    barrier = threading.Barrier(THREADS)

    def run(index: int) -> R:
        barrier.wait(timeout=30)
        return work(index)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def _propose(database: Database) -> str:
    with database.uow() as uow:
        action = uow.actions.add(
            sample_candidate(),
            reason="why",
            content_hash="hash-1",
            created_at=T0,
            expires_at=T0 + timedelta(hours=24),
            cycle_id=None,
        )
        uow.commit()
    return action.id


def _count(database: Database, table: type[object]) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_eight_concurrent_approvals_approve_once(database: Database) -> None:
    action_id = _propose(database)

    def approve(index: int) -> DecisionResult:
        with database.uow() as uow:
            result = uow.actions.approve(action_id, f"U{index}", T1 + timedelta(seconds=index))
            uow.commit()
        return result

    results = _race(approve)
    winners = [r for r in results if r.outcome is DecisionOutcome.APPROVED]
    losers = [r for r in results if r.outcome is not DecisionOutcome.APPROVED]
    assert len(winners) == 1
    winner = winners[0]
    assert {r.outcome for r in losers} == {DecisionOutcome.ALREADY_DECIDED}
    assert {(r.decided_by, r.decided_at) for r in losers} == {
        (winner.decided_by, winner.decided_at)
    }
    assert _count(database, ExecutionRow) == 1
    assert _count(database, DecisionRow) == 1
    assert _count(database, LearnerEventRow) == 1


def test_approvals_that_read_first_still_approve_once(database: Database) -> None:
    """The usual handler reads the action, checks it, then approves in the same unit of work."""
    action_id = _propose(database)

    def read_then_approve(index: int) -> DecisionResult:
        with database.uow() as uow:
            action = uow.actions.get(action_id)
            assert action is not None
            result = uow.actions.approve(action_id, f"U{index}", T1, action.content_hash)
            uow.commit()
        return result

    results = _race(read_then_approve)
    assert sum(r.outcome is DecisionOutcome.APPROVED for r in results) == 1
    assert {r.outcome for r in results if not r.ok} == {DecisionOutcome.ALREADY_DECIDED}
    assert _count(database, ExecutionRow) == 1


def test_approvals_racing_rejections_decide_once(database: Database) -> None:
    action_id = _propose(database)

    def decide(index: int) -> DecisionResult:
        with database.uow() as uow:
            if index % 2:
                result = uow.actions.approve(action_id, f"U{index}", T1)
            else:
                result = uow.actions.reject(action_id, f"U{index}", T1, RejectReason.NOT_NOW, None)
            uow.commit()
        return result

    results = _race(decide)
    assert sum(r.ok for r in results) == 1
    assert {r.outcome for r in results if not r.ok} == {DecisionOutcome.ALREADY_DECIDED}
    assert _count(database, DecisionRow) == 1
    assert _count(database, LearnerEventRow) == 1
    assert _count(database, ExecutionRow) in (0, 1)


def test_one_slot_is_claimed_once_across_threads(database: Database) -> None:
    def claim(index: int) -> int | None:
        with database.uow() as uow:
            cycle_id = uow.cycles.claim("2026-03-02T12", "scheduled", T0)
            uow.commit()
        return cycle_id

    claimed = [cycle_id for cycle_id in _race(claim) if cycle_id is not None]
    assert len(claimed) == 1


def test_a_polling_reader_never_skips_a_learner_event(database: Database) -> None:
    """Writers commit events in id order, so a cursor moving to the last id seen is safe."""
    action_ids = [_propose(database) for _ in range(THREADS * 3)]
    writers_done = threading.Event()
    seen: list[int] = []

    def read_until_done() -> None:
        cursor = 0
        while True:
            finished = writers_done.is_set()
            with database.uow() as uow:
                batch = [event_id for event_id, _ in uow.learner.events_after(cursor)]
            seen.extend(batch)
            cursor = batch[-1] if batch else cursor
            if finished:
                return
            time.sleep(0.002)

    def approve(index: int) -> None:
        for action_id in action_ids[index::THREADS]:
            with database.uow() as uow:
                assert uow.actions.approve(action_id, f"U{index}", T1).ok
                uow.commit()

    reader = threading.Thread(target=read_until_done)
    reader.start()
    try:
        _race(approve)
    finally:
        writers_done.set()
        reader.join(timeout=60)
    with database.uow() as uow:
        every = [event_id for event_id, _ in uow.learner.events_after(0)]
    assert len(every) == len(action_ids)
    assert seen == every
