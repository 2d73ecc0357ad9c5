from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.model import (
    Action,
    ActionKind,
    ActionState,
    Candidate,
    Content,
    CycleReport,
    Issue,
    IssueKind,
    Kpis,
    ProposalView,
    Severity,
    Target,
)
from engine.money import Money
from engine.report import (
    FORMAT_VERSION,
    ReportFormatError,
    build_report,
    by_severity,
    proposal_view,
    report_from_dict,
    report_to_dict,
)

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)
KPIS = Kpis(
    revenue=Money(620_160, "USD"),
    revenue_growth_pct=-32.0,
    orders=61,
    orders_growth_pct=None,
    conversion_rate=0.0305,
    abandoned_carts=300,
    abandonment_rate=0.7142857142857143,
    payment_success_rate=None,
    churn_rate=0.072,
    errors=7,
    refunds=Money(4_500, "USD"),
    discounts=Money(0, "USD"),
)


def issue(issue_id: int, kind: IssueKind, severity: Severity, hours_ago: int = 1) -> Issue:
    return Issue(
        id=issue_id,
        kind=kind,
        severity=severity,
        dedup_key=kind.value,
        headline=f"{kind.value} headline",
        metric=32.5,
        threshold=15.0,
        evidence=(("Revenue", "$6,201.60"), ("Change", "-32%")),
        opened_at=NOW - timedelta(hours=hours_ago),
        updated_at=NOW,
    )


CARTS = issue(1, IssueKind.ABANDONED_CARTS, Severity.MEDIUM)
REVENUE = issue(2, IssueKind.REVENUE_DROP, Severity.CRITICAL)
ERRORS = issue(3, IssueKind.ERROR_SPIKE, Severity.CRITICAL)
CHURN_OLD = issue(5, IssueKind.HIGH_CHURN, Severity.HIGH, hours_ago=30)
CHURN_NEW = issue(4, IssueKind.HIGH_CHURN, Severity.HIGH, hours_ago=2)
EMAIL = ProposalView(
    action_id="a1",
    kind=ActionKind.CART_RECOVERY_EMAIL,
    title="Remind 12 shoppers of their carts",
    target_count=12,
    expected_value=Money(8_400, "USD"),
    reason="New: no history yet, exploring",
    runnable=True,
    issue_kind=IssueKind.ABANDONED_CARTS,
)
PRICE = ProposalView(
    action_id="a2",
    kind=ActionKind.PRICE_TEST,
    title="Test a 5% higher price on Mug",
    target_count=1,
    expected_value=None,
    reason="Approved 2 of 3, no results yet",
    runnable=False,
    issue_kind=None,
)


def report(**changes: Any) -> CycleReport:
    fields: dict[str, Any] = {
        "cycle_id": 42,
        "ran_at": NOW,
        "kpis": KPIS,
        "opened": [CARTS, REVENUE],
        "resolved": [replace(CHURN_OLD, resolved_at=NOW)],
        "open_issues": [CARTS, CHURN_NEW, REVENUE, ERRORS, CHURN_OLD],
        "proposals": [EMAIL],
        "advice": [PRICE],
        "pending_count": 3,
        "expired_count": 1,
        "step_ms": [("monitor", 12.5), ("detect", 3)],
        "lifts": [("cart_recovery_email", "+16.0 pts conversion over 48 held out of 480")],
    }
    return build_report(**{**fields, **changes})


def test_build_report_orders_issues_by_severity_then_table_then_age() -> None:
    built = report()
    assert built.open_issues == (REVENUE, ERRORS, CHURN_OLD, CHURN_NEW, CARTS)
    assert built.opened == (REVENUE, CARTS)
    assert built.proposals == (EMAIL,)
    assert built.advice == (PRICE,)
    assert built.step_ms == (("monitor", 12.5), ("detect", 3.0))
    assert isinstance(built.step_ms[1][1], float)
    assert built.needs_attention


def test_a_quiet_cycle_needs_no_attention() -> None:
    quiet = report(opened=[], resolved=[], proposals=[], advice=[PRICE])
    assert not quiet.needs_attention


def test_build_report_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="naive"):
        report(ran_at=datetime(2024, 5, 1, 12))  # noqa: DTZ001 - the naive time is the point


def test_by_severity_is_stable_for_equal_issues() -> None:
    assert by_severity([CHURN_NEW, CHURN_OLD, ERRORS]) == (ERRORS, CHURN_OLD, CHURN_NEW)


def test_proposal_view_of_an_action() -> None:
    candidate = Candidate(
        kind=ActionKind.PAYMENT_RETRY,
        variant="smart",
        title="Retry 2 failed payments",
        targets=(Target("payment:p1", value=1_000), Target("payment:p2", value=2_500)),
        content=Content(subject="Retry", body="Retrying p1 and p2"),
        issue_kind=IssueKind.PAYMENT_FAILURES,
        expected_value=Money(2_800, "EUR"),
        money_touching=True,
    )
    action = Action(
        id="act-7",
        candidate=candidate,
        state=ActionState.PROPOSED,
        content_hash="h",
        reason="Approved 12 of 15, 9 succeeded",
        created_at=NOW,
        expires_at=NOW + timedelta(hours=24),
    )
    assert proposal_view(action) == ProposalView(
        action_id="act-7",
        kind=ActionKind.PAYMENT_RETRY,
        title="Retry 2 failed payments",
        target_count=2,
        expected_value=Money(2_800, "EUR"),
        reason="Approved 12 of 15, 9 succeeded",
        runnable=True,
        issue_kind=IssueKind.PAYMENT_FAILURES,
    )


# --- codec ---------------------------------------------------------------------------------


def through_json(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data))


def test_round_trip_of_a_full_report() -> None:
    original = report()
    assert report_from_dict(through_json(report_to_dict(original))) == original


def test_reports_stored_before_lifts_existed_still_decode() -> None:
    data = through_json(report_to_dict(report()))
    del data["lifts"]
    assert report_from_dict(data) == report(lifts=())


def test_encoding_is_plain_and_readable() -> None:
    data = report_to_dict(report())
    assert data["version"] == FORMAT_VERSION
    assert data["ran_at"] == "2024-05-01T12:00:00+00:00"
    assert data["kpis"]["revenue"] == {"amount": 620_160, "currency": "USD"}
    assert data["kpis"]["payment_success_rate"] is None
    assert data["open_issues"][0]["kind"] == "revenue_drop"
    assert data["open_issues"][0]["severity"] == "critical"
    assert data["resolved"][0]["resolved_at"] == "2024-05-01T12:00:00+00:00"
    assert data["proposals"][0]["expected_value"] == {"amount": 8_400, "currency": "USD"}
    assert data["advice"][0]["issue_kind"] is None
    assert data["step_ms"] == [["monitor", 12.5], ["detect", 3.0]]


def test_offsets_survive_the_round_trip() -> None:
    kolkata = timezone(timedelta(hours=5, minutes=30))
    moment = datetime(2024, 5, 1, 17, 30, 0, 123_456, tzinfo=kolkata)
    original = report(ran_at=moment, opened=[replace(CARTS, snoozed_until=moment)])
    data = report_to_dict(original)
    assert data["ran_at"] == "2024-05-01T17:30:00.123456+05:30"
    back = report_from_dict(through_json(data))
    assert back == original
    assert back.ran_at.utcoffset() == timedelta(hours=5, minutes=30)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("version",), 99),
        (("cycle_id",), "42"),
        (("ran_at",), "2024-05-01T12:00:00"),  # no offset
        (("ran_at",), "yesterday"),
        (("kpis", "revenue", "amount"), 6201.6),
        (("kpis", "orders_growth_pct"), "12"),
        (("open_issues", 0, "kind"), "weather"),
        (("proposals", 0, "runnable"), "yes"),
        (("pending_count",), True),
    ],
)
def test_malformed_data_is_refused(path: tuple[str | int, ...], value: Any) -> None:
    data = through_json(report_to_dict(report()))
    holder = data
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    with pytest.raises(ReportFormatError):
        report_from_dict(data)


def test_missing_fields_are_refused() -> None:
    data = report_to_dict(report())
    del data["kpis"]["errors"]
    with pytest.raises(ReportFormatError, match="errors"):
        report_from_dict(data)


def test_naive_issue_times_are_not_encoded() -> None:
    naive = replace(CARTS, updated_at=datetime(2024, 5, 1, 12))  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        report_to_dict(report(opened=[naive]))


# --- codec, by property --------------------------------------------------------------------

OFFSETS = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC) | OFFSETS,
)
NUMBERS = st.floats(allow_nan=False, allow_infinity=False)
TEXT = st.text(max_size=30)
CURRENCY = st.sampled_from(["USD", "EUR", "JPY", "INR", "KWD"])
MONEY = st.builds(
    Money, amount=st.integers(min_value=-(10**15), max_value=10**15), currency=CURRENCY
)
ISSUES = st.builds(
    Issue,
    id=st.integers(min_value=1, max_value=10**9),
    kind=st.sampled_from(IssueKind),
    severity=st.sampled_from(Severity),
    dedup_key=TEXT,
    headline=TEXT,
    metric=NUMBERS,
    threshold=NUMBERS,
    evidence=st.lists(st.tuples(TEXT, TEXT), max_size=3).map(tuple),
    opened_at=MOMENTS,
    updated_at=MOMENTS,
    resolved_at=st.none() | MOMENTS,
    snoozed_until=st.none() | MOMENTS,
)
VIEWS = st.builds(
    ProposalView,
    action_id=TEXT,
    kind=st.sampled_from(ActionKind),
    title=TEXT,
    target_count=st.integers(min_value=0, max_value=10_000),
    expected_value=st.none() | MONEY,
    reason=TEXT,
    runnable=st.booleans(),
    issue_kind=st.none() | st.sampled_from(IssueKind),
)
RATES = st.none() | NUMBERS
KPI_VALUES = st.builds(
    Kpis,
    revenue=MONEY,
    revenue_growth_pct=RATES,
    orders=st.integers(min_value=0, max_value=10**9),
    orders_growth_pct=RATES,
    conversion_rate=RATES,
    abandoned_carts=st.integers(min_value=0, max_value=10**9),
    abandonment_rate=RATES,
    payment_success_rate=RATES,
    churn_rate=RATES,
    errors=st.integers(min_value=0, max_value=10**9),
    refunds=MONEY,
    discounts=MONEY,
)
REPORTS = st.builds(
    CycleReport,
    cycle_id=st.integers(min_value=1, max_value=10**12),
    ran_at=MOMENTS,
    kpis=KPI_VALUES,
    opened=st.lists(ISSUES, max_size=3).map(tuple),
    resolved=st.lists(ISSUES, max_size=3).map(tuple),
    open_issues=st.lists(ISSUES, max_size=3).map(tuple),
    proposals=st.lists(VIEWS, max_size=3).map(tuple),
    advice=st.lists(VIEWS, max_size=3).map(tuple),
    pending_count=st.integers(min_value=0, max_value=10_000),
    expired_count=st.integers(min_value=0, max_value=10_000),
    step_ms=st.lists(st.tuples(TEXT, NUMBERS), max_size=7).map(tuple),
)


@settings(max_examples=100, deadline=None)
@given(REPORTS)
def test_any_report_round_trips_through_json(original: CycleReport) -> None:
    assert report_from_dict(through_json(report_to_dict(original))) == original
