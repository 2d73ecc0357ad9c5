"""What every simulated hour needs and that does not change while simulating."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from engine.demo import catalog
from engine.demo.buffer import Ids, Rows
from engine.demo.rates import HourRates
from engine.demo.truth import Incident, Truth

CUSTOMERS = 20_000  # registered customers; visitors and buyers are drawn from them


@dataclass(frozen=True, slots=True)
class World:
    """The seed, its truth and incident, the timezone and the catalogue in minor units."""

    seed: int
    truth: Truth
    incident: Incident | None
    zone: ZoneInfo
    currency: str
    prices: tuple[int, ...]  # by product id - 1
    popularity: np.ndarray  # by product id - 1
    partners: tuple[int, ...]  # partner product id by product id - 1; 0 when none
    coffee: frozenset[int]  # product ids sold by weight (people buy two bags)
    plans: tuple[tuple[str, int], ...]  # (name, monthly price in minor units)
    plan_shares: np.ndarray
    customers: int = CUSTOMERS

    @classmethod
    def build(
        cls, seed: int, truth: Truth, incident: Incident | None, zone: ZoneInfo, currency: str
    ) -> World:
        """The world of a seed in a currency and timezone."""
        products = catalog.PRODUCTS
        return cls(
            seed=seed,
            truth=truth,
            incident=incident,
            zone=zone,
            currency=currency,
            prices=tuple(catalog.minor_units(p.price, currency) for p in products),
            popularity=catalog.popularity(),
            partners=tuple(p.partner or 0 for p in products),
            coffee=frozenset(p.id for p in products if p.category == "coffee"),
            plans=tuple(
                (name, catalog.minor_units(price, currency)) for name, price, _ in catalog.PLANS
            ),
            plan_shares=catalog.plan_shares(),
        )

    def price(self, product_id: int) -> int:
        """A product's list price in minor units."""
        return self.prices[product_id - 1]

    def random_products(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """`count` product ids drawn by popularity."""
        return np.asarray(rng.choice(len(self.prices), count, p=self.popularity) + 1)

    def spread_products(self, draws: Draws, count: int) -> np.ndarray:
        """`count` product ids in proportion to popularity, in random order."""
        return draws.spread(self.popularity, count) + 1


_GOLDEN = (5**0.5 - 1) / 2
_ROOT2 = 2**0.5 - 1


class Draws:
    """The random numbers of one simulated hour (or of one response to a delivery).

    Counts of outcomes ("how many of these 40 carts are bought") are stratified: the count is
    within one of its expected value. In an hour the strata start on a Weyl sequence over the
    hours, so the rounding of consecutive hours cancels out and daily rates stay on target: the
    day-to-day noise of `normal` then stays far below the detector's thresholds.
    """

    def __init__(self, rng: np.random.Generator, hour: int | None) -> None:
        self.rng = rng
        self._hour = hour
        self._stage = 0

    def _offset(self) -> float:
        self._stage += 1
        if self._hour is None:
            return float(self.rng.random())
        return (self._hour * _GOLDEN + self._stage * _ROOT2) % 1.0

    def count(self, expected: float) -> int:
        """A whole count within one of `expected`."""
        return int(np.floor(expected + self._offset()))

    def pick(self, population: int, share: float) -> np.ndarray:
        """A boolean mask choosing about `share` of `population` items."""
        mask = np.zeros(population, dtype=bool)
        chosen = min(population, self.count(population * share))
        mask[self.rng.choice(population, chosen, replace=False)] = True
        return mask

    def pick_within(self, mask: np.ndarray, share: float) -> np.ndarray:
        """About `share` of the items that `mask` selects, as a mask of the same length."""
        chosen = np.zeros(len(mask), dtype=bool)
        members = np.flatnonzero(mask)
        chosen[members[self.pick(len(members), share)]] = True
        return chosen

    def spread(self, probabilities: np.ndarray, count: int) -> np.ndarray:
        """`count` category indexes in proportion to `probabilities`, in random order."""
        positions = (self._offset() + np.arange(count)) / max(count, 1)
        cumulative = np.cumsum(probabilities) / np.sum(probabilities)
        drawn = np.minimum(np.searchsorted(cumulative, positions), len(probabilities) - 1)
        return np.asarray(self.rng.permutation(drawn))


@dataclass(frozen=True, slots=True)
class Context:
    """One simulated hour (or one response): the world, its rates and draws, and the output."""

    world: World
    rates: HourRates
    draws: Draws
    ids: Ids
    rows: Rows

    @property
    def rng(self) -> np.random.Generator:
        """The plain random numbers of the hour."""
        return self.draws.rng
