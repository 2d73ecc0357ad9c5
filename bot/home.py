"""App Home: KPIs, open issues, pending approvals and what the learner prefers now."""

from __future__ import annotations

from bot.blocks import stamp
from bot.render import home_view
from bot.slack_service import SlackService
from engine.learn import explain
from engine.model import ArmState

MIN_DECISIONS = 1


def preferences(arms: list[ArmState], currency: str) -> list[tuple[str, str]]:
    """Arms people have decided on, most preferred first, each with the learner's reason."""
    decided = [a for a in arms if a.approved + a.rejected >= MIN_DECISIONS and not a.disabled]
    decided.sort(key=lambda a: (a.approved / (a.approved + a.rejected), a.approved), reverse=True)
    return [(arm.arm, explain(arm, currency)) for arm in decided]


def publish_home(service: SlackService, user: str) -> None:
    """Publish the App Home tab for one user."""
    with service.runtime.database.uow() as uow:
        arms, _ = uow.learner.load()
    status = service.status()
    label = f"Updated {stamp(service.runtime.decision_time(), service.zone)}"
    currency = service.runtime.settings.currency
    view = home_view(status, preferences(list(arms.values()), currency), service.zone, label)
    service.client.views_publish(user_id=user, view=view)
