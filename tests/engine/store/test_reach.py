"""`uow.reach` on SQLite and PostgreSQL: suppressed and capped addresses, refs being measured."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from engine.execution_ports import TargetResult
from engine.model import ActionKind, Reach, Target, TargetState
from engine.store import Database
from tests.conftest import T0
from tests.engine.executors.support import approved, candidate_with

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def sent(
    database: Database, kind: ActionKind, targets: tuple[Target, ...], state: TargetState
) -> None:
    """An executed action of `kind` whose targets all ended in `state` at T0."""
    action_id = approved(database, replace(candidate_with(0, kind), targets=targets))
    with database.uow() as uow:
        results = [TargetResult(t.key, state) for t in targets]
        uow.executions.set_states(action_id, results, T0)
        uow.commit()


def read(database: Database, now_offset: timedelta = DAY, windows: bool = True) -> Reach:
    with database.uow() as uow:
        return uow.reach.reach(
            T0 + now_offset,
            email_kinds=(ActionKind.EMAIL_CAMPAIGN, ActionKind.BUNDLE_OFFER),
            cap=2,
            window=WEEK,
            windows={ActionKind.BUNDLE_OFFER: WEEK, ActionKind.CART_RECOVERY_EMAIL: 3 * DAY}
            if windows
            else {},
        )


def customer(n: int) -> Target:
    return Target(f"customer:{n}", customer_id=str(n), email=f"C{n}@example.com", ref=str(n))


def test_suppressed_and_capped_addresses_are_blocked(database: Database) -> None:
    with database.uow() as uow:
        uow.suppressions.add("z@example.com", "unsubscribed", T0)
        uow.commit()
    sent(database, ActionKind.EMAIL_CAMPAIGN, (customer(1), customer(2)), TargetState.SENT)
    sent(database, ActionKind.BUNDLE_OFFER, (customer(1),), TargetState.SENT)
    sent(database, ActionKind.BUNDLE_OFFER, (customer(3),), TargetState.HELD_OUT)
    assert read(database).blocked_emails == {"z@example.com", "c1@example.com"}  # 2 sends: cap
    assert read(database, WEEK + DAY).blocked_emails == {"z@example.com"}  # the window passed


def test_refs_sent_or_held_out_are_measured_per_kind_while_the_window_is_open(
    database: Database,
) -> None:
    sent(database, ActionKind.BUNDLE_OFFER, (customer(1),), TargetState.SENT)
    sent(database, ActionKind.BUNDLE_OFFER, (customer(2),), TargetState.HELD_OUT)
    sent(database, ActionKind.BUNDLE_OFFER, (customer(3),), TargetState.FAILED)
    cart = Target("cart:9", customer_id="4", email="c4@example.com", ref="9")
    sent(database, ActionKind.CART_RECOVERY_EMAIL, (cart,), TargetState.SENT)
    measuring = read(database).measuring
    assert measuring[ActionKind.BUNDLE_OFFER] == {"1", "2"}
    assert measuring[ActionKind.CART_RECOVERY_EMAIL] == {"9"}  # the cart, not the customer
    later = read(database, 4 * DAY).measuring
    assert later[ActionKind.BUNDLE_OFFER] == {"1", "2"}
    assert later[ActionKind.CART_RECOVERY_EMAIL] == set()
    assert read(database, windows=False).measuring == {}  # no holdout: nothing measured
