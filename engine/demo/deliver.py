"""Deliveries of executed actions: recorded once per (action, target), with drawn responses."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from engine import measure
from engine.clock import as_utc
from engine.demo import tables
from engine.demo.catalog import HARD_CODES
from engine.demo.truth import Truth
from engine.model import ActionKind, Target, TargetState

_DELIVERY_STREAM = 4
EMAIL_KINDS = {
    ActionKind.WINBACK_EMAIL,
    ActionKind.BUNDLE_OFFER,
    ActionKind.EMAIL_CAMPAIGN,
    ActionKind.REFERRAL_INCENTIVE,
}
DELIVERABLE = EMAIL_KINDS | {ActionKind.CART_RECOVERY_EMAIL, ActionKind.PAYMENT_RETRY}
# Mean delay before a response, and its bounds, in hours.
_DELAYS = {
    ActionKind.CART_RECOVERY_EMAIL: (8.0, 0.25, 72.0),
    ActionKind.PAYMENT_RETRY: (0.2, 0.02, 1.0),
    ActionKind.WINBACK_EMAIL: (36.0, 1.0, 240.0),
    ActionKind.BUNDLE_OFFER: (24.0, 0.5, 168.0),
    ActionKind.EMAIL_CAMPAIGN: (24.0, 0.5, 168.0),
    ActionKind.REFERRAL_INCENTIVE: (48.0, 1.0, 240.0),
}


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What happened to one target: sent (now or before) or failed, with a reason."""

    target_key: str
    state: TargetState
    duplicate: bool = False  # delivered before under the same action; recorded and reacts once
    detail: str = ""


def delivery_rng(seed: int, action_id: str, target_key: str) -> np.random.Generator:
    """The random numbers of one delivery: fixed by seed, action and target."""
    digest = hashlib.sha256(f"{action_id}\x00{target_key}".encode()).digest()
    words = np.frombuffer(digest[:16], dtype=np.uint32).tolist()
    return np.random.default_rng([seed, _DELIVERY_STREAM, *words])


def discount_pct(variant: str, params: Mapping[str, str]) -> int:
    """The discount a variant offers: `discount_pct` param, else `discount_<n>`, else none."""
    raw = params.get("discount_pct") or variant.removeprefix("discount_")
    try:
        return max(0, min(90, int(float(raw))))
    except ValueError:
        return 0


def offered_products(params: Mapping[str, str]) -> str:
    """Product ids named by the params, comma-separated (`engine.measure.offered_products`)."""
    return ",".join(measure.offered_products(params))


def ladder_rate(ladder: Sequence[float], pct: int) -> float:
    """A response rate at `pct` % discount, interpolated between the 0/10/20 % points."""
    return float(np.interp(min(pct, 20), (0, 10, 20), ladder))


def _ref_id(target: Target, kind: ActionKind) -> int | None:
    """The shop id acted on: the customer for e-mails to customers, else the ref (cart, payment)."""
    if kind in EMAIL_KINDS:
        return _int_or_none(target.customer_id) or _int_or_none(target.ref)
    return _int_or_none(target.ref)


@dataclass(frozen=True, slots=True)
class Request:
    """One action's delivery request, as the shop's `deliver` received it."""

    action_id: str
    kind: ActionKind
    variant: str
    params: Mapping[str, str]
    at: datetime


def plan(
    connection: sa.Connection, seed: int, truth: Truth, request: Request, target: Target
) -> dict[str, Any] | str:
    """The delivery row for a target (with its drawn response), or why it cannot be delivered."""
    ref = _ref_id(target, request.kind)
    if ref is None:
        return "target has no shop id in ref"
    probability = _probability(connection, truth, request, ref)
    if isinstance(probability, str):
        return probability
    rng = delivery_rng(seed, request.action_id, target.key)
    responds = bool(rng.random() < probability)
    mean, low, high = _DELAYS[request.kind]
    delay = float(np.clip(rng.exponential(mean), low, high))
    reacts = responds or request.kind == ActionKind.PAYMENT_RETRY  # a retry is charged either way
    return {
        "action_id": request.action_id,
        "target_key": target.key,
        "kind": request.kind.value,
        "variant": request.variant,
        "ref_id": ref,
        "customer_id": _int_or_none(target.customer_id),
        "discount_pct": discount_pct(request.variant, request.params),
        "product_ids": offered_products(request.params),
        "delivered_at": request.at,
        "responds": responds,
        "react_at": request.at + timedelta(hours=delay) if reacts else None,
        "reacted_at": None,
        "result": None,
    }


def _int_or_none(value: str | None) -> int | None:
    tail = str(value).rsplit(":", 1)[-1] if value is not None else ""
    return int(tail) if tail.isdigit() else None


def _probability(
    connection: sa.Connection, truth: Truth, request: Request, ref: int
) -> float | str:
    """The chance the target responds, or why it cannot be delivered."""
    pct = discount_pct(request.variant, request.params)
    if request.kind == ActionKind.CART_RECOVERY_EMAIL:
        return _cart_probability(connection, truth, request, ref, pct)
    if request.kind == ActionKind.PAYMENT_RETRY:
        return _retry_probability(connection, truth, ref)
    customers = tables.customers
    found = connection.execute(sa.select(customers.c.id).where(customers.c.id == ref)).first()
    if found is None:
        return f"customer {ref} does not exist"
    responses = truth.responses
    ladders = {
        ActionKind.WINBACK_EMAIL: responses.winback,
        ActionKind.BUNDLE_OFFER: responses.bundle,
        ActionKind.EMAIL_CAMPAIGN: responses.campaign,
    }
    ladder = ladders.get(request.kind)
    return ladder_rate(ladder, pct) if ladder else responses.referral


def _cart_probability(
    connection: sa.Connection, truth: Truth, request: Request, ref: int, pct: int
) -> float | str:
    carts = tables.carts
    cart = connection.execute(
        sa.select(carts.c.status, carts.c.ended_at).where(carts.c.id == ref)
    ).first()
    if cart is None or cart.status != "abandoned" or as_utc(cart.ended_at) > request.at:
        return f"cart {ref} is not an abandoned cart"
    return ladder_rate(truth.responses.cart_recovery, pct)


def _retry_probability(connection: sa.Connection, truth: Truth, ref: int) -> float | str:
    pays = tables.payments
    payment = connection.execute(
        sa.select(pays.c.status, pays.c.decline_code, pays.c.recovered_by_payment_id).where(
            pays.c.id == ref
        )
    ).first()
    if payment is None or payment.status != "failed" or payment.recovered_by_payment_id:
        return f"payment {ref} is not an unrecovered failed payment"
    code = payment.decline_code or "generic_decline"
    soft = truth.responses.retry_soft
    if code in HARD_CODES:
        return truth.responses.retry_hard
    return soft.get(code, sum(soft.values()) / len(soft))


def record(connection: sa.Connection, row: dict[str, Any]) -> bool:
    """Insert a delivery unless (action, target) is recorded already; True when inserted."""
    table = tables.deliveries
    name = connection.dialect.name
    if name == "postgresql":
        statement: Any = postgresql.insert(table).on_conflict_do_nothing(
            index_elements=["action_id", "target_key"]
        )
    elif name == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(
            index_elements=["action_id", "target_key"]
        )
    else:
        statement = table.insert()
    return bool(connection.execute(statement, row).rowcount)


def delivered_keys(connection: sa.Connection, action_id: str) -> set[str]:
    """Target keys already delivered for an action."""
    table = tables.deliveries
    rows = connection.execute(sa.select(table.c.target_key).where(table.c.action_id == action_id))
    return set(rows.scalars())


def deliver_all(
    connection: sa.Connection,
    seed: int,
    truth: Truth,
    request: Request,
    targets: Sequence[Target],
) -> list[DeliveryResult]:
    """Deliver each target once; a repeated (action, target) is reported as a duplicate."""
    done = delivered_keys(connection, request.action_id)
    results = []
    for target in targets:
        if target.key in done:
            results.append(_duplicate(target.key))
            continue
        row = plan(connection, seed, truth, request, target)
        if isinstance(row, str):
            results.append(DeliveryResult(target.key, TargetState.FAILED, detail=row))
            continue
        inserted = record(connection, row)
        ok = DeliveryResult(target.key, TargetState.SENT)
        results.append(ok if inserted else _duplicate(target.key))
        done.add(target.key)
    return results


def _duplicate(key: str) -> DeliveryResult:
    return DeliveryResult(key, TargetState.SENT, duplicate=True, detail="delivered before")
