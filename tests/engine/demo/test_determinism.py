"""Same seed, same rows; simulating in pieces gives what simulating in one go gives."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.demo import DemoNotStartedError, DemoShop
from engine.demo.truth import draw_truth
from tests.engine.demo.conftest import END
from tests.engine.demo.helpers import dump

HOUR = timedelta(hours=1)


def test_same_seed_and_span_give_identical_rows(new_shop: Callable[..., DemoShop]) -> None:
    first, second = new_shop("Europe/Berlin"), new_shop("Europe/Berlin")
    for shop in (first, second):
        shop.start(scenario="payment_failures", seed=42, end=END, days=2)
    assert dump(first.engine) == dump(second.engine)
    assert first.state() == second.state()


def test_different_seeds_give_different_rows(new_shop: Callable[..., DemoShop]) -> None:
    first, second = new_shop(), new_shop()
    first.start(scenario="normal", seed=1, end=END, days=1)
    second.start(scenario="normal", seed=2, end=END, days=1)
    assert dump(first.engine)["shop_orders"] != dump(second.engine)["shop_orders"]


def test_history_in_pieces_equals_history_in_one_go(new_shop: Callable[..., DemoShop]) -> None:
    whole, pieces = new_shop("Asia/Tokyo"), new_shop("Asia/Tokyo")
    whole.start(scenario="normal", seed=5, end=END, days=3)
    # Same first hour of history: a day less of seeding, then the rest in uneven steps, each
    # by a new shop object so that nothing is carried over in memory.
    pieces.start(scenario="normal", seed=5, end=END - timedelta(days=1), days=2)
    for step in (END - 23 * HOUR + timedelta(minutes=10), END - 3 * HOUR, END):
        DemoShop(pieces.engine, timezone=ZoneInfo("UTC")).advance(step)
    assert dump(whole.engine) == dump(pieces.engine)


def test_advancing_hourly_equals_one_advance(new_shop: Callable[..., DemoShop]) -> None:
    hourly, at_once = new_shop(), new_shop()
    for shop in (hourly, at_once):
        shop.start(scenario="cart_abandonment", seed=9, end=END, days=1)
    for hours in range(1, 25):
        hourly.advance(END + hours * HOUR)
    at_once.advance(END + 24 * HOUR)
    assert dump(hourly.engine) == dump(at_once.engine)


def test_clock_covers_whole_hours_and_never_goes_back(new_shop: Callable[..., DemoShop]) -> None:
    shop = new_shop()
    state = shop.start(scenario="normal", seed=3, end=END, days=1)
    assert state.clock == datetime(2026, 3, 4, 18, tzinfo=UTC)
    assert state.history_start == datetime(2026, 3, 3, 17, tzinfo=UTC)
    before = dump(shop.engine)
    shop.advance(END - timedelta(hours=5))
    shop.advance(state.clock)
    assert dump(shop.engine) == before
    assert shop.state() == state


def test_progress_is_reported_per_day(new_shop: Callable[..., DemoShop]) -> None:
    calls: list[tuple[int, int]] = []
    new_shop().start(
        scenario="normal", seed=3, end=END, days=3, progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]  # 73 whole hours: three days and an hour


def test_advance_before_start_is_refused(new_shop: Callable[..., DemoShop]) -> None:
    shop = new_shop()
    assert shop.state() is None
    with pytest.raises(DemoNotStartedError):
        shop.advance(END)


def test_start_refuses_unknown_scenarios_and_naive_times(new_shop: Callable[..., DemoShop]) -> None:
    shop = new_shop()
    with pytest.raises(ValueError, match="scenario"):
        shop.start(scenario="meteor_strike", seed=1, end=END)
    with pytest.raises(ValueError, match="naive"):
        shop.start(scenario="normal", seed=1, end=END.replace(tzinfo=None))


def test_two_shop_objects_on_one_database_take_turns(new_shop: Callable[..., DemoShop]) -> None:
    alone, shared = new_shop(), new_shop()
    for shop in (alone, shared):
        shop.start(scenario="churn_spike", seed=6, end=END, days=1)
    other = DemoShop(shared.engine, timezone=ZoneInfo("UTC"))
    for hours, shop in ((3, shared), (7, other), (12, shared), (20, other)):
        shop.advance(END + hours * HOUR)
    alone.advance(END + 20 * HOUR)
    assert dump(alone.engine) == dump(shared.engine)


def test_ensure_starts_once_then_advances(new_shop: Callable[..., DemoShop]) -> None:
    shop = new_shop()
    first = shop.ensure(scenario="error_spike", seed=2, now=END, days=1)
    later = shop.ensure(scenario="normal", seed=99, now=END + 5 * HOUR, days=1)
    assert (later.scenario, later.seed) == ("error_spike", 2)  # the running shop is kept
    assert later.history_start == first.history_start
    assert later.clock == first.clock + 5 * HOUR


def test_hidden_truth_round_trips_through_the_state_row(new_shop: Callable[..., DemoShop]) -> None:
    shop = new_shop()
    shop.start(scenario="normal", seed=13, end=END, days=0)
    assert shop.hidden_truth() == draw_truth(13)


def test_concurrent_advances_simulate_each_hour_once(tmp_path: Path) -> None:
    engines = [sa.create_engine(f"sqlite:///{tmp_path / name}.db") for name in ("race", "calm")]
    try:
        race, calm = (DemoShop(engine, timezone=ZoneInfo("UTC")) for engine in engines)
        for shop in (race, calm):
            shop.start(scenario="normal", seed=8, end=END, days=0)
        rivals = [DemoShop(race.engine, timezone=ZoneInfo("UTC")) for _ in range(2)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            for done in [pool.submit(rival.advance, END + 50 * HOUR) for rival in rivals]:
                done.result()
        calm.advance(END + 50 * HOUR)
        assert dump(race.engine) == dump(calm.engine)
    finally:
        for engine in engines:
            engine.dispose()
