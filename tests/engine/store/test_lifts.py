"""Storing a measured lift on SQLite and PostgreSQL, and what the learner is told."""

from __future__ import annotations

from engine.lift import ActionLift, Group, incremental_error
from engine.model import ActionKind, LearnEvent, LearnEventKind
from engine.store import Database
from tests.conftest import T0
from tests.engine.executors.support import approved, candidate_with


def values(database: Database) -> list[LearnEvent]:
    with database.uow() as uow:
        return [e for _, e in uow.learner.events_after(0) if e.kind is LearnEventKind.VALUE]


def test_the_incremental_value_is_the_treated_minus_the_scaled_control(database: Database) -> None:
    action_id = approved(database, candidate_with(10, ActionKind.BUNDLE_OFFER))
    lift = ActionLift(action_id, ActionKind.BUNDLE_OFFER, Group(8, 2, 4_000), Group(2, 1, 500))
    with database.uow() as uow:
        assert uow.lifts.add(lift, T0, "USD") == 4_000 - 500 * 8 // 2
        uow.commit()
    proposed = candidate_with(10, ActionKind.BUNDLE_OFFER).expected_value
    assert proposed is not None
    # what the 8 treated of the 10 reached were expected to earn, beside what they earned
    assert [(e.value, e.expected, e.noise) for e in values(database)] == [
        (2_000, round(proposed.amount * 8 / 10), round(incremental_error(lift)))
    ]


def test_without_a_control_group_nothing_is_measured_and_the_learner_is_told_nothing(
    database: Database,
) -> None:
    action_id = approved(database, candidate_with(3, ActionKind.BUNDLE_OFFER))
    lift = ActionLift(action_id, ActionKind.BUNDLE_OFFER, Group(3, 2, 9_000), Group(0, 0, 0))
    with database.uow() as uow:
        assert uow.lifts.add(lift, T0, "USD") == 0  # not the treated's whole revenue
        uow.commit()
    assert values(database) == []
    with database.uow() as uow:
        assert [m.action_id for m in uow.lifts.all()] == [action_id]  # kept for the record
