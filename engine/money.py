"""Money as integer minor units with an ISO 4217 currency code; never floats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

# Currencies whose minor unit is not 1/100 (ISO 4217 exponents).
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3}
_CODE_LENGTH = 3
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}


def exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit."""
    return _EXPONENTS.get(currency, 2)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units (cents, pence, yen) of one currency."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        """Reject floats and malformed currency codes at construction."""
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError(f"Money amount must be int minor units, got {self.amount!r}")
        if (
            len(self.currency) != _CODE_LENGTH
            or not self.currency.isalpha()
            or not self.currency.isupper()
        ):
            raise ValueError(f"currency must be an ISO 4217 code, got {self.currency!r}")

    def __add__(self, other: Money) -> Money:
        """Add two amounts of the same currency."""
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        """Subtract two amounts of the same currency."""
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def times(self, ratio: float | Decimal) -> Money:
        """Scale by a ratio, rounding half to even to whole minor units."""
        scaled = (Decimal(self.amount) * Decimal(str(ratio))).quantize(
            Decimal(1), rounding=ROUND_HALF_EVEN
        )
        return Money(int(scaled), self.currency)

    def format(self) -> str:
        """Render for people, e.g. '$1,234.56' or '-€12.00'."""
        places = exponent(self.currency)
        major = Decimal(abs(self.amount)).scaleb(-places)
        number = f"{major:,.{places}f}"
        symbol = _SYMBOLS.get(self.currency)
        sign = "-" if self.amount < 0 else ""
        return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {self.currency}"

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in the given currency."""
        return cls(0, currency)
