from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.detect import detect, reconcile
from engine.model import (
    SEVERITY_RANK,
    ChurnCounts,
    Finding,
    Issue,
    IssueKind,
    KpiSnapshot,
    Severity,
    WindowCounts,
)
from engine.rules import Rules

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)
HEALTHY = WindowCounts(
    start=NOW - DAY,
    end=NOW,
    revenue=100_000,
    refunds=0,
    discounts=0,
    orders=100,
    sessions=2_000,
    carts=200,
    abandoned_carts=120,
    payment_attempts=200,
    payment_failures=4,
    errors=3,
)
RULES = Rules()


def snapshot(
    currency: str = "USD", active: int = 500, cancelled: int = 10, **current: Any
) -> KpiSnapshot:
    previous = replace(HEALTHY, start=NOW - 2 * DAY, end=NOW - DAY)
    churn = ChurnCounts(start=NOW - 30 * DAY, end=NOW, active_at_start=active, cancelled=cancelled)
    return KpiSnapshot(
        taken_at=NOW,
        currency=currency,
        current=replace(HEALTHY, **current),
        previous=previous,
        churn=churn,
    )


def kinds(found: list[Finding]) -> list[IssueKind]:
    return [finding.kind for finding in found]


def test_a_healthy_shop_has_no_findings() -> None:
    assert detect(snapshot(), RULES) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"revenue": 85_000}, []),  # exactly 15 % down: not more than 15 %
        ({"revenue": 84_999}, [IssueKind.REVENUE_DROP]),
        ({"revenue": 250_000}, []),
        ({"errors": 50}, []),
        ({"errors": 51}, [IssueKind.ERROR_SPIKE]),
        ({"cancelled": 25}, []),  # 5 % of 500
        ({"cancelled": 26}, [IssueKind.HIGH_CHURN]),
        ({"active": 0, "cancelled": 0}, []),
        ({"payment_failures": 20}, []),  # 90 % success
        ({"payment_failures": 21}, [IssueKind.PAYMENT_FAILURES]),
        ({"payment_attempts": 19, "payment_failures": 19}, []),  # too few attempts
        ({"payment_attempts": 20, "payment_failures": 3}, [IssueKind.PAYMENT_FAILURES]),
        ({"payment_attempts": 0, "payment_failures": 0}, []),
        ({"abandoned_carts": 160}, []),  # 80 %
        ({"abandoned_carts": 161}, [IssueKind.ABANDONED_CARTS]),
        ({"carts": 21, "abandoned_carts": 20}, []),  # 95 % but only 20 carts
        ({"carts": 22, "abandoned_carts": 21}, [IssueKind.ABANDONED_CARTS]),
        ({"carts": 0, "abandoned_carts": 0}, []),
        ({"orders": 60}, []),  # 3 % of 2,000
        ({"orders": 59}, [IssueKind.LOW_CONVERSION]),
        ({"sessions": 99, "orders": 0}, []),  # too little traffic
        ({"sessions": 100, "orders": 2}, [IssueKind.LOW_CONVERSION]),
        ({"sessions": 0, "orders": 0}, []),
    ],
)
def test_rule_thresholds(changes: dict[str, Any], expected: list[IssueKind]) -> None:
    assert kinds(detect(snapshot(**changes), RULES)) == expected


@pytest.mark.parametrize(
    ("rules", "changes", "expected"),
    [
        (Rules(error_spike_count=5), {"errors": 6}, [IssueKind.ERROR_SPIKE]),
        (Rules(revenue_drop_pct=50.0), {"revenue": 60_000}, []),
        (Rules(min_payment_attempts=500), {"payment_failures": 100}, []),
        (Rules(abandoned_carts_min=500), {"abandoned_carts": 190}, []),
        (Rules(abandonment_rate_max_pct=50.0), {}, [IssueKind.ABANDONED_CARTS]),
        (Rules(low_conversion_pct=5.5), {}, [IssueKind.LOW_CONVERSION]),
        (Rules(min_sessions=5_000), {"orders": 1}, []),
        (Rules(high_churn_pct=1.0), {}, [IssueKind.HIGH_CHURN]),
    ],
)
def test_thresholds_come_from_rules(
    rules: Rules, changes: dict[str, Any], expected: list[IssueKind]
) -> None:
    assert kinds(detect(snapshot(**changes), rules)) == expected


def test_revenue_drop_reads_like_the_design() -> None:
    shot = snapshot(revenue=620_160)
    shot = replace(shot, previous=replace(shot.previous, revenue=912_000))
    (found,) = detect(shot, RULES)
    assert (found.kind, found.severity, found.dedup_key) == (
        IssueKind.REVENUE_DROP,
        Severity.CRITICAL,
        "revenue_drop",
    )
    assert found.headline == "Revenue down 32% vs the previous 24 h ($9,120.00 → $6,201.60)"
    assert found.metric == pytest.approx(32.0)
    assert found.threshold == 15.0
    assert found.evidence == (
        ("Revenue", "$6,201.60 (previous 24 h: $9,120.00)"),
        ("Change", "-32% (threshold -15%)"),
        ("Orders", "100 (previous 24 h: 100)"),
    )


def test_payment_failures_evidence() -> None:
    (finding,) = detect(snapshot(payment_attempts=398, payment_failures=86), RULES)
    assert finding.kind is IssueKind.PAYMENT_FAILURES
    assert finding.severity is Severity.HIGH
    assert finding.headline == (
        "Payment success at 78.4% in the last 24 h (86 of 398 attempts failed)"
    )
    assert finding.metric == pytest.approx(78.39, abs=0.01)
    assert finding.threshold == 90.0
    assert finding.evidence == (
        ("Payment success", "78.4% (threshold 90%)"),
        ("Failed attempts", "86 of 398"),
        ("Previous 24 h", "98%"),
    )


@pytest.mark.parametrize(
    ("changes", "headline", "evidence"),
    [
        (
            {"errors": 1_204},
            "1,204 errors in the last 24 h (previous 24 h: 3)",
            (("Errors", "1,204 (threshold 50)"), ("Previous 24 h", "3")),
        ),
        (
            {"cancelled": 36},
            "Churn at 7.2% over the last 30 days (36 of 500 subscribers cancelled)",
            (("Churn", "7.2% (threshold 5%)"), ("Cancelled", "36 of 500 active at the start")),
        ),
        (
            {"carts": 480, "abandoned_carts": 412},
            "412 carts abandoned in the last 24 h (85.8% of 480 carts)",
            (
                ("Abandonment rate", "85.8% (threshold 80%)"),
                ("Abandoned carts", "412 of 480 (threshold 20)"),
                ("Previous 24 h", "60%"),
            ),
        ),
        (
            {"orders": 36},
            "Conversion at 1.8% in the last 24 h (36 orders from 2,000 sessions)",
            (
                ("Conversion", "1.8% (threshold 3%)"),
                ("Orders", "36 of 2,000 sessions"),
                ("Previous 24 h", "5%"),
            ),
        ),
    ],
)
def test_headlines_and_evidence(
    changes: dict[str, Any], headline: str, evidence: tuple[tuple[str, str], ...]
) -> None:
    (finding,) = detect(snapshot(**changes), RULES)
    assert finding.headline == headline
    assert finding.evidence == evidence
    assert finding.dedup_key == finding.kind.value


def test_money_is_formatted_in_the_shop_currency() -> None:
    found = detect(snapshot(currency="INR", revenue=50_000), RULES)
    assert found[0].headline == "Revenue down 50% vs the previous 24 h (₹1,000.00 → ₹500.00)"


def test_findings_are_sorted_most_severe_first_then_by_table_order() -> None:
    shot = snapshot(
        revenue=10_000,
        errors=80,
        cancelled=60,
        payment_failures=100,
        abandoned_carts=190,
        orders=10,
    )
    found = detect(shot, RULES)
    assert kinds(found) == list(IssueKind)
    assert [f.severity for f in found] == [
        Severity.CRITICAL,
        Severity.CRITICAL,
        Severity.HIGH,
        Severity.HIGH,
        Severity.MEDIUM,
        Severity.MEDIUM,
    ]
    ranks = [SEVERITY_RANK[f.severity] for f in found]
    assert ranks == sorted(ranks)


# --- reconcile -----------------------------------------------------------------------------


def finding(kind: IssueKind, headline: str = "now") -> Finding:
    return Finding(kind, Severity.HIGH, kind.value, headline, metric=1.0, threshold=2.0)


def issue(issue_id: int, key: str, *, resolved: bool = False) -> Issue:
    return Issue(
        id=issue_id,
        kind=IssueKind.HIGH_CHURN,
        severity=Severity.HIGH,
        dedup_key=key,
        headline="then",
        metric=1.0,
        threshold=2.0,
        evidence=(),
        opened_at=NOW - DAY,
        updated_at=NOW - DAY,
        resolved_at=NOW if resolved else None,
    )


CHURN = finding(IssueKind.HIGH_CHURN)
ERRORS = finding(IssueKind.ERROR_SPIKE)
OPEN_CHURN = issue(1, "high_churn")
OPEN_CARTS = issue(2, "abandoned_carts")
CLOSED_ERRORS = issue(3, "error_spike", resolved=True)


@pytest.mark.parametrize(
    ("open_issues", "findings", "opened", "updated", "resolved"),
    [
        ([], [], [], [], []),
        ([], [CHURN], [CHURN], [], []),
        ([OPEN_CHURN], [CHURN], [], [(OPEN_CHURN, CHURN)], []),
        ([OPEN_CHURN], [], [], [], [OPEN_CHURN]),
        ([OPEN_CHURN, OPEN_CARTS], [ERRORS, CHURN], [ERRORS], [(OPEN_CHURN, CHURN)], [OPEN_CARTS]),
        ([CLOSED_ERRORS], [ERRORS], [ERRORS], [], []),  # a resolved issue is not re-opened
    ],
)
def test_reconcile(
    open_issues: list[Issue],
    findings: list[Finding],
    opened: list[Finding],
    updated: list[tuple[Issue, Finding]],
    resolved: list[Issue],
) -> None:
    changes = reconcile(open_issues, findings)
    assert changes.opened == tuple(opened)
    assert changes.updated == tuple(updated)
    assert changes.resolved == tuple(resolved)


KEYS = st.sampled_from(["a", "b", "c", "d"])


@settings(max_examples=100, deadline=None)
@given(st.lists(KEYS, max_size=8), st.lists(KEYS, max_size=8))
def test_reconcile_partitions_issues_and_findings(
    issue_keys: list[str], finding_keys: list[str]
) -> None:
    issues = [issue(n, key) for n, key in enumerate(issue_keys)]
    findings = [
        replace(CHURN, dedup_key=key, headline=f"f{n}") for n, key in enumerate(finding_keys)
    ]
    changes = reconcile(issues, findings)

    issue_buckets = Counter(i.id for i, _ in changes.updated) + Counter(
        i.id for i in changes.resolved
    )
    assert issue_buckets == Counter(i.id for i in issues)
    finding_buckets = Counter(f.headline for f in changes.opened) + Counter(
        f.headline for _, f in changes.updated
    )
    assert finding_buckets == Counter(f.headline for f in findings)
    assert all(i.dedup_key == f.dedup_key for i, f in changes.updated)
    # A key is never both re-opened and resolved: that would be an update.
    opened_keys = {f.dedup_key for f in changes.opened}
    assert opened_keys.isdisjoint(i.dedup_key for i in changes.resolved)
