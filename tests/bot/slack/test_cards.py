"""Proposal cards end to end: approve once, edit, reject, expired, strangers and redeliveries."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from bot.blocks import hhmm
from engine.actions import content_hash
from engine.execution_ports import ExecutionReport
from engine.model import ActionKind, ActionState, Content
from engine.store.tables import DecisionRow
from tests.bot.slack.conftest import CHANNEL, ONCALL, Harness
from tests.conftest import sample_candidate

BODY = (
    "Hi! Your cart is waiting at {cart_link}: take 10% off with BACK10 & <b>enjoy</b>.\n"
    "Unsubscribe: {unsubscribe_link}"
)


def propose(harness: Harness, *, expired: bool = False, key: str = "c1") -> tuple[str, str]:
    """A stored proposal with its card posted; (action id, card ts)."""
    candidate = sample_candidate(content=Content("You left something behind", BODY))
    candidate = replace(candidate, targets=(replace(candidate.targets[0], key=f"cart:{key}"),))
    now = harness.runtime.decision_time()
    created = now - timedelta(hours=2) if expired else now
    with harness.runtime.database.uow() as uow:
        action = uow.actions.add(
            candidate, reason="approved 3 of 4", content_hash=content_hash(candidate),
            created_at=created, expires_at=created + timedelta(hours=1), cycle_id=None,
        )  # fmt: skip
        uow.commit()
    harness.process.service.post_cards(CHANNEL, [action.id])
    with harness.runtime.database.uow() as uow:
        where = uow.slack.action_card(action.id)
    assert where is not None
    return action.id, where[1]


def queued(harness: Harness, action_id: str) -> bool:
    with harness.runtime.database.uow() as uow:
        return uow.executions.execution(action_id) is not None


def state(harness: Harness, action_id: str) -> ActionState:
    with harness.runtime.database.uow() as uow:
        action = uow.actions.get(action_id)
    assert action is not None
    return action.state


def approvals(harness: Harness, action_id: str) -> int:
    with harness.runtime.database.uow() as uow:
        query = select(func.count()).where(
            DecisionRow.action_id == action_id, DecisionRow.decision == "approved"
        )
        return int(uow.session.scalar(query) or 0)


def test_card_shows_what_to_whom_content_value_why(harness: Harness) -> None:
    harness.slack.reset()
    action_id, _ = propose(harness, key="show")
    (posted,) = harness.slack.of("chat.postMessage")
    text = json.dumps(posted["blocks"])
    assert "BACK10 &amp; &lt;b&gt;enjoy&lt;/b&gt;" in text
    assert "1 target(s): `u1` ($45.00)" in text
    assert "*Expected value:* $16.50" in text
    assert "*Why:* approved 3 of 4" in text
    buttons = posted["blocks"][-1]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("approve", action_id), ("edit", action_id), ("reject", action_id)
    ]  # fmt: skip
    assert buttons[0]["style"] == "primary"
    assert buttons[0]["confirm"]["confirm"]["text"] == "Approve"  # money-touching


def test_redelivered_approve_counts_once_and_updates_the_card(harness: Harness) -> None:
    action_id, ts = propose(harness, key="redeliver")
    harness.slack.reset()
    for retry in ("", "1", "2"):
        headers = {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "timeout"} if retry else {}
        assert harness.click("approve", action_id, headers=headers)[0] == 200
    harness.slack.wait_for(lambda: len(harness.slack.of("chat.postEphemeral")) == 2)
    harness.slack.wait_for(lambda: len(harness.slack.of("chat.update")) == 3)
    assert approvals(harness, action_id) == 1
    assert state(harness, action_id) is ActionState.APPROVED
    with harness.runtime.database.uow() as uow:
        action = uow.actions.get(action_id)
    assert action is not None
    assert action.decided_at is not None
    at = hhmm(action.decided_at, harness.runtime.settings.timezone)
    update = harness.slack.of("chat.update")[0]
    assert (update["channel"], update["ts"]) == (CHANNEL, ts)
    assert f"Approved by <@UALICE> at {at}" in json.dumps(update["blocks"])
    assert update["blocks"][-1]["elements"][0]["action_id"] == "cancel"
    for told in harness.slack.of("chat.postEphemeral"):
        assert (
            told["text"]
            == f"`{action_id}` was already approved by <@UALICE> at {at}; nothing changed."
        )


def test_approve_is_refused_when_the_card_showed_older_content(harness: Harness) -> None:
    harness.slack.reset()
    action_id, _ = propose(harness, key="stale")
    shown = harness.slack.of("chat.postMessage")[0]["blocks"][-1]["block_id"]
    assert shown.startswith("seen:")
    harness.slack.reset()
    harness.click("approve", action_id, block_id="seen:" + "0" * 64)
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.postEphemeral")))
    assert (
        "was edited after your card was drawn" in harness.slack.of("chat.postEphemeral")[0]["text"]
    )
    assert state(harness, action_id) is ActionState.PROPOSED
    harness.click("approve", action_id, block_id=shown)
    harness.slack.wait_for(lambda: state(harness, action_id) is ActionState.APPROVED)


def test_two_approvers_at_once_one_wins_the_other_is_told(harness: Harness) -> None:
    action_id, _ = propose(harness, key="race")
    harness.slack.reset()
    clicks = [threading.Thread(target=harness.click, args=("approve", action_id, user))
              for user in ("UALICE", "UBOB")]  # fmt: skip
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    harness.slack.wait_for(lambda: len(harness.slack.of("chat.postEphemeral")) == 1)
    assert approvals(harness, action_id) == 1
    with harness.runtime.database.uow() as uow:
        action = uow.actions.get(action_id)
    assert action is not None
    (told,) = harness.slack.of("chat.postEphemeral")
    loser = ({"UALICE", "UBOB"} - {action.decided_by}).pop()
    assert told["user"] == loser
    assert f"already approved by <@{action.decided_by}>" in told["text"]


def test_a_stranger_is_refused_and_nothing_changes(harness: Harness) -> None:
    action_id, _ = propose(harness, key="stranger")
    harness.slack.reset()
    for action in ("approve", "edit", "reject"):
        harness.click(action, action_id, user="USTRANGER")
    harness.slack.wait_for(lambda: len(harness.slack.of("chat.postEphemeral")) == 3)
    assert all(t["user"] == "USTRANGER" for t in harness.slack.of("chat.postEphemeral"))
    assert "only the approvers" in harness.slack.of("chat.postEphemeral")[0]["text"]
    assert set(harness.slack.methods()) == {"chat.postEphemeral"}
    assert state(harness, action_id) is ActionState.PROPOSED


def test_edit_within_bounds_is_what_gets_approved(harness: Harness) -> None:
    action_id, ts = propose(harness, key="edit")
    harness.slack.reset()
    harness.click("edit", action_id)
    harness.slack.wait_for(lambda: bool(harness.slack.of("views.open")))
    view = harness.slack.of("views.open")[0]["view"]
    assert (view["callback_id"], view["private_metadata"]) == ("edit_proposal", action_id)
    values = {
        "subject": {"value": {"type": "plain_text_input", "value": "Still thinking it over?"}},
        "body": {"value": {"type": "plain_text_input", "value": BODY}},
        "discount": {"value": {"type": "number_input", "value": "50"}},
    }
    status, body = harness.submit("edit_proposal", action_id, values)
    assert json.loads(body) == {
        "response_action": "errors", "errors": {"discount": "Discount must be between 1% and 30%"}
    }  # fmt: skip
    values["discount"]["value"]["value"] = "15"
    status, body = harness.submit("edit_proposal", action_id, values)
    assert (status, body) == (200, b"")
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.update")))
    update = harness.slack.of("chat.update")[0]
    assert update["ts"] == ts
    assert "Still thinking it over?" in json.dumps(update["blocks"])
    assert "15% off with BACK10" in json.dumps(update["blocks"])
    harness.click("approve", action_id)
    harness.slack.wait_for(lambda: state(harness, action_id) is ActionState.APPROVED)
    with harness.runtime.database.uow() as uow:
        action = uow.actions.get(action_id)
    assert action is not None
    assert action.candidate.content.subject == "Still thinking it over?"
    assert dict(action.candidate.params)["discount_pct"] == "15"
    assert action.content_hash == content_hash(action.candidate)


def test_reject_with_a_reason(harness: Harness) -> None:
    action_id, _ = propose(harness, key="reject")
    harness.slack.reset()
    harness.click("reject", action_id, user="UBOB")
    harness.slack.wait_for(lambda: bool(harness.slack.of("views.open")))
    assert harness.slack.of("views.open")[0]["view"]["callback_id"] == "reject_proposal"
    values = {
        "reason": {"value": {"type": "static_select",
                             "selected_option": {"value": "wrong_targets"}}},
        "note": {"value": {"type": "plain_text_input", "value": "VIPs only"}},
    }  # fmt: skip
    assert harness.submit("reject_proposal", action_id, values, user="UBOB")[0] == 200
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.update")))
    assert state(harness, action_id) is ActionState.REJECTED
    with harness.runtime.database.uow() as uow:
        row = uow.session.scalars(
            select(DecisionRow).where(DecisionRow.action_id == action_id)
        ).one()
        assert (row.reason, row.note, row.actor) == ("wrong_targets", "VIPs only", "UBOB")
    assert "Rejected by <@UBOB>" in json.dumps(harness.slack.of("chat.update")[0]["blocks"])


def test_an_expired_proposal_shows_expired_and_cannot_be_approved(harness: Harness) -> None:
    action_id, _ = propose(harness, expired=True, key="expired")
    harness.slack.reset()
    harness.click("approve", action_id)
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.postEphemeral")))
    assert "expired before anyone decided" in harness.slack.of("chat.postEphemeral")[0]["text"]
    assert "Expired" in json.dumps(harness.slack.of("chat.update")[0]["blocks"])
    assert state(harness, action_id) is ActionState.EXPIRED


def test_an_approved_action_not_yet_claimed_can_be_cancelled(harness: Harness) -> None:
    action_id, _ = propose(harness, key="cancel")
    harness.slack.reset()
    harness.click("approve", action_id)
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.update")))
    harness.slack.reset()
    harness.click("cancel", action_id, user="UBOB")
    harness.slack.wait_for(lambda: state(harness, action_id) is ActionState.CANCELLED)
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.update")))
    assert "Cancelled by <@UBOB>" in json.dumps(harness.slack.of("chat.update")[0]["blocks"])


def test_a_rate_limited_update_is_retried_after_retry_after(harness: Harness) -> None:
    action_id, _ = propose(harness, key="throttle")
    harness.slack.reset()
    harness.slack.throttled["chat.update"] = 1
    harness.click("approve", action_id)
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.update")))
    assert harness.slack.methods() == ["429:chat.update", "chat.update"]


def test_the_card_shows_how_execution_went_and_unknowns_reach_on_call(harness: Harness) -> None:
    action_id, ts = propose(harness, key="executed")
    harness.slack.reset()
    harness.click("approve", action_id)
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.update")))
    harness.slack.reset()
    finished = harness.runtime.decision_time()
    report = ExecutionReport(
        action_id=action_id, kind=ActionKind.CART_RECOVERY_EMAIL, state=ActionState.FAILED,
        counts=(("sent", 3), ("unknown", 1), ("held_out", 1)), finished_at=finished,
        error="SMTP <down>",
    )  # fmt: skip
    harness.process.notifier.execution_finished(report)
    executed = [
        u for u in harness.slack.of("chat.update") if "Execution failed" in json.dumps(u["blocks"])
    ]
    (update,) = executed  # the approval's own card updates may still be arriving
    assert update["ts"] == ts
    at = hhmm(finished, harness.runtime.settings.timezone)
    blocks = json.dumps(update["blocks"], ensure_ascii=False)
    assert (
        f"*Execution failed* at {at}: 3 sent · 1 unknown (needs a human) · 1 held out as control"
        in blocks
    )
    assert "Reason: SMTP &lt;down&gt;" in blocks
    dms = harness.slack.of("chat.postMessage")
    assert [d["channel"] for d in dms] == ["D" + ONCALL[0]]
    assert dms[0]["text"].startswith(f"1 target(s) of `{action_id}`")


def test_the_card_states_the_measured_lift_with_its_holdout(harness: Harness) -> None:
    action_id, ts = propose(harness, key="lifted")
    harness.click("approve", action_id)
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.update")))
    harness.slack.wait_for(lambda: queued(harness, action_id))  # the lift goes on its run
    harness.slack.reset()
    lift = "+16.0 pts conversion (95% CI +10.8 to +21.2) over 48 held out <of> 480 in 1 action"
    harness.process.notifier.lift_measured(action_id, lift)
    lifted = [
        u for u in harness.slack.of("chat.update") if "Measured lift" in json.dumps(u["blocks"])
    ]
    (update,) = lifted  # the approval's own card updates may still be arriving
    assert update["ts"] == ts
    blocks = json.dumps(update["blocks"], ensure_ascii=False)
    assert "*Measured lift:* +16.0 pts conversion" in blocks
    assert "over 48 held out &lt;of&gt; 480 in 1 action" in blocks
