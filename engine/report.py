"""Report: assemble a cycle's `CycleReport` and convert it to and from JSON-able data (pure).

The store keeps reports as JSON and `/income report` re-renders the last one, so the codec
round-trips exactly: datetimes as ISO 8601 with their offset, Money as {"amount", "currency"},
enums by value, tuples as lists. Reading data of another format version or shape raises
`ReportFormatError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from engine.model import (
    SEVERITY_RANK,
    Action,
    ActionKind,
    CycleReport,
    Issue,
    IssueKind,
    Kpis,
    ProposalView,
    Severity,
)
from engine.money import Money

FORMAT_VERSION = 1
_KIND_ORDER = {kind: index for index, kind in enumerate(IssueKind)}


class ReportFormatError(ValueError):
    """Stored report data that this version cannot read."""


def build_report(
    *,
    cycle_id: int,
    ran_at: datetime,
    kpis: Kpis,
    opened: Sequence[Issue],
    resolved: Sequence[Issue],
    open_issues: Sequence[Issue],
    proposals: Sequence[ProposalView],
    advice: Sequence[ProposalView],
    pending_count: int,
    expired_count: int,
    step_ms: Iterable[tuple[str, float]] = (),
    lifts: Iterable[tuple[str, str]] = (),
) -> CycleReport:
    """The report of one cycle; issues most severe first, proposals in the order given."""
    if ran_at.tzinfo is None:
        raise ValueError(f"naive ran_at {ran_at.isoformat()} (use timezone-aware UTC)")
    return CycleReport(
        cycle_id=cycle_id,
        ran_at=ran_at,
        kpis=kpis,
        opened=by_severity(opened),
        resolved=tuple(resolved),
        open_issues=by_severity(open_issues),
        proposals=tuple(proposals),
        advice=tuple(advice),
        pending_count=pending_count,
        expired_count=expired_count,
        step_ms=tuple((name, float(ms)) for name, ms in step_ms),
        lifts=tuple(lifts),
    )


def by_severity(issues: Iterable[Issue]) -> tuple[Issue, ...]:
    """Issues most severe first, then in the design table's order, then oldest first."""
    return tuple(
        sorted(issues, key=lambda i: (SEVERITY_RANK[i.severity], _KIND_ORDER[i.kind], i.opened_at))
    )


def proposal_view(action: Action) -> ProposalView:
    """How a report shows a stored proposal."""
    candidate = action.candidate
    return ProposalView(
        action_id=action.id,
        kind=candidate.kind,
        title=candidate.title,
        target_count=len(candidate.targets),
        expected_value=candidate.expected_value,
        reason=action.reason,
        runnable=candidate.runnable,
        issue_kind=candidate.issue_kind,
    )


# --- JSON codec ----------------------------------------------------------------------------


def report_to_dict(report: CycleReport) -> dict[str, Any]:
    """The report as JSON-able data (dicts, lists, str, int, float, bool, None)."""
    return {
        "version": FORMAT_VERSION,
        "cycle_id": report.cycle_id,
        "ran_at": _time_out(report.ran_at),
        "kpis": _kpis_out(report.kpis),
        "opened": [_issue_out(issue) for issue in report.opened],
        "resolved": [_issue_out(issue) for issue in report.resolved],
        "open_issues": [_issue_out(issue) for issue in report.open_issues],
        "proposals": [_view_out(view) for view in report.proposals],
        "advice": [_view_out(view) for view in report.advice],
        "pending_count": report.pending_count,
        "expired_count": report.expired_count,
        "step_ms": [[name, ms] for name, ms in report.step_ms],
        "lifts": [[kind, line] for kind, line in report.lifts],
    }


def report_from_dict(data: Mapping[str, Any]) -> CycleReport:
    """The report `report_to_dict` produced; ReportFormatError when the data is not one."""
    version = data.get("version")
    if version != FORMAT_VERSION:
        raise ReportFormatError(f"report format {version!r} is not {FORMAT_VERSION}")
    try:
        return CycleReport(
            cycle_id=_int(data["cycle_id"]),
            ran_at=_time_in(data["ran_at"]),
            kpis=_kpis_in(data["kpis"]),
            opened=tuple(_issue_in(item) for item in data["opened"]),
            resolved=tuple(_issue_in(item) for item in data["resolved"]),
            open_issues=tuple(_issue_in(item) for item in data["open_issues"]),
            proposals=tuple(_view_in(item) for item in data["proposals"]),
            advice=tuple(_view_in(item) for item in data["advice"]),
            pending_count=_int(data["pending_count"]),
            expired_count=_int(data["expired_count"]),
            step_ms=tuple((_str(name), _float(ms)) for name, ms in data["step_ms"]),
            lifts=tuple((_str(kind), _str(line)) for kind, line in data.get("lifts", ())),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ReportFormatError(f"malformed report: {type(error).__name__}: {error}") from error


def _kpis_out(kpis: Kpis) -> dict[str, Any]:
    return {
        "revenue": _money_out(kpis.revenue),
        "revenue_growth_pct": kpis.revenue_growth_pct,
        "orders": kpis.orders,
        "orders_growth_pct": kpis.orders_growth_pct,
        "conversion_rate": kpis.conversion_rate,
        "abandoned_carts": kpis.abandoned_carts,
        "abandonment_rate": kpis.abandonment_rate,
        "payment_success_rate": kpis.payment_success_rate,
        "churn_rate": kpis.churn_rate,
        "errors": kpis.errors,
        "refunds": _money_out(kpis.refunds),
        "discounts": _money_out(kpis.discounts),
    }


def _kpis_in(data: Mapping[str, Any]) -> Kpis:
    return Kpis(
        revenue=_money_in(data["revenue"]),
        revenue_growth_pct=_float_or_none(data["revenue_growth_pct"]),
        orders=_int(data["orders"]),
        orders_growth_pct=_float_or_none(data["orders_growth_pct"]),
        conversion_rate=_float_or_none(data["conversion_rate"]),
        abandoned_carts=_int(data["abandoned_carts"]),
        abandonment_rate=_float_or_none(data["abandonment_rate"]),
        payment_success_rate=_float_or_none(data["payment_success_rate"]),
        churn_rate=_float_or_none(data["churn_rate"]),
        errors=_int(data["errors"]),
        refunds=_money_in(data["refunds"]),
        discounts=_money_in(data["discounts"]),
    )


def _issue_out(issue: Issue) -> dict[str, Any]:
    return {
        "id": issue.id,
        "kind": issue.kind.value,
        "severity": issue.severity.value,
        "dedup_key": issue.dedup_key,
        "headline": issue.headline,
        "metric": issue.metric,
        "threshold": issue.threshold,
        "evidence": [[label, value] for label, value in issue.evidence],
        "opened_at": _time_out(issue.opened_at),
        "updated_at": _time_out(issue.updated_at),
        "resolved_at": _maybe_time_out(issue.resolved_at),
        "snoozed_until": _maybe_time_out(issue.snoozed_until),
    }


def _issue_in(data: Mapping[str, Any]) -> Issue:
    return Issue(
        id=_int(data["id"]),
        kind=IssueKind(data["kind"]),
        severity=Severity(data["severity"]),
        dedup_key=_str(data["dedup_key"]),
        headline=_str(data["headline"]),
        metric=_float(data["metric"]),
        threshold=_float(data["threshold"]),
        evidence=tuple((_str(label), _str(value)) for label, value in data["evidence"]),
        opened_at=_time_in(data["opened_at"]),
        updated_at=_time_in(data["updated_at"]),
        resolved_at=_maybe_time_in(data["resolved_at"]),
        snoozed_until=_maybe_time_in(data["snoozed_until"]),
    )


def _view_out(view: ProposalView) -> dict[str, Any]:
    return {
        "action_id": view.action_id,
        "kind": view.kind.value,
        "title": view.title,
        "target_count": view.target_count,
        "expected_value": None if view.expected_value is None else _money_out(view.expected_value),
        "reason": view.reason,
        "runnable": view.runnable,
        "issue_kind": view.issue_kind.value if view.issue_kind is not None else None,
    }


def _view_in(data: Mapping[str, Any]) -> ProposalView:
    value = data["expected_value"]
    issue_kind = data["issue_kind"]
    runnable = data["runnable"]
    if not isinstance(runnable, bool):
        raise TypeError(f"runnable must be true or false, got {runnable!r}")
    return ProposalView(
        action_id=_str(data["action_id"]),
        kind=ActionKind(data["kind"]),
        title=_str(data["title"]),
        target_count=_int(data["target_count"]),
        expected_value=_money_in(value) if value is not None else None,
        reason=_str(data["reason"]),
        runnable=runnable,
        issue_kind=IssueKind(issue_kind) if issue_kind is not None else None,
    )


def _money_out(money: Money) -> dict[str, Any]:
    return {"amount": money.amount, "currency": money.currency}


def _money_in(data: Mapping[str, Any]) -> Money:
    return Money(data["amount"], _str(data["currency"]))


def _time_out(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()} cannot be stored without offset")
    return moment.isoformat()


def _maybe_time_out(moment: datetime | None) -> str | None:
    return None if moment is None else _time_out(moment)


def _maybe_time_in(text: Any) -> datetime | None:
    return None if text is None else _time_in(text)


def _time_in(text: Any) -> datetime:
    moment = datetime.fromisoformat(_str(text))
    if moment.tzinfo is None:
        raise ValueError(f"datetime {text!r} has no UTC offset")
    return moment


def _float_or_none(value: Any) -> float | None:
    return None if value is None else _float(value)


def _float(value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value
