"""What a lift is measured on: an offer's own products, through the worker and the shop port."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine.demo import DemoShop
from engine.execution_ports import Executor
from engine.executors.demo import DemoShopExecutor
from engine.measure import ATTRIBUTION_WINDOWS, measured_products, offered_products
from engine.model import ActionKind, Target, TargetState
from engine.sources.demo import DemoSource
from engine.store import Database
from engine.worker import Worker, WorkerConfig
from tests.conftest import T0
from tests.engine.executors.support import Clock, Reports, approved, candidate_with

BUNDLE = ActionKind.BUNDLE_OFFER


@pytest.mark.parametrize(
    ("params", "products"),
    [
        ({"first_id": "7", "second_id": "8"}, ("7", "8")),
        ({"product_id": "12"}, ("12",)),
        ({"product_ids": " 3, 4,x,"}, ("3", "4")),
        ({"discount_pct": "10"}, ()),
    ],
)
def test_offered_products_are_the_ids_the_params_name(
    params: dict[str, str], products: tuple[str, ...]
) -> None:
    assert offered_products(params) == products


def test_only_offers_are_measured_on_their_products() -> None:
    params = {"product_id": "12"}
    assert measured_products(ActionKind.EMAIL_CAMPAIGN, params) == ("12",)
    assert measured_products(BUNDLE, {"first_id": "1", "second_id": "2"}) == ("1", "2")
    assert measured_products(ActionKind.WINBACK_EMAIL, params) == ()  # a subscription
    assert measured_products(ActionKind.REFERRAL_INCENTIVE, params) == ()  # friends' orders


@dataclass
class RecordingSource:
    """The demo shop's conversions, keeping what each call asked for (a fake at the port)."""

    shop: DemoShop
    calls: list[tuple[ActionKind, tuple[str, ...]]] = field(default_factory=list)

    def conversions(
        self,
        kind: ActionKind,
        refs: Sequence[str],
        since: datetime,
        until: datetime,
        products: Sequence[str] = (),
    ) -> dict[str, int]:
        """Record the call, answer from the shop."""
        self.calls.append((kind, tuple(products)))
        return self.shop.conversions(kind, refs, since, until, products)


def test_the_worker_measures_a_bundle_offer_on_its_two_products() -> None:
    database = Database("sqlite://")
    database.upgrade()
    try:
        shop = DemoShop(database.engine, timezone=ZoneInfo("UTC"))
        shop.start(scenario="normal", seed=3, end=T0, days=7)
        buyers = DemoSource(shop).shop_data(T0).recent_buyers[:300]
        targets = tuple(Target(f"customer:{c}", c, e) for c, e in buyers)
        params = (("first_id", "7"), ("second_id", "8"))
        approved(database, replace(candidate_with(0, BUNDLE), targets=targets, params=params))
        clock = Clock()
        source = RecordingSource(shop)
        executors: dict[ActionKind, Executor] = {BUNDLE: DemoShopExecutor(shop)}
        worker = Worker(
            database.uow,
            executors,
            Reports(),
            config=WorkerConfig(holdout=0.1, owner="w"),
            clock=clock,
            conversions=source,
        )
        worker.run_once()
        clock.advance(ATTRIBUTION_WINDOWS[BUNDLE])
        shop.advance(clock())
        (measured,) = worker.measure_due()
        assert source.calls == [(BUNDLE, ("7", "8"))]
        with database.uow() as uow:
            states = uow.actions.targets(measured.action_id)
        kept = (TargetState.SENT, TargetState.HELD_OUT)
        refs = [t.customer_id or "" for t, state in states if state in kept]
        assert len(refs) == measured.treated.targets + measured.control.targets
        offered = shop.conversions(BUNDLE, refs, T0, clock(), ("7", "8"))
        everything = shop.conversions(BUNDLE, refs, T0, clock())
        assert measured.treated.value + measured.control.value == sum(offered.values())
        assert sum(offered.values()) < sum(everything.values())  # other products left out
    finally:
        database.dispose()
