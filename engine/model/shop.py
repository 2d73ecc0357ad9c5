"""Shop data that recover, optimize and generate read: targets and product economics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AbandonedCart:
    """A cart left without checkout, with who to remind."""

    cart_id: str
    customer_id: str
    email: str
    value: int  # minor units
    abandoned_at: datetime
    product_names: tuple[str, ...] = ()
    name: str | None = field(default=None, repr=False)  # the customer's display name


@dataclass(frozen=True, slots=True)
class FailedPayment:
    """A payment that failed and has not been recovered."""

    payment_id: str
    customer_id: str
    email: str
    amount: int  # minor units
    decline_code: str
    hard_decline: bool
    failed_at: datetime


@dataclass(frozen=True, slots=True)
class ChurnedCustomer:
    """A customer whose subscription ended recently."""

    customer_id: str
    email: str
    lifetime_value: int  # minor units
    cancelled_at: datetime
    name: str | None = field(default=None, repr=False)  # the customer's display name


@dataclass(frozen=True, slots=True)
class ProductStats:
    """One product's recent sales economics, for `engine.optimize`."""

    product_id: str
    name: str
    price: int  # minor units, current list price
    unit_cost: int  # minor units
    views: int  # sessions that viewed (or carted) the product
    units: int  # units sold
    orders: int  # orders containing it
    revenue: int  # minor units, after discounts
    discounts: int  # minor units
    refunds: int  # minor units
    refunded_units: int


@dataclass(frozen=True, slots=True)
class ProductPair:
    """Two products bought together in the same order."""

    first_id: str
    second_id: str
    orders_together: int


@dataclass(frozen=True, slots=True)
class ShopData:
    """Everything recover/optimize/generate read, gathered by the shell in one go."""

    currency: str
    abandoned_carts: tuple[AbandonedCart, ...]
    failed_payments: tuple[FailedPayment, ...]
    churned_customers: tuple[ChurnedCustomer, ...]
    products: tuple[ProductStats, ...]
    pairs: tuple[ProductPair, ...]
    recent_buyers: tuple[tuple[str, str], ...] = ()  # (customer_id, email) who bought lately
    error_samples: tuple[tuple[str, int], ...] = ()  # (error message, count) in the window
    days: int = 30  # the period `products`, `pairs` and `recent_buyers` cover
    buyer_names: tuple[tuple[str, str], ...] = ()  # (customer_id, display name) of buyers
