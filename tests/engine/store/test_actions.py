"""Contract: storing proposals and reading them back."""

from __future__ import annotations

import re
from datetime import timedelta

from engine.model import (
    Action,
    ActionKind,
    ActionState,
    Candidate,
    Content,
    RejectReason,
    Target,
    TargetState,
)
from engine.store import Database
from tests.conftest import T0, sample_candidate

TTL = timedelta(hours=24)


def _add(database: Database, candidate: Candidate, at_hours: int = 0) -> Action:
    created = T0 + timedelta(hours=at_hours)
    with database.uow() as uow:
        cycle_id = uow.cycles.claim(f"slot-{at_hours}-{candidate.variant}", "scheduled", created)
        action = uow.actions.add(
            candidate,
            reason="approved 12 of 15",
            content_hash="h-" + candidate.variant,
            created_at=created,
            expires_at=created + TTL,
            cycle_id=cycle_id,
        )
        uow.commit()
    return action


def test_add_get_round_trip_equals_the_candidate(database: Database) -> None:
    candidate = sample_candidate()
    added = _add(database, candidate)
    assert re.fullmatch(r"a[a-z2-7]{9}", added.id)
    with database.uow() as uow:
        stored = uow.actions.get(added.id)
    assert stored == added
    assert stored.candidate == candidate
    assert stored.state is ActionState.PROPOSED
    assert (stored.created_at, stored.expires_at) == (T0, T0 + TTL)
    assert (stored.decided_by, stored.decided_at) == (None, None)
    assert stored.reason == "approved 12 of 15"
    assert stored.content_hash == "h-discount_10"


def test_round_trip_of_a_minimal_advice_candidate(database: Database) -> None:
    candidate = Candidate(
        kind=ActionKind.PRICE_TEST,
        variant="plus_5",
        title="Test a 5% higher price on Mug",
        targets=(Target(key="product:p1"),),
        content=Content(subject="", body="Raise Mug from $12.00 to $12.60 for a week."),
        runnable=False,
    )
    added = _add(database, candidate)
    with database.uow() as uow:
        stored = uow.actions.get(added.id)
    assert stored is not None
    assert stored.candidate == candidate


def test_unknown_action_is_none(database: Database) -> None:
    with database.uow() as uow:
        assert uow.actions.get("anosuchid00") is None
        assert uow.actions.targets("anosuchid00") == []


def test_targets_keep_their_order_and_start_pending(database: Database) -> None:
    candidate = sample_candidate()
    added = _add(database, candidate)
    with database.uow() as uow:
        targets = uow.actions.targets(added.id)
    assert targets == [(target, TargetState.PENDING) for target in candidate.targets]


def test_find_newest_first_and_by_state(database: Database) -> None:
    first = _add(database, sample_candidate(variant="a"), at_hours=0)
    second = _add(database, sample_candidate(variant="b"), at_hours=1)
    third = _add(database, sample_candidate(variant="c"), at_hours=2)
    with database.uow() as uow:
        uow.actions.reject(second.id, "U1", T0 + timedelta(hours=3), RejectReason.NOT_NOW, None)
        uow.commit()
    with database.uow() as uow:
        everything = uow.actions.find()
        proposed = uow.actions.find({ActionState.PROPOSED})
        rejected = uow.actions.find([ActionState.REJECTED])
        newest = uow.actions.find(limit=1)
    assert [a.id for a in everything] == [third.id, second.id, first.id]
    assert [a.id for a in proposed] == [third.id, first.id]
    assert [a.id for a in rejected] == [second.id]
    assert [a.id for a in newest] == [third.id]
    assert everything[2].candidate == first.candidate


def test_find_proposed_lists_only_undecided_proposals(database: Database) -> None:
    kept = _add(database, sample_candidate(variant="a"))
    decided = _add(
        database,
        sample_candidate(variant="b", targets=(Target(key="cart:c9", email="c@example.com"),)),
    )
    with database.uow() as uow:
        uow.actions.approve(decided.id, "U1", T0 + timedelta(hours=1))
        uow.commit()
    with database.uow() as uow:
        pending = uow.actions.find([ActionState.PROPOSED])
    assert [a.id for a in pending] == [kept.id]


def test_card_location_is_remembered(database: Database) -> None:
    added = _add(database, sample_candidate())
    with database.uow() as uow:
        assert uow.slack.action_card(added.id) is None
        uow.slack.set_action_card(added.id, "C42", "1700000000.000200")
        uow.commit()
    with database.uow() as uow:
        assert uow.slack.action_card(added.id) == ("C42", "1700000000.000200")


def test_ids_are_unique(database: Database) -> None:
    ids = {_add(database, sample_candidate(variant=f"v{n}")).id for n in range(20)}
    assert len(ids) == 20
