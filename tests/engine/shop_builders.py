"""Hand-built shop data for the recover / optimize / generate tests (no demo shop)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

from engine.actions import Capabilities, capabilities_for
from engine.model import (
    AbandonedCart,
    Candidate,
    ChurnedCustomer,
    FailedPayment,
    Issue,
    IssueKind,
    ProductPair,
    ProductStats,
    Severity,
    ShopData,
)

NOW = datetime(2024, 11, 30, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
ALL_CAPS = capabilities_for(email=True, payments=True, webhook=True, slack=True)
NO_CAPS = Capabilities()


def shop(**changes: object) -> ShopData:
    """An empty USD shop with some fields replaced."""
    base: dict[str, object] = {
        "currency": "USD",
        "abandoned_carts": (),
        "failed_payments": (),
        "churned_customers": (),
        "products": (),
        "pairs": (),
    }
    base.update(changes)
    return ShopData(**base)  # type: ignore[arg-type]


def cart(n: int, value: int, age: timedelta = 3 * HOUR, email: str | None = None) -> AbandonedCart:
    return AbandonedCart(
        cart_id=f"c{n}",
        customer_id=f"u{n}",
        email=email if email is not None else f"u{n}@example.com",
        value=value,
        abandoned_at=NOW - age,
        product_names=("Mug",),
    )


def payment(
    n: int, amount: int, code: str = "insufficient_funds", *, hard: bool = False
) -> FailedPayment:
    return FailedPayment(
        payment_id=f"p{n}",
        customer_id=f"u{n}",
        email=f"u{n}@example.com",
        amount=amount,
        decline_code=code,
        hard_decline=hard,
        failed_at=NOW - HOUR,
    )


def churned(n: int, ltv: int, age: timedelta = 10 * DAY) -> ChurnedCustomer:
    return ChurnedCustomer(f"u{n}", f"u{n}@example.com", ltv, NOW - age)


def product(
    pid: str,
    *,
    price: int = 2000,
    cost: int = 1000,
    views: int = 1000,
    orders: int = 30,
    units: int | None = None,
    revenue: int | None = None,
    discounts: int = 0,
    refunds: int = 0,
    refunded_units: int = 0,
    name: str | None = None,
) -> ProductStats:
    units = orders if units is None else units
    return ProductStats(
        product_id=pid,
        name=name or f"Product {pid.upper()}",
        price=price,
        unit_cost=cost,
        views=views,
        units=units,
        orders=orders,
        revenue=price * units - discounts if revenue is None else revenue,
        discounts=discounts,
        refunds=refunds,
        refunded_units=refunded_units,
    )


def pair(first: str, second: str, together: int) -> ProductPair:
    return ProductPair(first, second, together)


def buyers(count: int) -> tuple[tuple[str, str], ...]:
    return tuple((f"b{i}", f"b{i}@example.com") for i in range(count))


def issue(kind: IssueKind, *, resolved: bool = False) -> Issue:
    return Issue(
        id=1,
        kind=kind,
        severity=Severity.HIGH,
        dedup_key=kind.value,
        headline=kind.value,
        metric=1.0,
        threshold=1.0,
        evidence=(),
        opened_at=NOW - DAY,
        updated_at=NOW,
        resolved_at=NOW if resolved else None,
    )


def assert_well_formed(candidate: Candidate) -> None:
    """Invariants every candidate keeps: int money, sorted params, targets present."""
    assert candidate.targets
    assert len({t.key for t in candidate.targets}) == len(candidate.targets)
    assert list(candidate.params) == sorted(candidate.params)
    for target in candidate.targets:
        assert type(target.value) is int
    if candidate.expected_value is not None:
        assert type(candidate.expected_value.amount) is int
        assert candidate.expected_value.currency == "USD"
    for f in fields(candidate.content):
        assert getattr(candidate.content, f.name).strip()
