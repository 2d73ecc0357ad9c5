"""Self-monitoring: stale data reaches the channel and the on-call users, once per stale spell."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import alerts
from bot.blocks import stamp
from bot.decide import text_message
from bot.slack_service import SlackService

STALE_KEY = "slack_stale_notified"
GRACE = timedelta(minutes=15)


def stale_since(service: SlackService, now: datetime) -> datetime | None:
    """When the newest snapshot was taken, if that is more than two intervals (and grace) ago."""
    with service.runtime.database.uow() as uow:
        latest = uow.snapshots.latest()
    if latest is None:
        return None
    allowed = 2 * timedelta(seconds=service.settings.interval_seconds) + GRACE
    return latest.taken_at if now - latest.taken_at > allowed else None


def notify_stale(service: SlackService, now: datetime) -> bool:
    """Tell the channel and on-call once that data is stale; True when told now."""
    since = stale_since(service, now)
    if since is None:
        return False
    with service.runtime.database.uow() as uow:
        if uow.state.get(STALE_KEY) == since.isoformat():
            return False
        uow.state.set(STALE_KEY, since.isoformat())
        uow.commit()
    hours = (now - since).total_seconds() / 3600
    text = (
        f"Data is stale: the newest snapshot is from {stamp(since, service.zone)} "
        f"({hours:.1f} h ago); scheduled cycles are not completing. Check `income serve`'s log."
    )
    message = text_message(text)
    service.post(service.channel(), message)
    alerts.dm(service, service.settings.oncall, message)
    return True
