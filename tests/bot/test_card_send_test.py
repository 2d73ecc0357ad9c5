"""Which proposal cards offer "Send me a test" (pure Block Kit)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.cards import SEND_TEST, card
from engine.drafting.base import EMAIL_KINDS
from engine.model import Action, ActionKind, ActionState
from tests.conftest import T0, sample_candidate

UTC = ZoneInfo("UTC")


def _action(kind: ActionKind, state: ActionState = ActionState.PROPOSED) -> Action:
    candidate = replace(sample_candidate(), kind=kind)
    return Action(
        id="a1", candidate=candidate, state=state, content_hash="h", reason="why",
        created_at=T0, expires_at=T0 + timedelta(hours=6),
    )  # fmt: skip


def _elements(action: Action, *, tests: bool) -> list[dict[str, Any]]:
    blocks = json.loads(json.dumps(card(action, UTC, tests=tests).blocks))
    return [e for block in blocks if block["type"] == "actions" for e in block["elements"]]


def _buttons(action: Action, *, tests: bool) -> list[str]:
    return [str(element["action_id"]) for element in _elements(action, tests=tests)]


def test_every_email_proposal_offers_a_test_when_smtp_is_configured() -> None:
    for kind in EMAIL_KINDS:
        assert _buttons(_action(kind), tests=True) == ["approve", "edit", SEND_TEST, "reject"]


def test_a_test_button_carries_only_the_proposal_id() -> None:
    elements = _elements(_action(ActionKind.CART_RECOVERY_EMAIL), tests=True)
    (button,) = [e for e in elements if e["action_id"] == SEND_TEST]
    assert button["value"] == "a1"
    assert button["text"]["text"] == "Send me a test"


def test_no_test_button_without_smtp() -> None:
    assert SEND_TEST not in _buttons(_action(ActionKind.CART_RECOVERY_EMAIL), tests=False)


def test_no_test_button_on_proposals_that_are_not_emails() -> None:
    for kind in set(ActionKind) - set(EMAIL_KINDS):
        assert SEND_TEST not in _buttons(_action(kind), tests=True), kind


def test_no_test_button_once_decided() -> None:
    approved = _action(ActionKind.CART_RECOVERY_EMAIL, ActionState.APPROVED)
    assert _buttons(approved, tests=True) == ["cancel"]


def test_no_test_button_for_an_email_without_recipients() -> None:
    action = _action(ActionKind.WINBACK_EMAIL)
    action = replace(action, candidate=replace(action.candidate, targets=()))
    assert SEND_TEST not in _buttons(action, tests=True)
