"""The shop as it stands when history starts: catalogue, customers and subscribers."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import sqlalchemy as sa

from engine.demo import catalog, tables
from engine.demo.buffer import Row, epoch_seconds, stamp
from engine.demo.world import World

_POPULATION_STREAM = 3
_DAY = 86_400


def populate(connection: sa.Connection, world: World, start: datetime) -> None:
    """Insert products, customers, and subscriptions active or cancelled before `start`."""
    rng = np.random.default_rng([world.seed, _POPULATION_STREAM])
    begin = epoch_seconds(start)
    connection.execute(
        tables.products.insert(),
        [
            {
                "id": p.id,
                "name": p.name,
                "category": p.category,
                "price": world.price(p.id),
                "unit_cost": catalog.minor_units(p.unit_cost, world.currency),
            }
            for p in catalog.PRODUCTS
        ],
    )
    joined = rng.integers(begin - 3 * 365 * _DAY, begin, world.customers).tolist()
    connection.execute(
        tables.customers.insert(),
        [
            {"id": cid, "name": name, "email": email, "created_at": stamp(joined[cid - 1])}
            for cid, name, email in catalog.people(world.customers, rng)
        ],
    )
    connection.execute(tables.subscriptions.insert(), _subscriptions(world, rng, begin))


def _subscriptions(world: World, rng: np.random.Generator, begin: int) -> list[Row]:
    """Active subscribers, plus those who cancelled in the 30 days before history starts.

    The earlier cancellations make the trailing 30-day churn meaningful from the first day.
    """
    base = world.truth.base
    active = base.subscribers
    cancelled = round(active * base.monthly_churn)
    customers = (rng.choice(world.customers, active + cancelled, replace=False) + 1).tolist()
    plans = rng.choice(len(world.plans), active + cancelled, p=world.plan_shares).tolist()
    started = rng.integers(begin - 730 * _DAY, begin - 60 * _DAY, active + cancelled).tolist()
    ended = rng.integers(begin - 30 * _DAY, begin, cancelled).tolist()
    rows = []
    for index, customer in enumerate(customers):
        name, price = world.plans[plans[index]]
        rows.append(
            {
                "id": index + 1,
                "customer_id": customer,
                "plan": name,
                "price": price,
                "started_at": stamp(started[index]),
                "cancelled_at": stamp(ended[index - active]) if index >= active else None,
                "action_id": None,
            }
        )
    return rows
