"""Contract: KPI snapshots and issues."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from engine.model import (
    ChurnCounts,
    Finding,
    IssueKind,
    KpiSnapshot,
    Severity,
    WindowCounts,
)
from engine.store import ConflictError, Database
from tests.conftest import T0


def _window(end_hours: int, revenue: int) -> WindowCounts:
    end = T0 + timedelta(hours=end_hours)
    return WindowCounts(
        start=end - timedelta(hours=24),
        end=end,
        revenue=revenue,
        refunds=1_200,
        discounts=3_400,
        orders=41,
        sessions=1_900,
        carts=77,
        abandoned_carts=36,
        payment_attempts=45,
        payment_failures=4,
        errors=3,
    )


def _snapshot(hours: int, revenue: int = 9_876_543_210) -> KpiSnapshot:
    return KpiSnapshot(
        taken_at=T0 + timedelta(hours=hours),
        currency="JPY",
        current=_window(hours, revenue),
        previous=_window(hours - 24, 123_456),
        churn=ChurnCounts(start=T0 - timedelta(days=30), end=T0, active_at_start=500, cancelled=12),
    )


def _finding(metric: float = 32.5, severity: Severity = Severity.CRITICAL) -> Finding:
    return Finding(
        kind=IssueKind.REVENUE_DROP,
        severity=severity,
        dedup_key="revenue_drop",
        headline="Revenue down 32.5% vs the previous 24 h",
        metric=metric,
        threshold=15.0,
        evidence=(("revenue", "$1,234.00"), ("previous", "$1,828.15")),
    )


def test_snapshot_round_trip(database: Database) -> None:
    snapshots = [_snapshot(0), _snapshot(1, revenue=5), _snapshot(2, revenue=0)]
    with database.uow() as uow:
        ids = [uow.snapshots.add(snapshot) for snapshot in snapshots]
        uow.commit()
    assert len(set(ids)) == 3
    with database.uow() as uow:
        assert uow.snapshots.latest() == snapshots[2]
        assert uow.snapshots.since(T0 + timedelta(hours=1)) == snapshots[1:]
        assert uow.snapshots.since(T0 - timedelta(days=1)) == snapshots
        latest = uow.snapshots.latest()
    assert latest is not None
    assert latest.current.start.tzinfo is UTC


def test_no_snapshot_yet(database: Database) -> None:
    with database.uow() as uow:
        assert uow.snapshots.latest() is None
        assert uow.snapshots.since(T0) == []


def test_uncommitted_work_is_rolled_back(database: Database) -> None:
    with database.uow() as uow:
        uow.snapshots.add(_snapshot(0))
    with database.uow() as uow:
        assert uow.snapshots.latest() is None


def test_issue_open_update_resolve(database: Database) -> None:
    with database.uow() as uow:
        opened = uow.issues.open(_finding(), T0)
        uow.commit()
    assert opened.is_open
    assert opened.opened_at == opened.updated_at == T0
    assert opened.evidence == _finding().evidence
    later = T0 + timedelta(hours=1)
    with database.uow() as uow:
        updated = uow.issues.update(opened.id, _finding(40.0, Severity.HIGH), later)
        uow.commit()
    assert (updated.metric, updated.severity, updated.updated_at) == (40.0, Severity.HIGH, later)
    assert updated.opened_at == T0
    with database.uow() as uow:
        resolved = uow.issues.resolve(opened.id, later + timedelta(hours=1))
        assert uow.issues.open_issues() == []
        assert uow.issues.get(opened.id) == resolved
        uow.commit()
    assert resolved.resolved_at == later + timedelta(hours=1)
    assert not resolved.is_open


def test_one_open_issue_per_dedup_key(database: Database) -> None:
    with database.uow() as uow:
        first = uow.issues.open(_finding(), T0)
        with pytest.raises(ConflictError, match="revenue_drop"):
            uow.issues.open(_finding(), T0)
        # The failed open did not break the transaction.
        assert [issue.id for issue in uow.issues.open_issues()] == [first.id]
        uow.issues.resolve(first.id, T0 + timedelta(hours=1))
        second = uow.issues.open(_finding(), T0 + timedelta(hours=2))
        uow.commit()
    assert second.id != first.id
    with database.uow() as uow:
        assert [issue.id for issue in uow.issues.open_issues()] == [second.id]


def test_updating_a_resolved_issue_is_refused(database: Database) -> None:
    with database.uow() as uow:
        issue = uow.issues.open(_finding(), T0)
        uow.issues.resolve(issue.id, T0)
        with pytest.raises(ConflictError):
            uow.issues.update(issue.id, _finding(), T0)
        with pytest.raises(LookupError):
            uow.issues.resolve(issue.id + 100, T0)


def test_open_issues_most_severe_first(database: Database) -> None:
    kinds = [
        (IssueKind.LOW_CONVERSION, Severity.MEDIUM),
        (IssueKind.ERROR_SPIKE, Severity.CRITICAL),
        (IssueKind.HIGH_CHURN, Severity.HIGH),
    ]
    with database.uow() as uow:
        for kind, severity in kinds:
            finding = Finding(kind, severity, kind.value, kind.value, 1.0, 2.0)
            uow.issues.open(finding, T0)
        uow.commit()
    with database.uow() as uow:
        severities = [issue.severity for issue in uow.issues.open_issues()]
    assert severities == [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM]


def test_snooze_and_alert_bookkeeping(database: Database) -> None:
    until = T0 + timedelta(hours=4)
    with database.uow() as uow:
        issue = uow.issues.open(_finding(), T0)
        assert uow.issues.snooze(issue.id, until).snoozed_until == until
        uow.slack.set_issue_alert(issue.id, "C123", "1700000000.000100")
        assert uow.slack.acknowledge_issue(issue.id, "U1", T0)
        assert not uow.slack.acknowledge_issue(issue.id, "U2", T0 + timedelta(minutes=1))
        uow.slack.mark_issue_reminded(issue.id, T0 + timedelta(minutes=30))
        uow.commit()
    with database.uow() as uow:
        alert = uow.slack.issue_alert(issue.id)
        assert uow.slack.issue_alert(issue.id + 100) is None
    assert alert is not None
    assert (alert.channel, alert.ts) == ("C123", "1700000000.000100")
    assert (alert.acknowledged_by, alert.acknowledged_at) == ("U1", T0)
    assert alert.last_reminded_at == T0 + timedelta(minutes=30)
