"""The execution worker over the real store: leases, per-target results, crashes, holdout."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.execution_ports import Executor
from engine.executors.keys import holdout_keys, idempotency_key
from engine.model import ActionKind, ActionState, LearnEventKind, TargetState
from engine.ports import DecisionOutcome
from engine.store import Database
from engine.store.tables import ExecutionRow, OutcomeRow
from engine.worker import Worker, WorkerConfig
from tests.conftest import T0
from tests.engine.executors.support import (
    Clock,
    CrashAt,
    Provider,
    Reports,
    SimulatedCrash,
    approved,
    candidate_with,
    target_states,
)

LEASE = timedelta(minutes=5)


def make_worker(
    database: Database,
    provider: Provider,
    clock: Clock,
    *,
    crash: CrashAt | None = None,
    holdout: float = 0.0,
    chunk: int = 25,
    owner: str = "w1",
    kinds: tuple[ActionKind, ...] = tuple(ActionKind),
) -> tuple[Worker, Reports]:
    """A worker whose every kind runs on `provider`."""
    reports = Reports()
    executors: dict[ActionKind, Executor] = dict.fromkeys(kinds, provider)
    config = WorkerConfig(holdout=holdout, lease=LEASE, chunk=chunk, owner=owner)
    worker = Worker(
        database.uow, executors, reports, config=config, clock=clock, crash=crash or CrashAt()
    )
    return worker, reports


def action_state(database: Database, action_id: str) -> ActionState:
    """The action's state."""
    with database.uow() as uow:
        action = uow.actions.get(action_id)
    assert action is not None
    return action.state


def learner_kinds(database: Database) -> list[LearnEventKind]:
    """Kinds of all learner events, in order."""
    with database.uow() as uow:
        return [e.kind for _, e in uow.learner.events_after(0)]


def test_an_approved_action_is_sent_once_per_target(database: Database) -> None:
    clock, provider = Clock(), Provider()
    action_id = approved(database, candidate_with(3))
    worker, reports = make_worker(database, provider, clock)
    assert worker.run_once() == 1
    assert worker.run_once() == 0
    assert set(target_states(database, action_id).values()) == {TargetState.SENT}
    assert action_state(database, action_id) is ActionState.SUCCEEDED
    assert sorted(key for _, _, key in provider.effects) == sorted(
        idempotency_key(action_id, f"cart:{i}") for i in range(3)
    )
    assert reports.items[0].count(TargetState.SENT) == 3
    assert learner_kinds(database) == [LearnEventKind.APPROVED, LearnEventKind.SUCCEEDED]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(OutcomeRow)) == 1
        assert session.scalar(select(ExecutionRow.state)) == "succeeded"


def test_a_claimed_action_can_no_longer_be_cancelled(database: Database) -> None:
    clock = Clock()
    action_id = approved(database, candidate_with(2))
    worker, _ = make_worker(database, Provider(), clock, crash=CrashAt("after_claim"))
    with pytest.raises(SimulatedCrash):
        worker.run_once()
    with database.uow() as uow:
        result = uow.actions.cancel(action_id, "U1", clock())
        uow.commit()
    assert result.outcome is DecisionOutcome.ALREADY_DECIDED
    assert action_state(database, action_id) is ActionState.RUNNING


def test_a_cancelled_action_is_never_claimed(database: Database) -> None:
    clock, provider = Clock(), Provider()
    action_id = approved(database, candidate_with(2))
    with database.uow() as uow:
        assert uow.actions.cancel(action_id, "U1", clock()).ok
        uow.commit()
    worker, _ = make_worker(database, provider, clock)
    assert worker.run_once() == 0
    assert provider.effects == []


@pytest.mark.parametrize("point", ["after_claim", "after_accept", "mid_batch"])
def test_idempotent_provider_crash_then_restart_gives_one_effect_each(
    database: Database, point: str
) -> None:
    clock, provider = Clock(), Provider(idempotent=True)
    action_id = approved(database, candidate_with(4))
    first, _ = make_worker(database, provider, clock, crash=CrashAt(point), chunk=2)
    with pytest.raises(SimulatedCrash):
        first.run_once()
    second, _ = make_worker(database, provider, clock, chunk=2, owner="w2")
    assert second.run_once() == 0  # the dead worker's lease still holds
    clock.advance(LEASE + timedelta(seconds=1))
    assert second.run_once() == 1
    for i in range(4):
        assert provider.effect_count(action_id, f"cart:{i}") == 1
    assert set(target_states(database, action_id).values()) == {TargetState.SENT}
    assert action_state(database, action_id) is ActionState.SUCCEEDED


def test_smtp_like_send_in_flight_at_a_crash_becomes_unknown_and_is_not_resent(
    database: Database,
) -> None:
    clock, provider = Clock(), Provider(idempotent=False)
    action_id = approved(database, candidate_with(4))
    first, _ = make_worker(database, provider, clock, crash=CrashAt("after_accept"), chunk=2)
    with pytest.raises(SimulatedCrash):
        first.run_once()
    clock.advance(LEASE + timedelta(seconds=1))
    second, reports = make_worker(database, provider, clock, chunk=2, owner="w2")
    assert second.run_once() == 1
    states = target_states(database, action_id)
    assert [states[f"cart:{i}"] for i in range(4)] == [TargetState.UNKNOWN] * 2 + [
        TargetState.SENT
    ] * 2
    assert all(provider.effect_count(action_id, f"cart:{i}") == 1 for i in range(4))
    assert action_state(database, action_id) is ActionState.UNKNOWN
    assert reports.items[0].count(TargetState.UNKNOWN) == 2


def test_mid_batch_crash_sends_only_the_unsent_targets(database: Database) -> None:
    clock, provider = Clock(), Provider(idempotent=False)
    action_id = approved(database, candidate_with(5))
    first, _ = make_worker(database, provider, clock, crash=CrashAt("mid_batch", nth=2), chunk=2)
    with pytest.raises(SimulatedCrash):
        first.run_once()
    assert len(provider.calls) == 4
    clock.advance(LEASE + timedelta(seconds=1))
    second, _ = make_worker(database, provider, clock, chunk=2, owner="w2")
    assert second.run_once() == 1
    assert len(provider.calls) == 5
    assert set(target_states(database, action_id).values()) == {TargetState.SENT}


def test_provider_down_fails_the_action_and_says_why(database: Database) -> None:
    clock, provider = Clock(), Provider(down=True)
    action_id = approved(database, candidate_with(2))
    worker, reports = make_worker(database, provider, clock)
    worker.run_once()
    assert action_state(database, action_id) is ActionState.FAILED
    assert reports.items[0].error == "provider down"
    assert learner_kinds(database)[-1] is LearnEventKind.FAILED


def test_a_kind_without_executor_fails_with_a_reason(database: Database) -> None:
    clock = Clock()
    action_id = approved(database, candidate_with(2))
    worker, reports = make_worker(database, Provider(), clock, kinds=())
    worker.run_once()
    assert action_state(database, action_id) is ActionState.FAILED
    assert set(target_states(database, action_id).values()) == {TargetState.FAILED}
    assert "nothing is configured" in (reports.items[0].error or "")


def test_marketing_holds_out_a_fixed_share_and_payment_retries_none(database: Database) -> None:
    clock, provider = Clock(), Provider()
    email_id = approved(database, candidate_with(20))
    retry_id = approved(database, candidate_with(20, ActionKind.PAYMENT_RETRY))
    worker, _ = make_worker(database, provider, clock, holdout=0.2)
    assert worker.run_once() == 2
    email = target_states(database, email_id)
    held = {key for key, state in email.items() if state is TargetState.HELD_OUT}
    assert held == holdout_keys(email_id, sorted(email), 0.2)
    assert len(held) == 4
    assert all(provider.effect_count(email_id, key) == 0 for key in held)
    assert set(target_states(database, retry_id).values()) == {TargetState.SENT}


def test_suppressed_and_over_cap_addresses_are_not_emailed(database: Database) -> None:
    clock, provider = Clock(), Provider()
    with database.uow() as uow:
        uow.suppressions.add("C0@Example.com", "unsubscribed", T0)
        uow.commit()
    worker, _ = make_worker(database, provider, clock)
    for _ in range(3):
        approved(database, candidate_with(2))
        worker.run_once()
    last = approved(database, candidate_with(2))
    worker.run_once()
    states = target_states(database, last)
    assert states == {"cart:0": TargetState.FAILED, "cart:1": TargetState.FAILED}
    assert provider.effect_count(last, "cart:1") == 0


def test_the_background_thread_runs_an_approval_soon_after_wake(database: Database) -> None:
    provider = Provider()
    worker, reports = make_worker(database, provider, Clock())
    worker.start()
    try:
        action_id = approved(database, candidate_with(2))
        worker.wake()
        for _ in range(200):
            if reports.items:
                break
            time.sleep(0.02)
    finally:
        worker.stop()
    assert [r.action_id for r in reports.items] == [action_id]


def test_the_control_group_is_kept_only_among_addresses_that_could_be_mailed(
    database: Database,
) -> None:
    clock, provider = Clock(), Provider()
    email_id = approved(database, candidate_with(20))
    drawn = holdout_keys(email_id, [f"cart:{n}" for n in range(20)], 0.5)
    blocked = sorted(drawn)[:4] + sorted({f"cart:{n}" for n in range(20)} - drawn)[:4]
    with database.uow() as uow:
        for key in blocked:
            uow.suppressions.add(f"c{key.removeprefix('cart:')}@example.com", "bounced", T0)
        uow.commit()
    worker, _ = make_worker(database, provider, clock, holdout=0.5)
    worker.run_once()
    states = target_states(database, email_id)
    held = {key for key, state in states.items() if state is TargetState.HELD_OUT}
    sent = {key for key, state in states.items() if state is TargetState.SENT}
    assert held == drawn - set(blocked)  # a suppressed address is no control either
    assert sent.isdisjoint(blocked)
    assert len(sent) == 20 - len(drawn) - 4
    assert {states[key] for key in blocked} == {TargetState.FAILED}


def test_a_customer_in_another_open_measurement_of_the_same_kind_is_skipped(
    database: Database,
) -> None:
    clock, provider = Clock(), Provider()
    worker, _ = make_worker(database, provider, clock, holdout=0.25)
    first = approved(database, candidate_with(8, ActionKind.BUNDLE_OFFER))
    worker.run_once()
    clock.advance(timedelta(hours=1))
    again = approved(database, candidate_with(12, ActionKind.BUNDLE_OFFER), clock.now)
    other_kind = approved(database, candidate_with(8, ActionKind.EMAIL_CAMPAIGN), clock.now)
    worker.run_once()
    states = target_states(database, again)
    measured = {f"cart:{n}" for n in range(8)}  # sent to or held out by `first`
    assert {states[key] for key in measured} == {TargetState.FAILED}
    assert provider.effect_count(again, "cart:0") == 0
    drawn = holdout_keys(again, sorted(states), 0.25) - measured  # the control, among the rest
    fresh = {key: state for key, state in states.items() if key not in measured}
    assert {key for key, state in fresh.items() if state is TargetState.HELD_OUT} == drawn
    assert {key for key, state in fresh.items() if state is TargetState.SENT} == set(fresh) - drawn
    assert TargetState.HELD_OUT in set(target_states(database, first).values())
    assert TargetState.FAILED not in set(target_states(database, other_kind).values())
    with database.uow() as uow:
        details = {r.detail for r in uow.executions.targets(again) if r.target.key in measured}
    assert details == {"already measured in another bundle_offer action"}


def test_after_the_attribution_window_the_same_customers_can_be_targeted_again(
    database: Database,
) -> None:
    clock, provider = Clock(), Provider()
    worker, _ = make_worker(database, provider, clock, holdout=0.25)
    approved(database, candidate_with(8, ActionKind.BUNDLE_OFFER))
    worker.run_once()
    clock.advance(timedelta(days=7, hours=1))  # the bundle offer's window is 7 days
    later = approved(database, candidate_with(8, ActionKind.BUNDLE_OFFER), clock.now)
    worker.run_once()
    states = target_states(database, later)
    assert TargetState.FAILED not in set(states.values())
    assert {k for k, s in states.items() if s is TargetState.HELD_OUT} == holdout_keys(
        later, sorted(states), 0.25
    )
