import re
from string import Template

import pytest

from engine.drafting.base import (
    EMAIL_KINDS,
    PLACEHOLDERS,
    REQUIRED_PLACEHOLDERS,
    DraftError,
    DraftRequest,
    draft_problems,
)
from engine.drafting.templates import TEMPLATES, TemplateDrafter, family
from engine.model import ActionKind

TEMPLATE_KEYS = sorted(TEMPLATES, key=lambda key: (key[0].value, key[1]))


def _facts(subject: str, body: str) -> tuple[tuple[str, str], ...]:
    names = set(Template(subject).get_identifiers()) | set(Template(body).get_identifiers())
    return tuple((name, f"<{name}>") for name in sorted(names))


@pytest.mark.parametrize("key", TEMPLATE_KEYS, ids=lambda k: f"{k[0].value}/{k[1]}")
def test_every_template_renders_every_fact_it_names(key):
    kind, fam = key
    subject, body = TEMPLATES[key]
    facts = _facts(subject, body)
    content = TemplateDrafter().draft(DraftRequest(kind, fam, facts))
    for name, value in facts:
        assert value in content.subject + content.body, name
    assert "$" not in content.subject + content.body
    assert draft_problems(kind, content) == []


@pytest.mark.parametrize("key", TEMPLATE_KEYS, ids=lambda k: f"{k[0].value}/{k[1]}")
def test_templates_state_no_numbers_of_their_own(key):
    # amounts, percentages, counts and codes all come from facts
    assert not re.search(r"\d", "".join(TEMPLATES[key]))


def test_every_action_kind_has_a_template():
    assert {kind for kind, _ in TEMPLATES} == set(ActionKind)


@pytest.mark.parametrize("kind", sorted(EMAIL_KINDS))
def test_email_templates_keep_the_footer_and_link(kind):
    for (template_kind, _), (_, body) in TEMPLATES.items():
        if template_kind is kind:
            for name in REQUIRED_PLACEHOLDERS[kind]:
                assert f"{{{name}}}" in body
            assert "Unsubscribe: {unsubscribe_link}" in body


def test_only_documented_placeholders_are_used():
    tokens = set()
    for subject, body in TEMPLATES.values():
        tokens |= set(re.findall(r"(?<!\$)\{([a-z_]+)\}", subject + body))
    assert tokens <= set(PLACEHOLDERS)


def test_inserted_text_is_kept_as_is():
    request = DraftRequest(
        ActionKind.SOCIAL_POST,
        "best_seller",
        (("product", "Mugs & <Cups> $5"), ("units", "3"), ("days", "30"), ("price", "$9.00")),
    )
    content = TemplateDrafter().draft(request)
    assert "Mugs & <Cups> $5, 3 sold" in content.body
    assert content.body.endswith("Yours for $9.00.")


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("discount_10", "discount"),
        ("discount_20", "discount"),
        ("no_discount", "no_discount"),
        ("plus_5", "plus"),
        ("give_10", "give"),
        ("standard", "standard"),
    ],
)
def test_family(variant, expected):
    assert family(variant) == expected


def test_discount_variants_share_a_template_that_states_the_pct():
    drafter = TemplateDrafter()
    for pct in ("10", "25"):
        request = DraftRequest(
            ActionKind.CART_RECOVERY_EMAIL, f"discount_{pct}", (("pct", pct), ("code", "C"))
        )
        assert f"{pct}% off" in drafter.draft(request).subject


def test_missing_fact_is_an_error_not_an_invention():
    request = DraftRequest(ActionKind.CART_RECOVERY_EMAIL, "discount_10", (("pct", "10"),))
    with pytest.raises(DraftError, match="needs the fact 'code'"):
        TemplateDrafter().draft(request)


def test_unknown_variant_is_an_error():
    with pytest.raises(DraftError, match="no template for winback_email/loud"):
        TemplateDrafter().draft(DraftRequest(ActionKind.WINBACK_EMAIL, "loud"))
