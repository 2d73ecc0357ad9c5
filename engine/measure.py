"""Measuring an executed action against its held-out targets, from the shop's own rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from engine.lift import ActionLift, Group
from engine.model import ActionKind, Target, TargetState
from engine.model.reach import conversion_ref

if TYPE_CHECKING:
    from engine.store import SqlUnitOfWork

# How long after sending a conversion still counts: the longest a response takes.
ATTRIBUTION_WINDOWS: dict[ActionKind, timedelta] = {
    ActionKind.CART_RECOVERY_EMAIL: timedelta(hours=72),
    ActionKind.WINBACK_EMAIL: timedelta(days=10),
    ActionKind.EMAIL_CAMPAIGN: timedelta(days=7),
    ActionKind.BUNDLE_OFFER: timedelta(days=7),
    ActionKind.REFERRAL_INCENTIVE: timedelta(days=10),
}


# Offers are measured by what the offered products earned: a customer's other orders are
# the same for treated and held-out in expectation, and only add noise.
OFFERS = frozenset({ActionKind.EMAIL_CAMPAIGN, ActionKind.BUNDLE_OFFER})
_PRODUCT_PARAMS = ("product_id", "first_id", "second_id")


class ConversionSource(Protocol):
    """Who converted by any means in a window (the demo shop's `conversions`)."""

    def conversions(
        self,
        kind: ActionKind,
        refs: Sequence[str],
        since: datetime,
        until: datetime,
        products: Sequence[str] = (),
    ) -> dict[str, int]:
        """Refs that converted in [since, until), with the value.

        With `products`, a conversion's value is only what those products earned; a
        referral's conversions are the orders of the friends each ref referred.
        """
        ...


def offered_products(params: Mapping[str, str]) -> tuple[str, ...]:
    """The product ids an action's params name (`product_ids`, else the single-id params)."""
    raw = params.get("product_ids") or ",".join(
        params[key] for key in _PRODUCT_PARAMS if params.get(key)
    )
    return tuple(part.strip() for part in raw.split(",") if part.strip().isdigit())


def measured_products(kind: ActionKind, params: Mapping[str, str]) -> tuple[str, ...]:
    """What an action's lift is measured on: an offer's products, else () for everything."""
    return offered_products(params) if kind in OFFERS else ()


def measure(
    source: ConversionSource,
    action_id: str,
    kind: ActionKind,
    targets: Sequence[tuple[Target, TargetState]],
    *,
    since: datetime,
    until: datetime,
    products: Sequence[str] = (),
) -> ActionLift:
    """Sent against held-out targets of one action, converted within [since, until).

    `products`: measure only what these products earned (`measured_products`).
    """
    refs: dict[TargetState, list[str]] = {
        state: [] for state in (TargetState.SENT, TargetState.HELD_OUT)
    }
    for target, state in targets:
        ref = conversion_ref(kind, target)
        if ref is not None and state in refs:
            refs[state].append(ref)
    every = refs[TargetState.SENT] + refs[TargetState.HELD_OUT]
    converted = source.conversions(kind, every, since, until, products) if every else {}
    return ActionLift(
        action_id=action_id,
        kind=kind,
        treated=Group.of(refs[TargetState.SENT], converted),
        control=Group.of(refs[TargetState.HELD_OUT], converted),
    )


def measure_due(
    uow: Callable[[], SqlUnitOfWork], source: ConversionSource, now: datetime, currency: str
) -> list[ActionLift]:
    """Measure every executed action whose attribution window has closed; store the results."""
    with uow() as work:
        due = work.lifts.due(now, ATTRIBUTION_WINDOWS)
    measured = []
    for item in due:
        kind = item.kind
        with uow() as work:
            states = work.actions.targets(item.action_id)
            products = measured_products(kind, dict(item.params))
            since = item.started_at
            until = since + ATTRIBUTION_WINDOWS[kind]
            lift = measure(
                source, item.action_id, kind, states, since=since, until=until, products=products
            )
            work.lifts.add(lift, now, currency)
            work.commit()
        measured.append(lift)
    return measured
