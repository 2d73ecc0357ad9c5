from dataclasses import replace

import pytest

from engine.actions import (
    MAX_TARGETS,
    Capabilities,
    EditBounds,
    EditError,
    apply_edit,
    capabilities_for,
    capped,
    capped_note,
    content_hash,
    is_money_touching,
    plural,
)
from engine.drafting.templates import TemplateDrafter
from engine.model import ActionKind, Candidate, Content, IssueKind, Target
from engine.money import Money
from engine.recover import recover
from tests.engine.shop_builders import ALL_CAPS, NOW, cart, issue, shop

DASH = "\u2013"  # the messages use an en dash, as in "1 to 150" typeset
EMAILS = {
    ActionKind.CART_RECOVERY_EMAIL,
    ActionKind.WINBACK_EMAIL,
    ActionKind.EMAIL_CAMPAIGN,
    ActionKind.BUNDLE_OFFER,
    ActionKind.REFERRAL_INCENTIVE,
}
ADVICE = {ActionKind.ERROR_INVESTIGATION, ActionKind.LEAKAGE_REVIEW}


@pytest.mark.parametrize(
    ("flags", "runnable"),
    [
        ({}, set()),
        ({"email": True}, EMAILS),
        ({"payments": True}, {ActionKind.PAYMENT_RETRY}),
        ({"slack": True}, {ActionKind.SOCIAL_POST}),
        ({"webhook": True}, {ActionKind.PRICE_TEST, ActionKind.SOCIAL_POST} | ADVICE),
        (
            {"email": True, "payments": True, "webhook": True, "slack": True},
            set(ActionKind),
        ),
    ],
)
def test_capabilities_for(flags, runnable):
    options = {"email": False, "payments": False, "webhook": False, "slack": False} | flags
    caps = capabilities_for(**options)
    assert caps.runnable == frozenset(runnable)
    for kind in ActionKind:
        assert caps.can_run(kind) == (kind in runnable)


@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        (ActionKind.PAYMENT_RETRY, (), True),
        (ActionKind.PRICE_TEST, (("change_pct", "5"),), True),
        (ActionKind.CART_RECOVERY_EMAIL, (), False),
        (ActionKind.CART_RECOVERY_EMAIL, (("discount_pct", "10"),), True),
        (ActionKind.REFERRAL_INCENTIVE, (("discount_pct", "10"),), True),
        (ActionKind.WINBACK_EMAIL, (("discount_pct", "0"),), False),
        (ActionKind.SOCIAL_POST, (("product_id", "a"),), False),
    ],
)
def test_money_touching(kind, params, expected):
    assert is_money_touching(kind, params) is expected


def test_capped_keeps_the_most_valuable_and_counts_all():
    items = list(range(MAX_TARGETS + 20))
    chosen, total = capped(items, lambda n: n)
    assert total == MAX_TARGETS + 20
    assert len(chosen) == MAX_TARGETS
    assert min(chosen) == 20
    assert capped_note(len(chosen), total) == f" (largest 500 of {total}; 500 at most)"
    assert capped_note(3, 3) == ""


def test_plural():
    assert plural(1, "customer") == "1 customer"
    assert plural(1234, "customer") == "1,234 customers"
    assert plural(2, "entry", "entries") == "2 entries"


# --- content hash --------------------------------------------------------------------------


def _discount_candidate() -> Candidate:
    data = shop(abandoned_carts=(cart(1, 5000), cart(2, 3000)))
    found = recover([issue(IssueKind.ABANDONED_CARTS)], data, ALL_CAPS, TemplateDrafter(), NOW)
    return next(c for c in found if c.variant == "discount_10")


def _plain_candidate() -> Candidate:
    data = shop(abandoned_carts=(cart(1, 5000), cart(2, 3000)))
    found = recover([issue(IssueKind.ABANDONED_CARTS)], data, ALL_CAPS, TemplateDrafter(), NOW)
    return next(c for c in found if c.variant == "no_discount")


def _retarget(candidate: Candidate, **changes: object) -> Candidate:
    first = replace(candidate.targets[0], **changes)
    return replace(candidate, targets=(first, *candidate.targets[1:]))


VISIBLE_CHANGES = {
    "kind": lambda c: replace(c, kind=ActionKind.WINBACK_EMAIL),
    "variant": lambda c: replace(c, variant="discount_15"),
    "title": lambda c: replace(c, title=c.title + "!"),
    "subject": lambda c: replace(c, content=Content(c.content.subject + "!", c.content.body)),
    "body": lambda c: replace(c, content=Content(c.content.subject, c.content.body + " ")),
    "params": lambda c: replace(c, params=(("discount_code", "X"), ("discount_pct", "10"))),
    "target key": lambda c: _retarget(c, key="cart:zz"),
    "target email": lambda c: _retarget(c, email="someone@else.com"),
    "target customer": lambda c: _retarget(c, customer_id="u99"),
    "target value": lambda c: _retarget(c, value=c.targets[0].value + 1),
    "target ref": lambda c: _retarget(c, ref="c99"),
    "target dropped": lambda c: replace(c, targets=c.targets[1:]),
}


@pytest.mark.parametrize("change", sorted(VISIBLE_CHANGES))
def test_content_hash_changes_with_every_visible_change(change):
    candidate = _discount_candidate()
    assert content_hash(VISIBLE_CHANGES[change](candidate)) != content_hash(candidate)


INVISIBLE_CHANGES = {
    "target order": lambda c: replace(c, targets=tuple(reversed(c.targets))),
    "param order": lambda c: replace(c, params=tuple(reversed(c.params))),
    "expected value": lambda c: replace(c, expected_value=Money(1, "USD")),
    "runnable": lambda c: replace(c, runnable=not c.runnable),
}


@pytest.mark.parametrize("change", sorted(INVISIBLE_CHANGES))
def test_content_hash_ignores_what_neither_shows_nor_runs(change):
    candidate = _discount_candidate()
    assert content_hash(INVISIBLE_CHANGES[change](candidate)) == content_hash(candidate)


def test_content_hash_is_sha256_hex():
    digest = content_hash(_plain_candidate())
    assert len(digest) == 64
    assert int(digest, 16) >= 0


# --- edit ----------------------------------------------------------------------------------


def test_edit_subject_and_body_rehashes():
    candidate = _plain_candidate()
    body = candidate.content.body.replace("We saved it for you", "It is saved")
    edited = apply_edit(candidate, subject="  Still thinking it over?  ", body=body)
    assert edited.content == Content("Still thinking it over?", body)
    assert edited.targets == candidate.targets
    assert content_hash(edited) != content_hash(candidate)


def test_edit_that_changes_nothing_keeps_the_hash():
    candidate = _discount_candidate()
    edited = apply_edit(candidate, subject=candidate.content.subject, body=None)
    assert content_hash(edited) == content_hash(candidate)


@pytest.mark.parametrize(
    ("subject", "body", "message"),
    [
        ("", None, f"Subject must be 1{DASH}150 characters"),
        ("x" * 151, None, f"Subject must be 1{DASH}150 characters"),
        ("Two\nlines", None, "Subject must be one line"),
        (None, "   ", f"Body must be 1{DASH}3000 characters"),
        (
            None,
            "{cart_link} {unsubscribe_link}" + "x" * 3000,
            f"Body must be 1{DASH}3000 characters",
        ),
        (None, "Come back: {unsubscribe_link}", "The body must keep the {cart_link} placeholder"),
        (None, "Come back: {cart_link}", "The body must keep the {unsubscribe_link} placeholder"),
        (None, "Hi {firstname} {cart_link} {unsubscribe_link}", "Unknown placeholder {firstname}"),
    ],
)
def test_edit_bounds(subject, body, message):
    with pytest.raises(EditError, match=message.replace("{", r"\{").replace("}", r"\}")):
        apply_edit(_plain_candidate(), subject=subject, body=body)


def test_edit_bounds_are_configurable():
    bounds = EditBounds(subject_max=10)
    with pytest.raises(EditError, match=f"Subject must be 1{DASH}10 characters"):
        apply_edit(_plain_candidate(), subject="Eleven char", bounds=bounds)


def test_edit_discount_rerenders_title_text_code_and_params():
    candidate = _discount_candidate()
    code = dict(candidate.params)["discount_code"]
    edited = apply_edit(candidate, discount_pct=15)
    params = dict(edited.params)
    assert params["discount_pct"] == "15"
    assert params["discount_code"] == code.replace("BACK10-", "BACK15-")
    assert edited.title.endswith("with 15% off")
    assert "15% off" in edited.content.subject
    assert params["discount_code"] in edited.content.body
    assert "10%" not in edited.content.body + edited.content.subject + edited.title
    assert code not in edited.content.body
    assert edited.money_touching is True
    assert content_hash(edited) != content_hash(candidate)


def test_edit_discount_and_body_together_applies_the_discount_to_the_new_body():
    candidate = _discount_candidate()
    body = "Take 10% off with " + dict(candidate.params)["discount_code"] + " {cart_link}"
    edited = apply_edit(candidate, body=body + " {unsubscribe_link}", discount_pct=20)
    assert edited.content.body.startswith("Take 20% off with BACK20-")


@pytest.mark.parametrize("pct", [0, 31, -5, 100])
def test_edit_discount_out_of_bounds(pct):
    with pytest.raises(EditError, match="Discount must be between 1% and 30%"):
        apply_edit(_discount_candidate(), discount_pct=pct)


def test_edit_discount_on_an_action_without_one():
    with pytest.raises(EditError, match="no discount to change"):
        apply_edit(_plain_candidate(), discount_pct=10)


def test_edit_cannot_drop_the_discount_code_or_its_amount():
    candidate = _discount_candidate()
    code = dict(candidate.params)["discount_code"]
    without_code = candidate.content.body.replace(code, "the code")
    with pytest.raises(EditError, match=f"keep the discount code {code}"):
        apply_edit(candidate, body=without_code)
    without_pct = candidate.content.body.replace("10% off", "a discount")
    with pytest.raises(EditError, match="must state the 10% discount"):
        apply_edit(candidate, body=without_pct)


def test_edit_of_non_email_text_rejects_placeholders_it_cannot_fill():
    advice = Candidate(
        kind=ActionKind.LEAKAGE_REVIEW,
        variant="below_cost",
        title="Mug sells below cost",
        targets=(Target("product:m", ref="m"),),
        content=Content("Mug sells below cost", "Reprice it."),
        runnable=False,
    )
    assert apply_edit(advice, body="Reprice it today.").content.body == "Reprice it today."
    with pytest.raises(EditError, match="only emails have placeholders"):
        apply_edit(advice, body="Hi {first_name}, reprice it.")


def test_capabilities_default_runs_nothing():
    assert not any(Capabilities().can_run(kind) for kind in ActionKind)
