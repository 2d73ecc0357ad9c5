"""What the demo shop sells and to whom: products, plans, decline codes, error messages, people."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.money import exponent


@dataclass(frozen=True, slots=True)
class Product:
    """A catalogue entry; prices in major units of USD, scaled to the shop's currency."""

    id: int
    name: str
    category: str
    price: float
    unit_cost: float
    popularity: float
    partner: int | None  # the product most often bought with it


PRODUCTS = (
    Product(1, "Espresso Blend 500 g", "coffee", 28.0, 11.5, 10.0, 12),
    Product(2, "Colombia Huila 250 g", "coffee", 19.0, 7.5, 8.0, 14),
    Product(3, "Ethiopia Yirgacheffe 250 g", "coffee", 21.0, 8.5, 8.0, 10),
    Product(4, "Decaf Swiss Water 250 g", "coffee", 18.0, 7.5, 3.0, None),
    Product(5, "Kenya AA 250 g", "coffee", 22.0, 9.0, 5.0, 3),
    Product(6, "House Blend 1 kg", "coffee", 42.0, 17.0, 6.0, 11),
    Product(7, "Pour-Over Dripper", "brewing", 29.0, 9.5, 5.0, 8),
    Product(8, "Paper Filters (100)", "brewing", 11.0, 2.5, 7.0, 7),
    Product(9, "Gooseneck Kettle", "brewing", 49.0, 22.0, 2.5, 7),
    Product(10, "Burr Grinder", "brewing", 59.0, 27.0, 1.5, 3),
    Product(11, "French Press 1 L", "brewing", 36.0, 14.0, 3.0, 6),
    Product(12, "Espresso Cups (set of 4)", "accessories", 26.0, 9.0, 2.5, 1),
    Product(13, "Milk Frother", "accessories", 34.0, 13.0, 2.0, 1),
    Product(14, "Cold Brew Kit", "brewing", 32.0, 12.0, 3.0, 2),
    Product(15, "Digital Scale", "accessories", 36.0, 14.0, 2.0, 7),
    Product(16, "Travel Mug", "accessories", 26.0, 8.5, 4.0, None),
    Product(17, "Descaling Tablets", "accessories", 14.0, 3.5, 3.0, 13),
)

# (name, monthly price in USD major units, share of new subscribers)
PLANS = (("Coffee Club", 19.0, 0.6), ("Coffee Club Plus", 34.0, 0.3), ("Roaster Pro", 59.0, 0.1))

# Decline codes with their share among ordinary declines. Card-network "soft" declines may
# succeed on a retry; "hard" ones (the card is gone or wrong) almost never do.
SOFT_DECLINES = (
    ("insufficient_funds", 0.40),
    ("do_not_honor", 0.22),
    ("generic_decline", 0.12),
    ("processing_error", 0.07),
    ("try_again_later", 0.04),
)
HARD_DECLINES = (
    ("expired_card", 0.07),
    ("incorrect_number", 0.03),
    ("lost_card", 0.02),
    ("stolen_card", 0.02),
    ("pickup_card", 0.01),
)
HARD_CODES = frozenset(code for code, _ in HARD_DECLINES)
# During a processor incident the declines are the processor's, all soft.
OUTAGE_DECLINES = (
    ("processing_error", 0.55),
    ("try_again_later", 0.2),
    ("do_not_honor", 0.15),
    ("generic_decline", 0.1),
)

ERRORS = (
    ("timeout", "TimeoutError: shipping-rates API did not answer within 5 s", 0.35),
    ("http_500", "500 Internal Server Error: GET /products/{id}/reviews", 0.2),
    ("validation", "ValueError: invalid postcode in checkout address", 0.25),
    ("frontend", "TypeError: cannot read properties of undefined (reading 'variant')", 0.2),
)
SPIKE_ERROR = ("http_500", "500 Internal Server Error: POST /cart/items (inventory service down)")

_FIRST = (
    "Ada", "Alan", "Amara", "Ben", "Carla", "Chen", "Dario", "Elena", "Emeka", "Farah", "Grace",
    "Hana", "Ivan", "Jonas", "Kaia", "Leo", "Lina", "Marco", "Maya", "Nadia", "Noah", "Omar",
    "Priya", "Quinn", "Rosa", "Sami", "Sofia", "Tariq", "Uma", "Vera", "Wei", "Yara", "Zoe",
)  # fmt: skip
_LAST = (
    "Abbott", "Baker", "Costa", "Diaz", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
    "Kowalski", "Lambert", "Moreau", "Nakamura", "Okafor", "Patel", "Quist", "Rossi", "Silva",
    "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Young", "Zielinski",
)  # fmt: skip
_DOMAINS = ("example.com", "example.org", "example.net")

# Rough units of each currency per US dollar, so a coffee does not cost 45 yen.
_PER_USD = {"JPY": 150.0, "KRW": 1350.0, "INR": 83.0, "ISK": 138.0, "CLP": 900.0, "VND": 24500.0}


def minor_units(usd: float, currency: str) -> int:
    """A USD major-unit catalogue amount in the shop currency's integer minor units."""
    scale: int = 10 ** exponent(currency)
    return round(usd * _PER_USD.get(currency, 1.0) * scale)


def people(count: int, rng: np.random.Generator) -> list[tuple[int, str, str]]:
    """`count` customers as (id, name, email); addresses only at reserved example domains."""
    firsts = rng.integers(0, len(_FIRST), count).tolist()
    lasts = rng.integers(0, len(_LAST), count).tolist()
    result = []
    for index, (first_i, last_i) in enumerate(zip(firsts, lasts, strict=True), start=1):
        first, last = _FIRST[first_i], _LAST[last_i]
        email = f"{first}.{last}.{index}@{_DOMAINS[index % len(_DOMAINS)]}".lower()
        result.append((index, f"{first} {last}", email))
    return result


def popularity() -> np.ndarray:
    """Probability of each product (in `PRODUCTS` order) being the one a visitor looks at."""
    weights = np.array([p.popularity for p in PRODUCTS])
    return np.asarray(weights / weights.sum())


def plan_shares() -> np.ndarray:
    """Probability of each plan (in `PLANS` order) for a new subscriber."""
    shares = np.array([share for _, _, share in PLANS])
    return np.asarray(shares / shares.sum())
