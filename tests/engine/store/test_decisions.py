"""Contract: approve, reject, cancel and expire happen once, with their audit rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from engine.model import Action, ActionState, LearnEventKind, RejectReason
from engine.ports import DecisionOutcome, DecisionResult
from engine.store import Database
from engine.store.tables import DecisionRow, ExecutionRow, LearnerEventRow
from tests.conftest import T0, sample_candidate

TTL = timedelta(hours=24)
T1 = T0 + timedelta(hours=1)


def propose(database: Database, variant: str = "discount_10", **changes: object) -> Action:
    """Store one proposal created at T0 that expires a day later."""
    with database.uow() as uow:
        action = uow.actions.add(
            sample_candidate(variant=variant, **changes),
            reason="why",
            content_hash="hash-1",
            created_at=T0,
            expires_at=T0 + TTL,
            cycle_id=None,
        )
        uow.commit()
    return action


def rows(database: Database, action_id: str) -> dict[str, list[tuple[object, ...]]]:
    """The audit, outbox and learner rows that concern one action."""
    with database.session() as session:
        decisions = session.execute(
            select(DecisionRow.decision, DecisionRow.actor, DecisionRow.reason, DecisionRow.note)
            .where(DecisionRow.action_id == action_id)
            .order_by(DecisionRow.id)
        ).all()
        executions = session.execute(
            select(ExecutionRow.state).where(ExecutionRow.action_id == action_id)
        ).all()
        events = session.execute(
            select(LearnerEventRow.kind, LearnerEventRow.reason).order_by(LearnerEventRow.id)
        ).all()
    return {
        "decisions": [tuple(row) for row in decisions],
        "executions": [tuple(row) for row in executions],
        "events": [tuple(row) for row in events],
    }


def decide_approve(
    database: Database, action_id: str, actor: str, now: datetime, seen: str | None = None
) -> DecisionResult:
    """Approve in a unit of work of its own and commit."""
    with database.uow() as uow:
        result = uow.actions.approve(action_id, actor, now, seen)
        uow.commit()
    return result


def test_approve_once_queues_one_execution_and_audits_it(database: Database) -> None:
    action = propose(database)
    result = decide_approve(database, action.id, "U1", T1, seen="hash-1")
    assert result.ok
    assert result.outcome is DecisionOutcome.APPROVED
    assert (result.decided_by, result.decided_at) == ("U1", T1)
    assert result.action is not None
    assert result.action.state is ActionState.APPROVED
    assert (result.action.decided_by, result.action.decided_at) == ("U1", T1)
    assert rows(database, action.id) == {
        "decisions": [("approved", "U1", None, None)],
        "executions": [("queued",)],
        "events": [("approved", None)],
    }
    with database.session() as session:
        seen = session.scalar(select(DecisionRow.content_hash_seen))
    assert seen == "hash-1"


def test_second_approve_names_the_first_and_changes_nothing(database: Database) -> None:
    action = propose(database)
    decide_approve(database, action.id, "U1", T1)
    before = rows(database, action.id)
    again = decide_approve(database, action.id, "U2", T1 + timedelta(minutes=5))
    assert not again.ok
    assert again.outcome is DecisionOutcome.ALREADY_DECIDED
    assert (again.decided_by, again.decided_at) == ("U1", T1)
    assert again.action is not None
    assert again.action.state is ActionState.APPROVED
    assert rows(database, action.id) == before


def test_uncommitted_approval_is_rolled_back(database: Database) -> None:
    action = propose(database)
    with database.uow() as uow:
        assert uow.actions.approve(action.id, "U1", T1).ok
    with database.uow() as uow:
        stored = uow.actions.get(action.id)
    assert stored is not None
    assert stored.state is ActionState.PROPOSED
    assert rows(database, action.id) == {"decisions": [], "executions": [], "events": []}


def test_unknown_action_is_not_found(database: Database) -> None:
    result = decide_approve(database, "anosuchid00", "U1", T1)
    assert result.outcome is DecisionOutcome.NOT_FOUND
    assert result.action is None


def test_expired_proposal_cannot_be_approved_and_becomes_expired(database: Database) -> None:
    action = propose(database)
    late = T0 + TTL
    result = decide_approve(database, action.id, "U1", late)
    assert result.outcome is DecisionOutcome.EXPIRED
    assert (result.decided_by, result.decided_at) == ("system", late)
    assert result.action is not None
    assert result.action.state is ActionState.EXPIRED
    again = decide_approve(database, action.id, "U2", late + timedelta(hours=1))
    assert again.outcome is DecisionOutcome.EXPIRED
    assert rows(database, action.id) == {
        "decisions": [("expired", "system", None, None)],
        "executions": [],
        "events": [("expired", None)],
    }


def test_advice_cannot_be_approved_but_can_be_rejected(database: Database) -> None:
    action = propose(database, runnable=False)
    result = decide_approve(database, action.id, "U1", T1)
    assert result.outcome is DecisionOutcome.NOT_RUNNABLE
    assert result.action is not None
    assert result.action.state is ActionState.PROPOSED
    with database.uow() as uow:
        rejected = uow.actions.reject(action.id, "U1", T1, RejectReason.OTHER, None)
        uow.commit()
    assert rejected.outcome is DecisionOutcome.REJECTED


def test_stale_content_is_refused(database: Database) -> None:
    action = propose(database)
    stale = decide_approve(database, action.id, "U1", T1, seen="hash-0")
    assert stale.outcome is DecisionOutcome.STALE_CONTENT
    assert rows(database, action.id)["executions"] == []
    fresh = decide_approve(database, action.id, "U1", T1, seen="hash-1")
    assert fresh.outcome is DecisionOutcome.APPROVED


def test_reject_records_reason_note_and_learner_event(database: Database) -> None:
    action = propose(database)
    with database.uow() as uow:
        result = uow.actions.reject(action.id, "U3", T1, RejectReason.WRONG_TARGETS, "VIPs")
        uow.commit()
    assert result.outcome is DecisionOutcome.REJECTED
    assert (result.decided_by, result.decided_at) == ("U3", T1)
    assert rows(database, action.id) == {
        "decisions": [("rejected", "U3", "wrong_targets", "VIPs")],
        "executions": [],
        "events": [("rejected", "wrong_targets")],
    }
    late = decide_approve(database, action.id, "U1", T1 + timedelta(minutes=1))
    assert late.outcome is DecisionOutcome.ALREADY_DECIDED
    assert (late.decided_by, late.decided_at) == ("U3", T1)
    with database.uow() as uow:
        events = uow.learner.events_after(0)
    assert [(event.arm, event.kind, event.reason) for _, event in events] == [
        (action.candidate.arm, LearnEventKind.REJECTED, RejectReason.WRONG_TARGETS)
    ]


def test_cancel_a_proposal(database: Database) -> None:
    action = propose(database)
    with database.uow() as uow:
        result = uow.actions.cancel(action.id, "U1", T1)
        uow.commit()
    assert result.outcome is DecisionOutcome.CANCELLED
    assert result.action is not None
    assert result.action.state is ActionState.CANCELLED
    assert rows(database, action.id)["decisions"] == [("cancelled", "U1", None, None)]
    assert rows(database, action.id)["events"] == []


def test_cancel_an_approved_action_before_the_worker_claims_it(database: Database) -> None:
    action = propose(database)
    decide_approve(database, action.id, "U1", T1)
    with database.uow() as uow:
        result = uow.actions.cancel(action.id, "U2", T1 + timedelta(minutes=1))
        uow.commit()
    assert result.outcome is DecisionOutcome.CANCELLED
    assert result.decided_by == "U2"
    assert rows(database, action.id) == {
        "decisions": [("approved", "U1", None, None), ("cancelled", "U2", None, None)],
        "executions": [("cancelled",)],
        "events": [("approved", None)],
    }


def test_cancel_after_the_worker_claimed_it_is_refused(database: Database) -> None:
    action = propose(database)
    decide_approve(database, action.id, "U1", T1)
    with database.session() as session:
        session.execute(
            update(ExecutionRow)
            .where(ExecutionRow.action_id == action.id)
            .values(state="running", lease_owner="worker-1", started_at=T1)
        )
        session.commit()
    with database.uow() as uow:
        result = uow.actions.cancel(action.id, "U2", T1 + timedelta(minutes=1))
        uow.commit()
    assert result.outcome is DecisionOutcome.ALREADY_DECIDED
    assert (result.decided_by, result.decided_at) == ("U1", T1)
    assert rows(database, action.id)["executions"] == [("running",)]


def test_expire_due(database: Database) -> None:
    due = [propose(database, variant=f"due{n}") for n in range(2)]
    with database.uow() as uow:
        fresh = uow.actions.add(
            sample_candidate(variant="fresh"),
            reason="why",
            content_hash="h",
            created_at=T1,
            expires_at=T1 + TTL,
            cycle_id=None,
        )
        uow.commit()
    with database.uow() as uow:
        expired = uow.actions.expire_due(T0 + TTL)
        uow.commit()
    assert sorted(a.id for a in expired) == sorted(a.id for a in due)
    assert {a.state for a in expired} == {ActionState.EXPIRED}
    assert {a.decided_by for a in expired} == {"system"}
    assert expired[0].candidate.targets == due[0].candidate.targets
    with database.uow() as uow:
        assert uow.actions.expire_due(T0 + TTL) == []
        assert [a.id for a in uow.actions.find([ActionState.PROPOSED])] == [fresh.id]
        events = uow.learner.events_after(0)
    assert sorted(e.arm for _, e in events) == sorted(a.candidate.arm for a in due)
    assert {e.kind for _, e in events} == {LearnEventKind.EXPIRED}
    assert rows(database, due[0].id)["decisions"] == [("expired", "system", None, None)]


def test_counts_stay_exact(database: Database) -> None:
    action = propose(database)
    for actor in ("U1", "U2", "U1"):
        decide_approve(database, action.id, actor, T1)
    with database.session() as session:
        executions = session.scalar(select(func.count()).select_from(ExecutionRow))
        decisions = session.scalar(select(func.count()).select_from(DecisionRow))
    assert (executions, decisions) == (1, 1)


def test_reads_after_a_decision_in_the_same_unit_of_work_see_it(database: Database) -> None:
    approved = propose(database, variant="x")
    expiring = propose(database, variant="y")
    with database.uow() as uow:
        assert {a.state for a in uow.actions.find()} == {ActionState.PROPOSED}
        uow.actions.approve(approved.id, "U1", T1)
        uow.actions.expire_due(T0 + TTL)
        states = {a.id: a.state for a in uow.actions.find()}
        uow.commit()
    assert states == {approved.id: ActionState.APPROVED, expiring.id: ActionState.EXPIRED}
