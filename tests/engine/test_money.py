from decimal import Decimal

import pytest

from engine.money import Money


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(123456, "USD"), "$1,234.56"),
        (Money(-1200, "EUR"), "-€12.00"),
        (Money(5, "GBP"), "£0.05"),
        (Money(1500, "JPY"), "¥1,500"),
        (Money(420000, "INR"), "₹4,200.00"),
        (Money(1234, "CHF"), "12.34 CHF"),
        (Money(1234, "KWD"), "1.234 KWD"),
    ],
)
def test_format(money: Money, text: str) -> None:
    assert money.format() == text


def test_arithmetic_keeps_currency() -> None:
    assert Money(100, "USD") + Money(250, "USD") == Money(350, "USD")
    assert Money(100, "USD") - Money(250, "USD") == Money(-150, "USD")


def test_mixing_currencies_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot combine USD with EUR"):
        Money(1, "USD") + Money(1, "EUR")


@pytest.mark.parametrize(
    ("amount", "ratio", "expected"),
    [(1000, 0.1, 100), (1005, 0.1, 100), (1015, 0.1, 102), (999, Decimal("0.5"), 500)],
)
def test_times_rounds_half_even_to_whole_minor_units(
    amount: int, ratio: float, expected: int
) -> None:
    scaled = Money(amount, "USD").times(ratio)
    assert scaled == Money(expected, "USD")
    assert isinstance(scaled.amount, int)


@pytest.mark.parametrize("amount", [1.5, True, "10"])
def test_amount_must_be_int(amount: object) -> None:
    with pytest.raises(TypeError):
        Money(amount, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("currency", ["usd", "US", "DOLLAR", "U$D"])
def test_currency_must_be_iso_code(currency: str) -> None:
    with pytest.raises(ValueError, match="ISO 4217"):
        Money(1, currency)
