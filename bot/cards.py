"""Proposal cards and the Edit and Reject modals (pure Block Kit)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import Message, clip, context, escape, hhmm, limit_message, section, stamp
from bot.send_test import testable
from engine.model import Action, ActionState, RejectReason
from engine.money import Money

APPROVE, EDIT, REJECT, CANCEL = "approve", "edit", "reject", "cancel"
SEND_TEST = "send_test"
EDIT_VIEW, REJECT_VIEW = "edit_proposal", "reject_proposal"
SEEN_PREFIX = "seen:"  # the buttons' block_id carries the hash of the content on the card
SAMPLE_TARGETS = 3
REASON_LABELS = {
    RejectReason.NOT_NOW: "Not now",
    RejectReason.WRONG_TARGETS: "Wrong targets",
    RejectReason.NEVER: "Too risky / never do this",
    RejectReason.OTHER: "Other",
}
_VERBS = {
    ActionState.APPROVED: "Approved",
    ActionState.REJECTED: "Rejected",
    ActionState.CANCELLED: "Cancelled",
    ActionState.QUEUED: "Approved",
    ActionState.RUNNING: "Approved",
    ActionState.SUCCEEDED: "Approved",
    ActionState.FAILED: "Approved",
    ActionState.UNKNOWN: "Approved",
}


def _audience(action: Action) -> str:
    targets = action.candidate.targets
    currency = action.candidate.expected_value.currency if action.candidate.expected_value else None
    sample = []
    for target in targets[:SAMPLE_TARGETS]:
        who = escape(target.customer_id or target.ref or target.key)
        value = f" ({Money(target.value, currency).format()})" if currency and target.value else ""
        sample.append(f"`{who}`{value}")
    more = f" and {len(targets) - SAMPLE_TARGETS:,} more" if len(targets) > SAMPLE_TARGETS else ""
    return f"*To whom:* {len(targets):,} target(s): " + ", ".join(sample) + more


def _body_blocks(action: Action, zone: ZoneInfo) -> list[Block]:
    candidate = action.candidate
    value = candidate.expected_value.format() if candidate.expected_value else "not estimated"
    content = candidate.content
    quoted = "\n".join("> " + escape(line) for line in content.body.splitlines() or [""])
    blocks: list[Block] = [
        section(f"*{escape(candidate.title)}*\n{_audience(action)}\n*Expected value:* {value}"),
        section(f"*Subject:* {escape(content.subject)}\n{clip(quoted, 2800)}"),
        context(
            f"*Why:* {escape(action.reason)}",
            f"`{action.id}` · expires {stamp(action.expires_at, zone)}",
        ),
    ]
    if candidate.money_touching:
        blocks.append(context(":moneybag: Touches money: charges, refunds or discounts"))
    return blocks


def _approve_button(action: Action) -> ButtonElement:
    confirm = None
    if action.candidate.money_touching:
        confirm = ConfirmObject(
            title="Approve a money action?",
            text=clip(f"This touches money: {action.candidate.title}", 300),
            confirm="Approve",
            deny="Back",
        )
    return ButtonElement(
        text="Approve", action_id=APPROVE, value=action.id, style="primary", confirm=confirm
    )


def _open_buttons(action: Action, tests: bool) -> ActionsBlock:
    buttons = [_approve_button(action)] if action.candidate.runnable else []
    buttons.append(ButtonElement(text="Edit", action_id=EDIT, value=action.id))
    if tests and testable(action):
        buttons.append(ButtonElement(text="Send me a test", action_id=SEND_TEST, value=action.id))
    buttons.append(ButtonElement(text="Reject", action_id=REJECT, value=action.id, style="danger"))
    return ActionsBlock(block_id=SEEN_PREFIX + action.content_hash, elements=buttons)


def decided_line(action: Action, zone: ZoneInfo) -> str:
    """'Approved by <@U…> at 14:05', 'Expired', or the state for later stages."""
    if action.state is ActionState.EXPIRED:
        return ":hourglass: Expired: nobody decided in time; it can no longer be approved"
    verb = _VERBS.get(action.state, action.state.value.capitalize())
    who = f" by <@{action.decided_by}>" if action.decided_by else ""
    at = f" at {hhmm(action.decided_at, zone)}" if action.decided_at else ""
    if action.state in (ActionState.APPROVED, ActionState.REJECTED, ActionState.CANCELLED):
        return f"{verb}{who}{at}"
    return f"{verb}{who}{at} · execution {action.state.value}"


def card(
    action: Action, zone: ZoneInfo, outcome: str | None = None, *, tests: bool = False
) -> Message:
    """A proposal card: buttons while proposed (`tests`: SMTP can send tests), then the decision."""
    blocks = _body_blocks(action, zone)
    if action.state is ActionState.PROPOSED:
        blocks.append(_open_buttons(action, tests))
    else:
        blocks.append(section(f"*{decided_line(action, zone)}*"))
    if outcome:
        blocks.append(section(outcome))
    if action.state is ActionState.APPROVED:
        cancel = ButtonElement(text="Cancel", action_id=CANCEL, value=action.id, style="danger")
        blocks.append(ActionsBlock(block_id=f"cancel:{action.id}", elements=[cancel]))
    text = f"Proposal: {escape(action.candidate.title)}"
    if action.state is not ActionState.PROPOSED:
        text += f" — {decided_line(action, zone)}"
    return limit_message(text, blocks)[0]


def edit_modal(action: Action) -> View:
    """The Edit modal: subject, message and (when there is one) the discount."""
    content = action.candidate.content
    blocks: list[Block] = [
        InputBlock(
            block_id="subject",
            label="Subject",
            element=PlainTextInputElement(
                action_id="value", initial_value=content.subject, max_length=150
            ),
        ),
        InputBlock(
            block_id="body",
            label="Message",
            element=PlainTextInputElement(
                action_id="value", initial_value=content.body, multiline=True, max_length=3000
            ),
        ),
    ]
    discount = dict(action.candidate.params).get("discount_pct")
    if discount is not None:
        blocks.append(
            InputBlock(
                block_id="discount",
                label="Discount (%)",
                element=NumberInputElement(
                    action_id="value", is_decimal_allowed=False, initial_value=discount
                ),
            )
        )
    return View(
        type="modal",
        callback_id=EDIT_VIEW,
        private_metadata=action.id,
        title="Edit proposal",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    )


def reject_modal(action: Action) -> View:
    """The Reject modal: a reason from the short list and an optional note."""
    options = [Option(value=reason.value, label=label) for reason, label in REASON_LABELS.items()]
    return View(
        type="modal",
        callback_id=REJECT_VIEW,
        private_metadata=action.id,
        title="Reject proposal",
        submit="Reject",
        close="Back",
        blocks=[
            section(f"*{escape(clip(action.candidate.title, 2000))}*"),
            InputBlock(
                block_id="reason",
                label="Why?",
                element=StaticSelectElement(action_id="value", options=options),
            ),
            InputBlock(
                block_id="note",
                label="Note",
                optional=True,
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=500),
            ),
        ],
    )
