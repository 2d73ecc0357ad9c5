"""The demo shop's own tables (prefix `shop_`): created by the shop, not by engine migrations."""

from __future__ import annotations

import sqlalchemy as sa

METADATA = sa.MetaData()

# INTEGER PRIMARY KEY is SQLite's rowid alias; BIGINT there would add a second index.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
MINOR = sa.BigInteger  # money in integer minor units


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, primary_key=True, autoincrement=False)


products = sa.Table(
    "shop_products",
    METADATA,
    _id(),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("category", sa.String(40), nullable=False),
    sa.Column("price", MINOR, nullable=False),
    sa.Column("unit_cost", MINOR, nullable=False),
)

customers = sa.Table(
    "shop_customers",
    METADATA,
    _id(),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("email", sa.String(120), nullable=False, unique=True),
    sa.Column("created_at", TS, nullable=False),
)

sessions = sa.Table(
    "shop_sessions",
    METADATA,
    _id(),
    sa.Column("started_at", TS, nullable=False),
    sa.Column("customer_id", ID, sa.ForeignKey("shop_customers.id"), nullable=True),
    sa.Column("product_id", ID, sa.ForeignKey("shop_products.id"), nullable=False),
    # product_id makes the index covering for the per-product views query too.
    sa.Index("ix_shop_sessions_started_at", "started_at", "product_id"),
)

carts = sa.Table(
    "shop_carts",
    METADATA,
    _id(),
    sa.Column("session_id", ID, sa.ForeignKey("shop_sessions.id"), nullable=False),
    sa.Column("customer_id", ID, sa.ForeignKey("shop_customers.id"), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("ended_at", TS, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # converted | abandoned
    sa.Column("value", MINOR, nullable=False),
    sa.Column("items", sa.JSON, nullable=False),  # [[product_id, quantity], ...]
    sa.Index("ix_shop_carts_ended_at", "ended_at", "status"),
)

orders = sa.Table(
    "shop_orders",
    METADATA,
    _id(),
    sa.Column("customer_id", ID, sa.ForeignKey("shop_customers.id"), nullable=False),
    sa.Column("cart_id", ID, sa.ForeignKey("shop_carts.id"), nullable=True),
    sa.Column("placed_at", TS, nullable=False),
    sa.Column("subtotal", MINOR, nullable=False),
    sa.Column("discount", MINOR, nullable=False),
    sa.Column("total", MINOR, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # paid | payment_failed
    sa.Column("refunded_at", TS, nullable=True),
    sa.Column("refund_amount", MINOR, nullable=False),
    sa.Column("action_id", sa.String(64), nullable=True),
    # The customer whose referral code brought this order, if any (a referral's conversions).
    sa.Column("referred_by", ID, nullable=True),
    sa.Index("ix_shop_orders_placed_at", "placed_at", "status", "total", "discount"),
    sa.Index("ix_shop_orders_refunded_at", "refunded_at", "refund_amount"),
    sa.Index("ix_shop_orders_cart_id", "cart_id"),
    sa.Index("ix_shop_orders_customer_id", "customer_id"),
    sa.Index("ix_shop_orders_action_id", "action_id"),
    sa.Index("ix_shop_orders_referred_by", "referred_by"),
)

order_items = sa.Table(
    "shop_order_items",
    METADATA,
    sa.Column("order_id", ID, sa.ForeignKey("shop_orders.id"), primary_key=True),
    sa.Column("product_id", ID, sa.ForeignKey("shop_products.id"), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", MINOR, nullable=False),
    sa.Column("discount", MINOR, nullable=False),
    sa.Column("refunded_units", sa.Integer, nullable=False),
    sa.Column("refund_amount", MINOR, nullable=False),
)

subscriptions = sa.Table(
    "shop_subscriptions",
    METADATA,
    _id(),
    sa.Column("customer_id", ID, sa.ForeignKey("shop_customers.id"), nullable=False),
    sa.Column("plan", sa.String(40), nullable=False),
    sa.Column("price", MINOR, nullable=False),
    sa.Column("started_at", TS, nullable=False),
    sa.Column("cancelled_at", TS, nullable=True),
    sa.Column("action_id", sa.String(64), nullable=True),
    sa.Index("ix_shop_subscriptions_started_at", "started_at"),
    sa.Index("ix_shop_subscriptions_cancelled_at", "cancelled_at"),
    sa.Index("ix_shop_subscriptions_customer_id", "customer_id"),
)

payments = sa.Table(
    "shop_payments",
    METADATA,
    _id(),
    sa.Column("attempted_at", TS, nullable=False),
    sa.Column("customer_id", ID, sa.ForeignKey("shop_customers.id"), nullable=False),
    sa.Column("order_id", ID, sa.ForeignKey("shop_orders.id"), nullable=True),
    sa.Column("subscription_id", ID, sa.ForeignKey("shop_subscriptions.id"), nullable=True),
    sa.Column("amount", MINOR, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # succeeded | failed
    sa.Column("decline_code", sa.String(32), nullable=True),
    sa.Column("hard_decline", sa.Boolean, nullable=False),
    # No foreign key: a failed attempt points at a later attempt in the same insert batch.
    sa.Column("recovered_by_payment_id", ID, nullable=True),
    sa.Column("action_id", sa.String(64), nullable=True),
    sa.Index("ix_shop_payments_attempted_at", "attempted_at", "status"),
    sa.Index("ix_shop_payments_customer_id", "customer_id"),
    sa.Index("ix_shop_payments_order_id", "order_id"),
)

errors = sa.Table(
    "shop_errors",
    METADATA,
    _id(),
    sa.Column("at", TS, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("message", sa.String(200), nullable=False),
    sa.Index("ix_shop_errors_at", "at"),
)

state = sa.Table(
    "shop_state",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("scenario", sa.String(32), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("history_start", TS, nullable=False),
    sa.Column("clock", TS, nullable=False),  # everything before it has been simulated
    sa.Column("incident_kind", sa.String(32), nullable=True),
    sa.Column("incident_onset", TS, nullable=True),
    sa.Column("incident_until", TS, nullable=True),
    sa.Column("incident_magnitude", sa.Float, nullable=True),
    sa.Column("truth", sa.JSON, nullable=False),  # hidden per-seed rates; never shown
)

deliveries = sa.Table(
    "shop_deliveries",
    METADATA,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("action_id", sa.String(64), nullable=False),
    sa.Column("target_key", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("variant", sa.String(32), nullable=False),
    sa.Column("ref_id", ID, nullable=True),  # cart, payment or customer id
    sa.Column("customer_id", ID, nullable=True),
    sa.Column("discount_pct", sa.Integer, nullable=False),
    sa.Column("product_ids", sa.String(200), nullable=False),  # offered products, comma-separated
    sa.Column("delivered_at", TS, nullable=False),
    # Drawn at delivery from the hidden truth: whether and when the recipient responds (for a
    # retry: whether the charge goes through). NULL react_at: nothing will ever happen.
    sa.Column("responds", sa.Boolean, nullable=False),
    sa.Column("react_at", TS, nullable=True),
    sa.Column("reacted_at", TS, nullable=True),
    sa.Column("result", sa.String(32), nullable=True),  # what the response became
    sa.UniqueConstraint("action_id", "target_key", name="uq_shop_deliveries_action_target"),
    sa.Index("ix_shop_deliveries_react_at", "react_at"),
    sa.Index("ix_shop_deliveries_kind_ref", "kind", "ref_id"),
)

HISTORY_TABLES = (sessions, carts, orders, order_items, payments, subscriptions, errors)


def recreate(connection: sa.Connection) -> None:
    """Drop and create every shop table: a fresh, empty shop."""
    METADATA.drop_all(connection)
    METADATA.create_all(connection)


def ensure(connection: sa.Connection) -> None:
    """Create the shop tables that do not exist yet."""
    METADATA.create_all(connection, checkfirst=True)


def upgrade(connection: sa.Connection) -> bool:
    """Add the columns a shop seeded by an earlier version lacks; True if one was added."""
    inspector = sa.inspect(connection)
    if not inspector.has_table(orders.name):
        return False
    if "referred_by" in {column["name"] for column in inspector.get_columns(orders.name)}:
        return False
    column = orders.c.referred_by
    type_ = column.type.compile(dialect=connection.dialect)
    connection.execute(sa.text(f"ALTER TABLE {orders.name} ADD COLUMN {column.name} {type_}"))
    for index in orders.indexes:
        if index.name == "ix_shop_orders_referred_by":
            index.create(connection)
    return True
