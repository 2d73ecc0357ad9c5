"""Each scenario trips its rule at the first report and for a day after; `normal` stays quiet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from engine.demo import DemoShop
from engine.sources.demo import DemoSource
from tests.engine.demo.conftest import END
from tests.engine.demo.helpers import CRITICAL, SCENARIO_RULE, fired

HOUR = timedelta(hours=1)
SEEDS = (1, 2, 3)
# The rule's own metric, to show that magnitudes differ between seeds.
METRIC = {
    "revenue_drop": "revenue_drop",
    "payment_failures": "payment_success",
    "cart_abandonment": "abandonment",
    "churn_spike": "churn",
    "error_spike": "errors",
}


@pytest.mark.parametrize("scenario", sorted(SCENARIO_RULE))
def test_scenario_trips_its_rule_from_the_first_report_for_a_day(
    scenario: str, new_shop: Callable[..., DemoShop]
) -> None:
    magnitudes, measured = set(), set()
    for seed in SEEDS:
        shop = new_shop("America/Los_Angeles")
        end = END + seed * 7 * HOUR  # reports at different times of day
        state = shop.start(scenario=scenario, seed=seed, end=end, days=2)
        assert state.incident is not None
        assert state.incident.onset < end < state.incident.until
        source = DemoSource(shop)
        rules, metrics = fired(source, end)
        assert rules == {SCENARIO_RULE[scenario]}, (seed, metrics)
        magnitudes.add(round(state.incident.magnitude, 4))
        measured.add(round(metrics[METRIC[scenario]], 2))
        source.sync(end + 24 * HOUR)
        for hours in range(1, 25):
            rules, metrics = fired(source, end + hours * HOUR)
            assert SCENARIO_RULE[scenario] in rules, (seed, hours, metrics)
            assert not (rules & CRITICAL) - {SCENARIO_RULE[scenario]}, (seed, hours, metrics)
    assert len(magnitudes) == len(SEEDS)
    assert len(measured) == len(SEEDS)


@pytest.mark.parametrize("seed", SEEDS)
def test_normal_trips_nothing_over_three_days_of_hourly_reports(
    seed: int, new_shop: Callable[..., DemoShop]
) -> None:
    shop = new_shop("Europe/Berlin")
    shop.start(scenario="normal", seed=seed, end=END, days=2)
    source = DemoSource(shop)
    for hours in range(72):
        now = END + hours * HOUR
        source.sync(now)
        rules, metrics = fired(source, now)
        assert not rules, (hours, metrics)


def test_incidents_are_drawn_from_the_seed(new_shop: Callable[..., DemoShop]) -> None:
    first = new_shop().start(scenario="error_spike", seed=4, end=END, days=0)
    again = new_shop().start(scenario="error_spike", seed=4, end=END, days=0)
    other = new_shop().start(scenario="error_spike", seed=5, end=END, days=0)
    assert first.incident == again.incident
    assert first.incident != other.incident
    assert new_shop().start(scenario="normal", seed=4, end=END, days=0).incident is None
