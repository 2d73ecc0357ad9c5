import pytest

from engine.drafting.base import (
    NAME_LIMIT,
    clip,
    discount_code,
    draft_problems,
    fill_placeholders,
    placeholders_in,
    with_discount,
)
from engine.model import ActionKind, Content


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Mug", 10, "Mug"),
        ("  Big\n\tmug  ", 10, "Big mug"),
        ("Extraordinary mug", 10, "Extraordi…"),
        ("<b>&amp;</b>", 20, "<b>&amp;</b>"),
    ],
)
def test_clip(text, limit, expected):
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


def test_clip_default_limit():
    assert len(clip("x" * 500)) == NAME_LIMIT


def test_fill_placeholders_fills_known_ones_once():
    text = "Hi {first_name}, {cart_link} {unknown} {unsubscribe_link}"
    values = {"first_name": "{cart_link}", "cart_link": "https://s/c1"}
    filled = fill_placeholders(text, values)
    # a value that looks like a placeholder is not expanded again
    assert filled == "Hi {cart_link}, https://s/c1 {unknown} {unsubscribe_link}"


def test_placeholders_in():
    assert placeholders_in("a {first_name} {x_y} {Not} {}") == {"first_name", "x_y"}


def test_discount_code_is_derived_from_the_targets():
    code = discount_code("BACK", 10, ["c2", "c1"])
    assert code == discount_code("BACK", 10, ["c1", "c2"])
    assert code != discount_code("BACK", 10, ["c1", "c3"])
    assert code.startswith("BACK10-")
    assert len(code) == len("BACK10-") + 6


def test_with_discount_keeps_the_derivation():
    code = discount_code("WELCOME", 20, ["u1"])
    assert with_discount(code, 15) == code.replace("WELCOME20-", "WELCOME15-")
    with pytest.raises(ValueError, match="not a derived discount code"):
        with_discount("free-stuff", 15)


@pytest.mark.parametrize(
    ("kind", "body", "problems"),
    [
        (ActionKind.CART_RECOVERY_EMAIL, "{cart_link} {unsubscribe_link}", []),
        (
            ActionKind.CART_RECOVERY_EMAIL,
            "{cart_link}",
            ["The body must keep the {unsubscribe_link} placeholder"],
        ),
        (
            ActionKind.REFERRAL_INCENTIVE,
            "{shop_link} {unsubscribe_link}",
            ["The body must keep the {referral_link} placeholder"],
        ),
        (ActionKind.PAYMENT_RETRY, "Retry p1", []),
        (
            ActionKind.SOCIAL_POST,
            "Buy at {shop_link}",
            ["{shop_link} would be sent as written: only emails have placeholders"],
        ),
    ],
)
def test_draft_problems(kind, body, problems):
    assert draft_problems(kind, Content("Subject", body)) == problems


def test_draft_problems_spare_tokens_already_there():
    before = Content("S", "Mug {limited} {shop_link} {unsubscribe_link}")
    after = Content("S", "Mug {limited}! {shop_link} {unsubscribe_link}")
    assert draft_problems(ActionKind.EMAIL_CAMPAIGN, after, before) == []
    assert draft_problems(ActionKind.EMAIL_CAMPAIGN, after)[0].startswith(
        "Unknown placeholder {limited}"
    )
