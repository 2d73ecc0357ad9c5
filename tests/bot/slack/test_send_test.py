"""The card's "Send me a test" end to end: signed clicks, local Slack API, real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest

from engine.actions import content_hash
from engine.execution_report import load_report
from engine.model import ActionState, Content, RejectReason
from tests.bot.slack.conftest import CHANNEL, Harness, running_harness
from tests.bot.slack.slack_server import SCOPES
from tests.conftest import sample_candidate
from tests.engine.executors.smtp_server import Handler, smtp_server

ALICE = "alice@example.org"
BODY = "Your cart is waiting at {cart_link} with BACK10.\nUnsubscribe: {unsubscribe_link}"


@dataclass
class Setup:
    """The app configured with SMTP, and the SMTP server's recorder."""

    harness: Harness
    smtp: Handler


@pytest.fixture(scope="module")
def setup(seeded_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """The app with SMTP_URL pointing at a local aiosmtpd server; UALICE has an address."""
    handler = Handler()
    with smtp_server(handler) as port:
        smtp = {"SMTP_URL": f"smtp://127.0.0.1:{port}", "INCOME_EMAIL_FROM": "shop@example.com"}
        with running_harness(seeded_database, tmp_path_factory, **smtp) as harness:
            harness.slack.emails.update({"UALICE": ALICE, "UBOB": "bob@example.org"})
            yield Setup(harness, handler)


@pytest.fixture
def clean(setup: Setup) -> Iterator[Setup]:
    """No recorded calls or mail before the test; every scope granted again after it."""
    setup.harness.slack.reset()
    with setup.smtp.lock:
        setup.smtp.received.clear()
    yield setup
    setup.harness.slack.scopes = set(SCOPES.split(","))


def propose(harness: Harness, key: str) -> str:
    """A pending cart-recovery e-mail proposal with its card posted; its id."""
    candidate = sample_candidate(content=Content("You left something behind", BODY))
    candidate = replace(candidate, targets=(replace(candidate.targets[0], key=f"cart:{key}"),))
    now = harness.runtime.decision_time()
    with harness.runtime.database.uow() as uow:
        action = uow.actions.add(
            candidate, reason="approved 3 of 4", content_hash=content_hash(candidate),
            created_at=now, expires_at=now + timedelta(hours=6), cycle_id=None,
        )  # fmt: skip
        uow.commit()
    harness.process.service.post_cards(CHANNEL, [action.id])
    return action.id


def told(harness: Harness) -> dict[str, object]:
    """The one ephemeral answer, once it has arrived."""
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.postEphemeral")))
    (answer,) = harness.slack.of("chat.postEphemeral")
    return answer


def state(harness: Harness, action_id: str) -> ActionState:
    with harness.runtime.database.uow() as uow:
        action = uow.actions.get(action_id)
    assert action is not None
    return action.state


def test_the_card_offers_the_test_when_smtp_is_configured(clean: Setup) -> None:
    action_id = propose(clean.harness, "card")
    (posted,) = clean.harness.slack.of("chat.postMessage")
    buttons = [(b["action_id"], b["value"]) for b in posted["blocks"][-1]["elements"]]
    assert buttons == [
        ("approve", action_id), ("edit", action_id), ("send_test", action_id),
        ("reject", action_id),
    ]  # fmt: skip


def test_a_click_mails_the_filled_proposal_to_the_clicker_alone(clean: Setup) -> None:
    harness = clean.harness
    action_id = propose(harness, "mail")
    harness.slack.reset()
    assert harness.click("send_test", action_id)[0] == 200
    answer = told(harness)
    assert answer["user"] == "UALICE"
    assert answer["channel"] == CHANNEL
    assert str(answer["text"]).startswith(f"Test sent to {ALICE}: ")
    assert harness.slack.of("users.info") == [{"user": "UALICE"}]
    (mail,) = clean.smtp.received
    assert mail.recipients == [ALICE]
    assert mail.message["To"] == ALICE
    assert mail.message["Subject"] == "[Test] You left something behind"
    body = mail.message.get_payload(decode=True)
    assert isinstance(body, bytes)
    text = body.decode()
    assert f"https://example.com/cart/c1?a={action_id}" in text
    assert "BACK10" in text
    assert "{" not in text
    assert state(harness, action_id) is ActionState.PROPOSED
    with harness.runtime.database.uow() as uow:
        assert load_report(uow, action_id) is None  # no execution recorded


def test_without_users_read_email_the_clicker_is_told_and_nothing_is_sent(clean: Setup) -> None:
    harness = clean.harness
    action_id = propose(harness, "no-email-scope")
    harness.slack.scopes.discard("users:read.email")
    harness.slack.reset()
    harness.click("send_test", action_id)
    text = str(told(harness)["text"])
    assert text.startswith(
        "No test sent: I can't see your e-mail address: the app lacks users:read.email"
    )
    assert clean.smtp.received == []


def test_missing_scope_from_users_info_is_explained_and_nothing_is_sent(clean: Setup) -> None:
    harness = clean.harness
    action_id = propose(harness, "no-users-scope")
    harness.slack.scopes -= {"users:read", "users:read.email"}
    harness.slack.reset()
    harness.click("send_test", action_id, user="UBOB")
    answer = told(harness)
    assert answer["user"] == "UBOB"
    assert str(answer["text"]).startswith(
        "No test sent: I can't see your e-mail address: the app lacks users:read "
    )
    assert "users:read.email" in str(answer["text"])  # says what to add
    assert clean.smtp.received == []


def test_a_stranger_is_refused_before_anyone_is_looked_up(clean: Setup) -> None:
    harness = clean.harness
    action_id = propose(harness, "stranger")
    harness.slack.emails["USTRANGER"] = "stranger@example.org"
    harness.slack.reset()
    harness.click("send_test", action_id, user="USTRANGER")
    answer = told(harness)
    assert answer["user"] == "USTRANGER"
    assert "only the approvers in INCOME_APPROVERS" in str(answer["text"])
    assert harness.slack.methods() == ["chat.postEphemeral"]
    assert clean.smtp.received == []


def test_a_decided_proposal_is_no_longer_pending(clean: Setup) -> None:
    harness = clean.harness
    action_id = propose(harness, "decided")
    with harness.runtime.database.uow() as uow:
        now = harness.runtime.decision_time()
        assert uow.actions.reject(action_id, "UBOB", now, RejectReason.NOT_NOW, None).ok
        uow.commit()
    harness.slack.reset()
    harness.click("send_test", action_id)
    text = str(told(harness)["text"])
    assert text == "No test sent: this proposal is no longer pending (rejected)"
    assert clean.smtp.received == []


def test_an_smtp_refusal_is_reported(clean: Setup) -> None:
    harness = clean.harness
    action_id = propose(harness, "refused")
    clean.smtp.refuse.add(ALICE)
    try:
        harness.slack.reset()
        harness.click("send_test", action_id)
        text = str(told(harness)["text"])
    finally:
        clean.smtp.refuse.discard(ALICE)
    assert text == "No test sent: SMTP refused: recipient refused (550)"
    assert clean.smtp.received == []
    assert state(harness, action_id) is ActionState.PROPOSED


def test_a_double_tap_sends_one_test_and_says_so(clean: Setup) -> None:
    harness = clean.harness
    action_id = propose(harness, "twice")
    harness.slack.reset()
    assert harness.click("send_test", action_id)[0] == 200
    assert harness.click("send_test", action_id)[0] == 200
    harness.slack.wait_for(lambda: len(harness.slack.of("chat.postEphemeral")) == 2)
    texts = sorted(str(answer["text"]) for answer in harness.slack.of("chat.postEphemeral"))
    assert texts[0].startswith(f"A test of `{action_id}` went to you ")
    assert "not sent again" in texts[0]
    assert texts[1].startswith(f"Test sent to {ALICE}: ")
    assert len(clean.smtp.received) == 1
