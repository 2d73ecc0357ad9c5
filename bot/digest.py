"""The daily digest: the last 7 days of revenue and orders against the week before, as a PNG."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from matplotlib.figure import Figure

from bot.blocks import escape
from bot.slack_service import SlackService
from engine.clock import local
from engine.logs import event
from engine.money import Money, exponent
from engine.ports import ShopSource

log = logging.getLogger("income.slack")
DIGEST_KEY = "slack_digest_day"
DAYS = 7


@dataclass(frozen=True, slots=True)
class Day:
    """One local day's paid revenue (minor units) and orders."""

    start: datetime
    revenue: int
    orders: int


def daily_series(source: ShopSource, today: datetime, zone: ZoneInfo) -> list[Day]:
    """The 14 full local days before `today`'s local midnight, oldest first."""
    midnight = datetime.combine(local(today, zone).date(), time(), tzinfo=zone)
    days = []
    for back in range(2 * DAYS, 0, -1):
        start = midnight - timedelta(days=back)
        counts = source.window(start, start + timedelta(days=1))
        days.append(Day(start, counts.revenue, counts.orders))
    return days


def chart_png(days: list[Day], currency: str) -> bytes:
    """Two panels (revenue, orders): this week solid, the week before dashed."""
    before, week = days[:DAYS], days[DAYS:]
    labels = [day.start.strftime("%a %d") for day in week]
    figure = Figure(figsize=(8, 5), dpi=100)
    revenue, orders = figure.subplots(2, 1, sharex=True)
    scale = 10 ** exponent(currency)
    revenue.plot(labels, [d.revenue / scale for d in week], marker="o", label="last 7 days")
    revenue.plot(labels, [d.revenue / scale for d in before], linestyle="--", label="week before")
    revenue.set_ylabel(f"Revenue ({currency})")
    revenue.legend(loc="upper left")
    orders.plot(labels, [d.orders for d in week], marker="o")
    orders.plot(labels, [d.orders for d in before], linestyle="--")
    orders.set_ylabel("Orders")
    figure.suptitle("Revenue and orders: the last 7 days vs the week before")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def digest_text(days: list[Day], currency: str) -> str:
    """The digest's one-line summary: the week's revenue and orders against the week before."""
    week = sum(d.revenue for d in days[DAYS:])
    before = sum(d.revenue for d in days[:DAYS])
    orders, orders_before = sum(d.orders for d in days[DAYS:]), sum(d.orders for d in days[:DAYS])
    change = f"{(week - before) / before * 100:+.1f}%" if before else "no comparison"
    return (
        f"Daily digest: {Money(week, currency).format()} revenue and {orders:,} orders in the "
        f"last 7 days ({change} vs {Money(before, currency).format()}, {orders_before:,} orders)"
    )


def post_digest(service: SlackService) -> str:
    """Compute the series, draw the chart and upload it to the channel; return the text."""
    runtime = service.runtime
    days = daily_series(runtime.ports.source, runtime.decision_time(), service.zone)
    currency = runtime.ports.source.currency
    text = escape(digest_text(days, currency))
    service.client.files_upload_v2(
        channel=service.channel(),
        content=chart_png(days, currency),
        filename="income-digest.png",
        title="Revenue and orders, last 7 days",
        initial_comment=text,
    )
    event(log, "digest_posted")
    return text


def digest_due(service: SlackService) -> bool:
    """True once a day, at or after `INCOME_DIGEST_HOUR` local time, until it is posted."""
    now = local(service.runtime.decision_time(), service.zone)
    if now.hour < service.settings.digest_hour:
        return False
    with service.runtime.database.uow() as uow:
        return uow.state.get(DIGEST_KEY) != now.date().isoformat()


def daily_digest(service: SlackService) -> None:
    """The digest job: post today's digest once, when due."""
    if not digest_due(service):
        return
    post_digest(service)
    day = local(service.runtime.decision_time(), service.zone).date().isoformat()
    with service.runtime.database.uow() as uow:
        uow.state.set(DIGEST_KEY, day)
        uow.commit()
