"""Modal submissions: the Edit and Reject modals."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot import decide
from bot.cards import EDIT_VIEW, REJECT_VIEW
from bot.slack_service import SlackService
from engine.model import RejectReason


def _value(values: dict[str, Any], block: str) -> str | None:
    element = values.get(block, {}).get("value", {})
    if "selected_option" in element:
        option = element["selected_option"]
        return None if option is None else str(option["value"])
    raw = element.get("value")
    return None if raw is None else str(raw)


def _refresh(service: SlackService, action_id: str) -> None:
    action = decide.load(service, action_id)
    if action is not None:
        decide.refresh_card(service, action)


def _reject(
    service: SlackService, action_id: str, user: str, reason: RejectReason, note: str | None
) -> None:
    refusal = decide.reject(service, action_id, user, reason, note)
    if refusal is not None:
        decide.tell_on_card(service, action_id, user, refusal)


def register(app: App, service: SlackService) -> None:
    """Register the modal submission handlers."""

    @app.view(EDIT_VIEW)
    def edited(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        if not service.is_approver(user):
            ack(response_action="errors", errors={"subject": decide.not_allowed(user)})
            return
        values = view["state"]["values"]
        action_id = str(view["private_metadata"])
        errors = decide.edit(
            service,
            action_id,
            subject=_value(values, "subject") or "",
            body=_value(values, "body") or "",
            discount=_value(values, "discount"),
        )
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        service.later(lambda: _refresh(service, action_id))

    @app.view(REJECT_VIEW)
    def rejected(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        if not service.is_approver(user):
            ack(response_action="errors", errors={"reason": decide.not_allowed(user)})
            return
        values = view["state"]["values"]
        reason = _value(values, "reason")
        if reason not in {r.value for r in RejectReason}:
            ack(response_action="errors", errors={"reason": "Choose a reason."})
            return
        ack()
        action_id = str(view["private_metadata"])
        note = _value(values, "note")
        service.later(lambda: _reject(service, action_id, user, RejectReason(str(reason)), note))
