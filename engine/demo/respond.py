"""Responses to deliveries, written as real rows when the simulated clock reaches them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from engine.clock import as_utc
from engine.demo import tables
from engine.demo.book import Subscription, SubscriptionBook
from engine.demo.buffer import Ids, Rows, epoch_seconds, stamp
from engine.demo.deliver import delivery_rng
from engine.demo.orders import OrderDraft, Placed, charge_invoices, place_orders
from engine.demo.rates import hour_rates
from engine.demo.subscribers import subscription_row
from engine.demo.world import Context, Draws, World

_DELIVERY_COLUMNS = (
    "id",
    "action_id",
    "target_key",
    "kind",
    "ref_id",
    "customer_id",
    "discount_pct",
    "product_ids",
    "responds",
    "react_at",
)


@dataclass(frozen=True, slots=True)
class Due:
    """A delivery whose response time has come."""

    id: int
    action_id: str
    target_key: str
    kind: str
    ref_id: int
    customer_id: int | None
    discount_pct: int
    product_ids: tuple[int, ...]
    responds: bool
    react_at: datetime


def pending(connection: sa.Connection, before: datetime) -> list[Due]:
    """Deliveries with a response due before `before` not yet written, in response order."""
    table = tables.deliveries
    rows = connection.execute(
        sa.select(*(table.c[name] for name in _DELIVERY_COLUMNS))
        .where(table.c.react_at < before, table.c.reacted_at.is_(None))
        .order_by(table.c.react_at, table.c.id)
    )
    return [
        Due(
            id=row.id,
            action_id=row.action_id,
            target_key=row.target_key,
            kind=row.kind,
            ref_id=row.ref_id,
            customer_id=row.customer_id,
            discount_pct=row.discount_pct,
            product_ids=tuple(int(p) for p in row.product_ids.split(",") if p),
            responds=row.responds,
            react_at=as_utc(row.react_at),
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class Responder:
    """Writes responses with the simulation's ids, row buffer and subscription book."""

    connection: sa.Connection
    world: World
    ids: Ids
    rows: Rows
    book: SubscriptionBook

    def respond(self, due: Due, hour: int) -> None:
        """Write what the delivery's recipient does, no earlier than `hour`, and mark it done."""
        at = max(epoch_seconds(due.react_at), hour * 3600)
        # A stream apart from the one that drew the response at delivery.
        rng = delivery_rng(self.world.seed, due.action_id, due.target_key).spawn(1)[0]
        rates = hour_rates(self.world.truth.base, self.world.incident, stamp(at), self.world.zone)
        ctx = Context(self.world, rates, Draws(rng, None), self.ids, self.rows)
        handlers = {
            "cart_recovery_email": self._cart,
            "payment_retry": self._retry,
            "winback_email": self._winback,
            "referral_incentive": self._referral,
        }
        handler = handlers.get(due.kind, self._campaign)
        result = handler(ctx, due, at)  # only deliveries with a response time come here
        self.rows.flush(self.connection)
        table = tables.deliveries
        self.connection.execute(
            table.update().where(table.c.id == due.id).values(reacted_at=stamp(at), result=result)
        )

    def _cart(self, ctx: Context, due: Due, at: int) -> str:
        carts, orders = tables.carts, tables.orders
        cart = self.connection.execute(
            sa.select(carts.c.customer_id, carts.c["items"].label("contents")).where(
                carts.c.id == due.ref_id
            )
        ).one()
        placed = self.connection.execute(
            sa.select(orders.c.id, orders.c.placed_at).where(orders.c.cart_id == due.ref_id)
        ).all()
        if any(epoch_seconds(as_utc(row.placed_at)) <= at for row in placed):
            return "bought_already"
        # The customer was going to come back later anyway; the e-mail brought them sooner.
        _delete_orders(self.connection, [row.id for row in placed])
        items = tuple((int(p), int(q)) for p, q in cart.contents)
        draft = OrderDraft(cart.customer_id, due.ref_id, at, items, due.discount_pct, due.action_id)
        return _paid(place_orders(ctx, [draft]))

    def _retry(self, ctx: Context, due: Due, at: int) -> str:
        pays = tables.payments
        failed = self.connection.execute(sa.select(pays).where(pays.c.id == due.ref_id)).one()
        if failed.recovered_by_payment_id is not None:
            return "recovered_already"
        retry = dict(failed._mapping)
        retry.update(id=ctx.ids.one(pays), attempted_at=stamp(at), action_id=due.action_id)
        retry.update(status="succeeded" if due.responds else "failed", recovered_by_payment_id=None)
        if due.responds:
            retry.update(decline_code=None, hard_decline=False)
        ctx.rows.add(pays, [retry])
        ctx.rows.flush(self.connection)
        if not due.responds:
            return "declined"
        self.connection.execute(
            pays.update().where(pays.c.id == due.ref_id).values(recovered_by_payment_id=retry["id"])
        )
        if failed.order_id is not None:
            orders = tables.orders
            self.connection.execute(
                orders.update().where(orders.c.id == failed.order_id).values(status="paid")
            )
        return "recovered"

    def _winback(self, ctx: Context, due: Due, at: int) -> str:
        if self.book.has_customer(due.ref_id):
            return "subscribed_already"
        subs = tables.subscriptions
        last = self.connection.execute(
            sa.select(subs.c.plan, subs.c.price)
            .where(subs.c.customer_id == due.ref_id)
            .order_by(subs.c.started_at.desc())
            .limit(1)
        ).first()
        plan, price = (last.plan, last.price) if last else self.world.plans[0]
        subscription = Subscription(ctx.ids.one(subs), due.ref_id, plan, price, at // 3600)
        ctx.rows.add(subs, [subscription_row(subscription, at, due.action_id)])
        self.book.add(subscription)
        first_month = price - (price * due.discount_pct + 50) // 100
        charge_invoices(ctx, [(subscription, first_month, at)])
        return "subscribed"

    def _campaign(self, ctx: Context, due: Due, at: int) -> str:
        products = due.product_ids or tuple(self.world.random_products(ctx.rng, 1).tolist())
        known = tuple(p for p in products if 1 <= p <= len(self.world.prices))
        if not known:
            return "unknown_products"
        items = tuple((p, 1) for p in known)
        draft = OrderDraft(due.ref_id, None, at, items, due.discount_pct, due.action_id)
        return _paid(place_orders(ctx, [draft]))

    def _referral(self, ctx: Context, due: Due, at: int) -> str:
        friend = int(ctx.rng.integers(1, self.world.customers + 1))
        products = sorted(set(self.world.random_products(ctx.rng, 2).tolist()))
        items = tuple((p, 1) for p in products)
        draft = OrderDraft(
            friend, None, at, items, due.discount_pct, due.action_id, referred_by=due.ref_id
        )
        return _paid(place_orders(ctx, [draft]))


def _paid(placed: list[Placed]) -> str:
    return "paid" if placed[0].paid else "payment_failed"


def _delete_orders(connection: sa.Connection, order_ids: list[int]) -> None:
    if not order_ids:
        return
    for table in (tables.payments, tables.order_items):
        connection.execute(table.delete().where(table.c.order_id.in_(order_ids)))
    connection.execute(tables.orders.delete().where(tables.orders.c.id.in_(order_ids)))
