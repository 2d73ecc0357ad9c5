"""Template drafts for every action kind and variant.

Draft-time facts are ``$name`` fields (`string.Template`), filled once from data by the caller;
per-recipient placeholders are ``{name}`` tokens (see `engine.drafting.base`) that the email
executor fills at send time. A template never states an amount, name, link or code of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from string import Template

from engine.drafting.base import Drafter, DraftError, DraftRequest
from engine.model import ActionKind, Content

__all__ = ["TEMPLATES", "Drafter", "TemplateDrafter", "family"]

_FOOTER = (
    "\n\n--\nYou are receiving this because you shopped with us. Unsubscribe: {unsubscribe_link}"
)
_CODE = "enter code ${code} at checkout"

# (kind, variant family) -> (subject, body). The family drops a trailing number:
# "discount_10" and "discount_20" share the "discount" template, which states ${pct}.
TEMPLATES: Mapping[tuple[ActionKind, str], tuple[str, str]] = {
    (ActionKind.CART_RECOVERY_EMAIL, "no_discount"): (
        "You left something in your cart",
        "Hi {first_name},\n\nYou left something in your cart. We saved it for you, "
        "so you can pick up where you left off:\n\n{cart_link}" + _FOOTER,
    ),
    (ActionKind.CART_RECOVERY_EMAIL, "discount"): (
        "Your cart is waiting, with ${pct}% off",
        "Hi {first_name},\n\nYou left something in your cart. Finish your order with "
        "${pct}% off: " + _CODE + ".\n\n{cart_link}" + _FOOTER,
    ),
    (ActionKind.WINBACK_EMAIL, "standard"): (
        "We'd love to have you back",
        "Hi {first_name},\n\nIt has been a while, and we'd love to have you back. "
        "Whenever you are ready, we are here:\n\n{shop_link}" + _FOOTER,
    ),
    (ActionKind.WINBACK_EMAIL, "discount"): (
        "Come back with ${pct}% off",
        "Hi {first_name},\n\nIt has been a while, and we'd love to have you back. "
        "Come back with ${pct}% off: " + _CODE + ".\n\n{shop_link}" + _FOOTER,
    ),
    (ActionKind.EMAIL_CAMPAIGN, "standard"): (
        "Picked for you: ${product}",
        "Hi {first_name},\n\nThanks for shopping with us recently. If you have not tried "
        "${product} yet: it is ${price}, and ${orders} orders in the last ${days} days "
        "included it.\n\n{shop_link}" + _FOOTER,
    ),
    (ActionKind.BUNDLE_OFFER, "standard"): (
        "Goes well with ${first}",
        "Hi {first_name},\n\nCustomers who buy ${first} often add ${second} (${second_price}): "
        "the two were bought together in ${together} orders in the last ${days} days."
        "\n\n{shop_link}" + _FOOTER,
    ),
    (ActionKind.REFERRAL_INCENTIVE, "give"): (
        "Give your friends ${pct}% off",
        "Hi {first_name},\n\nThanks for being a customer. Share your link and your friends "
        "get ${pct}% off their first order:\n\n{referral_link}" + _FOOTER,
    ),
    (ActionKind.SOCIAL_POST, "best_seller"): (
        "Social post: ${product}",
        "Our best seller of the last ${days} days: ${product}, ${units} sold. Yours for ${price}.",
    ),
    (ActionKind.PAYMENT_RETRY, "soft_declines"): (
        "Retry ${count} failed payments (${total})",
        (
            "Approving retries each of these soft-declined payments once through the payment "
            "provider; a customer is charged only if their bank now accepts.\n\n${lines}\n\n"
            "Not retried: ${hard_count} hard declines (${hard_total}). A hard decline needs "
            "the customer to update their card; retrying it only adds fees and risk."
        ),
    ),
    (ActionKind.ERROR_INVESTIGATION, "errors"): (
        "Investigate ${total} errors: ${top}",
        (
            "${context}Errors in the window, most frequent first:\n\n${lines}\n\n"
            "Check recent deploys, the logs around the first of these, and the status pages "
            "of the payment and email providers."
        ),
    ),
    (ActionKind.ERROR_INVESTIGATION, "checkout_funnel"): (
        "Check the checkout: conversion is low",
        (
            "Conversion is below target. These products get the most views but few orders "
            "(last ${days} days):\n\n${lines}\n\nWalk through checkout on desktop and mobile, "
            "check that these pages load quickly, and that the full price including shipping "
            "is shown before checkout."
        ),
    ),
    (ActionKind.PRICE_TEST, "plus"): (
        "Price test: ${product} ${old_price} → ${new_price}",
        (
            "${product} converts at ${conversion} of views against a shop median of ${median}, "
            "with a margin of ${margin}: buyers are not put off by its price. Raise it ${pct}% "
            "from ${old_price} to ${new_price} and compare orders and profit on ${review_date}."
            "\n\nExpected: ${profit} gross profit over ${days} days on ${units} units, "
            "assuming demand elasticity ${elasticity}."
        ),
    ),
    (ActionKind.PRICE_TEST, "minus"): (
        "Price test: ${product} ${old_price} → ${new_price}",
        (
            "${product} gets many views but converts at ${conversion} against a shop median of "
            "${median}. A margin of ${margin} leaves room to test a ${pct}% lower price: "
            "${old_price} → ${new_price}. Compare orders and profit on ${review_date}."
            "\n\nExpected: ${profit} gross profit over ${days} days on ${units} units, "
            "assuming demand elasticity ${elasticity}."
        ),
    ),
    (ActionKind.LEAKAGE_REVIEW, "refunds_discounts"): (
        "Revenue leakage on ${product}: ${lost}",
        (
            "Over the last ${days} days ${product} lost ${lost} (${share} of ${gross} gross "
            "sales):\n\n• Refunds: ${refunds}, ${refunded_units} of ${units} units "
            "(${refund_rate})\n• Discounts: ${discounts}\n\nRead the refund reasons for a "
            "quality or description problem, and check which codes give these discounts and "
            "whether they still pay for themselves."
        ),
    ),
    (ActionKind.LEAKAGE_REVIEW, "below_cost"): (
        "${product} sells below cost",
        (
            "${product} sells at ${price} but costs ${cost} a unit: ${units} units over the "
            "last ${days} days lost ${lost}. Reprice it, renegotiate the cost, or stop "
            "promoting it."
        ),
    ),
}


def family(variant: str) -> str:
    """The template family of a variant: 'discount_10' -> 'discount'."""
    return re.sub(r"_\d+$", "", variant)


class TemplateDrafter:
    """Drafts from `TEMPLATES`; a fact a template needs but is not given is a `DraftError`."""

    def draft(self, request: DraftRequest) -> Content:
        """The template for the request's kind and variant, filled with its facts."""
        template = TEMPLATES.get((request.kind, family(request.variant)))
        if template is None:
            raise DraftError(f"no template for {request.kind.value}/{request.variant}")
        facts = request.fact_map()
        subject, body = template
        try:
            return Content(Template(subject).substitute(facts), Template(body).substitute(facts))
        except KeyError as missing:
            raise DraftError(
                f"template {request.kind.value}/{request.variant} needs the fact {missing}"
            ) from None
