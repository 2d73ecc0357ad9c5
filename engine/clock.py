"""Time helpers: timezone-aware UTC inside, the business's timezone only for display."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock, timezone-aware UTC."""
    return datetime.now(UTC)


def require_aware(moment: datetime) -> datetime:
    """Return the moment in UTC, refusing naive datetimes."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()} (use timezone-aware UTC)")
    return moment.astimezone(UTC)


def floor_hour(moment: datetime) -> datetime:
    """The start of the UTC hour containing the moment."""
    return require_aware(moment).replace(minute=0, second=0, microsecond=0)


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The moment in the business's timezone, for display and seasonality."""
    return require_aware(moment).astimezone(zone)


def as_utc(moment: datetime) -> datetime:
    """Attach UTC to a naive datetime read back from SQLite; convert aware ones."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
