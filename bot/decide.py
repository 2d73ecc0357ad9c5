"""Decisions from Slack: approve, reject, cancel and edit, each updating the card in place."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.blocks import Message, hhmm, limit_message, section
from bot.cards import card
from bot.send_test import can_send_tests
from bot.slack_service import SlackService
from engine.actions import EditBounds, EditError, apply_edit, content_hash
from engine.model import Action, ActionState, RejectReason
from engine.ports import DecisionOutcome, DecisionResult
from engine.store.edits import save_edit

log = logging.getLogger("income.slack")
BOUNDS = EditBounds()
_PAST = {
    ActionState.APPROVED: "approved",
    ActionState.REJECTED: "rejected",
    ActionState.CANCELLED: "cancelled",
}


def not_allowed(user: str) -> str:
    """Why a non-approver's click changed nothing."""
    return (
        f"Sorry <@{user}>, only the approvers in INCOME_APPROVERS can decide on proposals; "
        "nothing changed. Ask one of them, or ask an admin to add you."
    )


def approve(
    service: SlackService, action_id: str, user: str, seen: str | None = None
) -> str | None:
    """Approve once what the clicker saw (`seen`); None when this click did it, else why not."""
    now = service.runtime.decision_time()
    with service.runtime.database.uow() as uow:
        result = uow.actions.approve(action_id, user, now, seen)
        uow.commit()
    return _after(service, result)


def reject(
    service: SlackService, action_id: str, user: str, reason: RejectReason, note: str | None
) -> str | None:
    """Reject with a reason; None when this call did it, else what to tell the user."""
    now = service.runtime.decision_time()
    with service.runtime.database.uow() as uow:
        result = uow.actions.reject(action_id, user, now, reason, note)
        uow.commit()
    return _after(service, result)


def cancel(service: SlackService, action_id: str, user: str, seen: str | None = None) -> str | None:
    """Cancel an approved action not yet claimed by the worker."""
    del seen  # cancelling stops whatever was approved
    now = service.runtime.decision_time()
    with service.runtime.database.uow() as uow:
        result = uow.actions.cancel(action_id, user, now)
        uow.commit()
    return _after(service, result)


def _after(service: SlackService, result: DecisionResult) -> str | None:
    if result.action is not None:
        action = result.action
        if result.outcome is DecisionOutcome.EXPIRED:
            action = replace(action, state=ActionState.EXPIRED)
        refresh_card(service, action)
    if result.ok:
        return None
    return explain(service, result)


def explain(service: SlackService, result: DecisionResult) -> str:
    """Why a decision changed nothing, for the person who tried."""
    outcome, action = result.outcome, result.action
    if outcome is DecisionOutcome.NOT_FOUND or action is None:
        return "That proposal no longer exists; nothing changed."
    if outcome is DecisionOutcome.EXPIRED:
        return f"`{action.id}` expired before anyone decided; it can no longer be approved."
    if outcome is DecisionOutcome.NOT_RUNNABLE:
        return f"`{action.id}` is advice only: nothing is configured to carry it out."
    if outcome is DecisionOutcome.STALE_CONTENT:
        return (
            f"`{action.id}` was edited after your card was drawn; nothing changed. The card now "
            "shows the current content: approve again if it looks right."
        )
    if outcome is DecisionOutcome.ALREADY_DECIDED:
        verb = _PAST.get(action.state, f"handled ({action.state.value})")
        by = f"<@{result.decided_by}>" if result.decided_by else "someone"
        at = hhmm(result.decided_at, service.zone) if result.decided_at else "an earlier time"
        return f"`{action.id}` was already {verb} by {by} at {at}; nothing changed."
    return f"`{action.id}`: {outcome.value.replace('_', ' ')}; nothing changed."


def refresh_card(service: SlackService, action: Action) -> None:
    """Show an action's current state on its card, wherever it was posted."""
    with service.runtime.database.uow() as uow:
        where = uow.slack.action_card(action.id)
    if where is None:
        return
    tests = can_send_tests(service.settings)
    service.update(where[0], where[1], card(action, service.zone, tests=tests))


def load(service: SlackService, action_id: str) -> Action | None:
    """One action by id."""
    with service.runtime.database.uow() as uow:
        return uow.actions.get(action_id)


def edit(
    service: SlackService, action_id: str, subject: str, body: str, discount: str | None
) -> dict[str, str]:
    """Save an edit within the bounds; the modal's field errors (empty when saved).

    The card is not refreshed here: the listener acks the modal first, then refreshes it.
    """
    action = load(service, action_id)
    if action is None or action.state is not ActionState.PROPOSED:
        return {"subject": "This proposal is no longer open for edits."}
    try:
        pct = int(discount) if discount not in (None, "") else None
    except ValueError:
        return {"discount": "Enter a whole number of percent."}
    try:
        edited = apply_edit(
            action.candidate, subject=subject, body=body, discount_pct=pct, bounds=BOUNDS
        )
    except EditError as error:
        first = str(error).split()[0]
        fields = {"Subject": "subject", "Discount": "discount", "This": "discount"}
        return {fields.get(first, "body"): str(error)}
    now = service.runtime.decision_time()
    with service.runtime.database.uow() as uow:
        saved = save_edit(uow.session, action_id, edited, content_hash(edited), now)
        uow.commit()
    if not saved:
        return {"subject": "This proposal was decided or expired meanwhile; nothing changed."}
    return {}


def text_message(text: str) -> Message:
    """A one-section message."""
    return limit_message(text, [section(text)])[0]


def tell_on_card(service: SlackService, action_id: str, user: str, text: str) -> None:
    """Tell `user` something ephemerally in the channel of an action's card (or by DM)."""
    with service.runtime.database.uow() as uow:
        where = uow.slack.action_card(action_id)
    if where is not None:
        service.ephemeral(where[0], user, text)
        return
    opened = service.client.conversations_open(users=user)
    service.post(str(opened["channel"]["id"]), text_message(text))
