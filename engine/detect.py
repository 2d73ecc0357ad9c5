"""Detect: turn a `KpiSnapshot` into findings with the design's rules, and reconcile them (pure).

Comparisons are exact (fractions, not floats), so a value right at a threshold never fires.
A finding's `metric` and `threshold` use the unit of its rule in `engine.rules`: percent for
rates and changes (a revenue drop of 32 % has metric 32.0), a count for errors.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from datetime import timedelta
from fractions import Fraction

from engine.model import (
    SEVERITY_RANK,
    Finding,
    Issue,
    IssueChanges,
    IssueKind,
    KpiSnapshot,
    Severity,
    WindowCounts,
)
from engine.rules import Rules

_KIND_ORDER = {kind: index for index, kind in enumerate(IssueKind)}
_SECONDS_PER_HOUR = 3600
_HOURS_PER_DAY = 24


def detect(snapshot: KpiSnapshot, rules: Rules) -> list[Finding]:
    """Findings of every rule that fires, most severe first, then in the design table's order."""
    checks: tuple[Callable[[KpiSnapshot, Rules], Finding | None], ...] = (
        _revenue_drop,
        _error_spike,
        _high_churn,
        _payment_failures,
        _abandoned_carts,
        _low_conversion,
    )
    findings = [f for check in checks if (f := check(snapshot, rules)) is not None]
    return sorted(findings, key=lambda f: (SEVERITY_RANK[f.severity], _KIND_ORDER[f.kind]))


def reconcile(open_issues: Sequence[Issue], findings: Sequence[Finding]) -> IssueChanges:
    """Match findings to open issues by dedup key: update matches, open the rest, resolve silence.

    Issues already resolved are ignored. Should a key appear more than once, the n-th finding
    pairs with the n-th open issue of that key, so every finding and every open issue lands in
    exactly one bucket.
    """
    waiting: defaultdict[str, deque[Issue]] = defaultdict(deque)
    for issue in open_issues:
        if issue.is_open:
            waiting[issue.dedup_key].append(issue)
    opened: list[Finding] = []
    updated: list[tuple[Issue, Finding]] = []
    for finding in findings:
        matches = waiting[finding.dedup_key]
        if matches:
            updated.append((matches.popleft(), finding))
        else:
            opened.append(finding)
    paired = {id(issue) for issue, _ in updated}
    resolved = [i for i in open_issues if i.is_open and id(i) not in paired]
    return IssueChanges(opened=tuple(opened), updated=tuple(updated), resolved=tuple(resolved))


# --- Rules ---------------------------------------------------------------------------------


def _revenue_drop(snapshot: KpiSnapshot, rules: Rules) -> Finding | None:
    current, previous = snapshot.current, snapshot.previous
    if previous.revenue <= 0:
        return None
    drop = _percent(previous.revenue - current.revenue, previous.revenue)
    if drop <= _exact(rules.revenue_drop_pct):
        return None
    window = _span(current)
    now, before = snapshot.revenue.format(), snapshot.previous_revenue.format()
    return _finding(
        IssueKind.REVENUE_DROP,
        Severity.CRITICAL,
        f"Revenue down {_num(drop)}% vs the previous {window} ({before} → {now})",
        drop,
        rules.revenue_drop_pct,
        ("Revenue", f"{now} (previous {window}: {before})"),
        ("Change", f"-{_num(drop)}% (threshold -{_num(rules.revenue_drop_pct)}%)"),
        ("Orders", f"{current.orders:,} (previous {window}: {previous.orders:,})"),
    )


def _error_spike(snapshot: KpiSnapshot, rules: Rules) -> Finding | None:
    current, previous = snapshot.current, snapshot.previous
    if current.errors <= rules.error_spike_count:
        return None
    window = _span(current)
    return _finding(
        IssueKind.ERROR_SPIKE,
        Severity.CRITICAL,
        f"{current.errors:,} errors in the last {window} (previous {window}: {previous.errors:,})",
        current.errors,
        rules.error_spike_count,
        ("Errors", f"{current.errors:,} (threshold {rules.error_spike_count:,})"),
        (f"Previous {window}", f"{previous.errors:,}"),
    )


def _high_churn(snapshot: KpiSnapshot, rules: Rules) -> Finding | None:
    churn = snapshot.churn
    if churn.active_at_start <= 0:
        return None
    rate = _percent(churn.cancelled, churn.active_at_start)
    if rate <= _exact(rules.high_churn_pct):
        return None
    period = _duration(churn.end - churn.start)
    cancelled = f"{churn.cancelled:,} of {churn.active_at_start:,}"
    return _finding(
        IssueKind.HIGH_CHURN,
        Severity.HIGH,
        f"Churn at {_num(rate)}% over the last {period} ({cancelled} subscribers cancelled)",
        rate,
        rules.high_churn_pct,
        ("Churn", f"{_num(rate)}% (threshold {_num(rules.high_churn_pct)}%)"),
        ("Cancelled", f"{cancelled} active at the start"),
    )


def _payment_failures(snapshot: KpiSnapshot, rules: Rules) -> Finding | None:
    current, before = snapshot.current, snapshot.previous
    attempts, failures = current.payment_attempts, current.payment_failures
    if attempts < max(rules.min_payment_attempts, 1):
        return None
    success = _percent(_succeeded(current), attempts)
    if success >= _exact(rules.payment_success_min_pct):
        return None
    window = _span(current)
    return _finding(
        IssueKind.PAYMENT_FAILURES,
        Severity.HIGH,
        f"Payment success at {_num(success)}% in the last {window} "
        f"({failures:,} of {attempts:,} attempts failed)",
        success,
        rules.payment_success_min_pct,
        ("Payment success", f"{_num(success)}% (threshold {_num(rules.payment_success_min_pct)}%)"),
        ("Failed attempts", f"{failures:,} of {attempts:,}"),
        _previous_rate(before, _succeeded(before), before.payment_attempts),
    )


def _abandoned_carts(snapshot: KpiSnapshot, rules: Rules) -> Finding | None:
    current, before = snapshot.current, snapshot.previous
    abandoned, carts = current.abandoned_carts, current.carts
    if abandoned <= rules.abandoned_carts_min or carts <= 0:
        return None
    rate = _percent(abandoned, carts)
    if rate <= _exact(rules.abandonment_rate_max_pct):
        return None
    window = _span(current)
    return _finding(
        IssueKind.ABANDONED_CARTS,
        Severity.MEDIUM,
        f"{abandoned:,} carts abandoned in the last {window} ({_num(rate)}% of {carts:,} carts)",
        rate,
        rules.abandonment_rate_max_pct,
        ("Abandonment rate", f"{_num(rate)}% (threshold {_num(rules.abandonment_rate_max_pct)}%)"),
        (
            "Abandoned carts",
            f"{abandoned:,} of {carts:,} (threshold {rules.abandoned_carts_min:,})",
        ),
        _previous_rate(before, before.abandoned_carts, before.carts),
    )


def _low_conversion(snapshot: KpiSnapshot, rules: Rules) -> Finding | None:
    current, before = snapshot.current, snapshot.previous
    if current.sessions < max(rules.min_sessions, 1):
        return None
    rate = _percent(current.orders, current.sessions)
    if rate >= _exact(rules.low_conversion_pct):
        return None
    window = _span(current)
    volume = f"{current.orders:,} orders from {current.sessions:,} sessions"
    return _finding(
        IssueKind.LOW_CONVERSION,
        Severity.MEDIUM,
        f"Conversion at {_num(rate)}% in the last {window} ({volume})",
        rate,
        rules.low_conversion_pct,
        ("Conversion", f"{_num(rate)}% (threshold {_num(rules.low_conversion_pct)}%)"),
        ("Orders", f"{current.orders:,} of {current.sessions:,} sessions"),
        _previous_rate(before, before.orders, before.sessions),
    )


# --- Helpers -------------------------------------------------------------------------------


def _finding(
    kind: IssueKind,
    severity: Severity,
    headline: str,
    metric: Fraction | int,
    threshold: float,
    *evidence: tuple[str, str] | None,
) -> Finding:
    return Finding(
        kind=kind,
        severity=severity,
        dedup_key=kind.value,
        headline=headline,
        metric=float(metric),
        threshold=float(threshold),
        evidence=tuple(pair for pair in evidence if pair is not None),
    )


def _previous_rate(previous: WindowCounts, part: int, whole: int) -> tuple[str, str] | None:
    """The same rate in the comparison window, as context; None when it is undefined."""
    if whole <= 0:
        return None
    return (f"Previous {_span(previous)}", f"{_num(_percent(part, whole))}%")


def _succeeded(window: WindowCounts) -> int:
    return window.payment_attempts - window.payment_failures


def _percent(part: int, whole: int) -> Fraction:
    return Fraction(part * 100, whole)


def _exact(value: float) -> Fraction:
    # Via str so that a configured 0.1 means one tenth, not the nearest binary float.
    return Fraction(str(value))


def _num(value: Fraction | float) -> str:
    """One decimal place at most: 32.0 -> '32', 78.39 -> '78.4'."""
    text = f"{float(value):,.1f}"
    return text.removesuffix(".0")


def _span(window: WindowCounts) -> str:
    return _duration(window.end - window.start)


def _duration(span: timedelta) -> str:
    hours = span.total_seconds() / _SECONDS_PER_HOUR
    if hours >= 2 * _HOURS_PER_DAY and hours % _HOURS_PER_DAY == 0:
        return f"{int(hours // _HOURS_PER_DAY)} days"
    return f"{_num(hours)} h"
