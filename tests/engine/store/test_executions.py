"""The execution outbox contract on SQLite and PostgreSQL: leases, results."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update

from engine.execution_ports import TargetResult
from engine.model import ActionKind, Target, TargetState
from engine.store import Database
from engine.store.executions import Claim
from engine.store.tables import ActionRow
from tests.conftest import T0
from tests.engine.executors.support import approved, candidate_with

LEASE = timedelta(minutes=5)


def claim(database: Database, owner: str, at: timedelta = timedelta()) -> Claim | None:
    """One claim in its own transaction."""
    with database.uow() as uow:
        claimed = uow.executions.claim(owner, T0 + at, LEASE)
        uow.commit()
    return claimed


def test_one_execution_is_claimed_by_one_worker_until_its_lease_expires(
    database: Database,
) -> None:
    action_id = approved(database, candidate_with(1))
    first = claim(database, "a")
    assert first is not None
    assert (first.action_id, first.attempts) == (action_id, 1)
    assert claim(database, "b", timedelta(minutes=4)) is None
    again = claim(database, "b", LEASE)
    assert again is not None
    assert (again.execution_id, again.attempts) == (first.execution_id, 2)
    with database.uow() as uow:
        assert not uow.executions.renew(first, "a", T0 + LEASE, LEASE)
        assert uow.executions.renew(again, "b", T0 + LEASE, LEASE)


def test_concurrent_claims_take_each_execution_once(database: Database) -> None:
    ids = {approved(database, candidate_with(1)) for _ in range(6)}
    taken: list[str] = []
    lock = threading.Lock()

    def work(owner: str) -> None:
        while (claimed := claim(database, owner)) is not None:
            with lock:
                taken.append(claimed.action_id)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == sorted(ids)


def test_an_execution_without_an_authorised_approval_is_never_claimed(
    database: Database,
) -> None:
    action_id = approved(database, candidate_with(1))
    with database.session() as session:
        session.execute(update(ActionRow).where(ActionRow.id == action_id).values(state="proposed"))
        session.commit()
    assert claim(database, "a") is None


def test_final_target_states_are_never_overwritten(database: Database) -> None:
    action_id = approved(database, candidate_with(2))
    with database.uow() as uow:
        uow.executions.set_states(action_id, [TargetResult("cart:0", TargetState.SENT)], T0)
        uow.executions.set_states(
            action_id,
            [
                TargetResult("cart:0", TargetState.FAILED),
                TargetResult("cart:1", TargetState.FAILED),
            ],
            T0,
        )
        uow.commit()
        states = {r.target.key: r.state for r in uow.executions.targets(action_id)}
    assert states == {"cart:0": TargetState.SENT, "cart:1": TargetState.FAILED}


def test_measuring_finds_refs_sent_or_held_out_by_other_actions_of_the_kind(
    database: Database,
) -> None:
    targets = (
        Target("cart:a", customer_id="ana", email="ana@example.com", ref="A", value=1),
        Target("cart:b", customer_id="bo", email="bo@example.com", ref="B", value=1),
        Target("cart:c", customer_id="cy", email="cy@example.com", ref="C", value=1),
    )
    results = [
        TargetResult("cart:a", TargetState.SENT),
        TargetResult("cart:b", TargetState.HELD_OUT, "control group"),
        TargetResult("cart:c", TargetState.FAILED, "suppressed"),
    ]
    first = approved(database, replace(candidate_with(0), targets=targets))
    bundle = approved(
        database, replace(candidate_with(0, ActionKind.BUNDLE_OFFER), targets=targets)
    )
    with database.uow() as uow:
        uow.executions.set_states(first, results, T0)
        uow.executions.set_states(bundle, results, T0)
        uow.commit()
    carts, bundles = ActionKind.CART_RECOVERY_EMAIL, ActionKind.BUNDLE_OFFER
    with database.uow() as uow:
        found = uow.executions.measuring
        assert found(carts, ["A", "B", "C", "D"], since=T0, action_id="x") == {"A", "B"}
        assert found(carts, ["ana", "bo"], since=T0, action_id="x") == set()  # carts, not people
        assert found(bundles, ["ana", "bo", "A"], since=T0, action_id="x") == {"ana", "bo"}
        assert found(carts, ["A", "B"], since=T0, action_id=first) == set()  # itself
        later = T0 + timedelta(seconds=1)
        assert found(carts, ["A", "B"], since=later, action_id="x") == set()
        assert found(ActionKind.EMAIL_CAMPAIGN, ["ana"], since=T0, action_id="x") == set()
