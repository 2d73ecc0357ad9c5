"""Open and resolved issues."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.model import SEVERITY_RANK, Finding, Issue, IssueKind, Severity
from engine.store.errors import ConflictError
from engine.store.sql import changed_rows, table_of, upsert_insert
from engine.store.tables import IssueRow


class SqlIssueRepository:
    """Issues in `issues`; a partial unique index keeps one open issue per dedup key."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def open_issues(self) -> list[Issue]:
        """Issues not yet resolved, most severe first (then oldest first)."""
        query = select(IssueRow).where(IssueRow.resolved_at.is_(None)).order_by(IssueRow.id)
        issues = [_issue(row) for row in self._session.scalars(query)]
        return sorted(issues, key=lambda issue: (SEVERITY_RANK[issue.severity], issue.opened_at))

    def get(self, issue_id: int) -> Issue | None:
        """One issue by id."""
        row = self._row(issue_id)
        return _issue(row) if row else None

    def open(self, finding: Finding, now: datetime) -> Issue:
        """Open a new issue; ConflictError when one with the dedup key is already open."""
        statement = (
            upsert_insert(self._session, table_of(IssueRow))
            .values(**_finding_columns(finding), opened_at=now, updated_at=now)
            .on_conflict_do_nothing(
                index_elements=["dedup_key"], index_where=IssueRow.resolved_at.is_(None)
            )
            .returning(IssueRow.id)
        )
        issue_id = self._session.execute(statement).scalar_one_or_none()
        if issue_id is None:
            raise ConflictError(f"an issue with dedup key {finding.dedup_key!r} is already open")
        return self._existing(issue_id)

    def update(self, issue_id: int, finding: Finding, now: datetime) -> Issue:
        """Refresh an open issue's metric, severity, headline and evidence."""
        changed = changed_rows(
            self._session,
            update(IssueRow)
            .where(IssueRow.id == issue_id, IssueRow.resolved_at.is_(None))
            .values(**_finding_columns(finding), updated_at=now),
        )
        issue = self._existing(issue_id)
        if not changed:
            raise ConflictError(f"issue {issue_id} is resolved and cannot be updated")
        return issue

    def resolve(self, issue_id: int, now: datetime) -> Issue:
        """Mark an open issue resolved (resolving a resolved issue changes nothing)."""
        changed_rows(
            self._session,
            update(IssueRow)
            .where(IssueRow.id == issue_id, IssueRow.resolved_at.is_(None))
            .values(resolved_at=now, updated_at=now),
        )
        return self._existing(issue_id)

    def snooze(self, issue_id: int, until: datetime) -> Issue:
        """Silence an issue's alerts until a moment."""
        changed_rows(
            self._session,
            update(IssueRow).where(IssueRow.id == issue_id).values(snoozed_until=until),
        )
        return self._existing(issue_id)

    def _row(self, issue_id: int) -> IssueRow | None:
        return self._session.get(IssueRow, issue_id, populate_existing=True)

    def _existing(self, issue_id: int) -> Issue:
        row = self._row(issue_id)
        if row is None:
            raise LookupError(f"no issue with id {issue_id}")
        return _issue(row)


def _finding_columns(finding: Finding) -> dict[str, object]:
    return {
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "dedup_key": finding.dedup_key,
        "headline": finding.headline,
        "metric": finding.metric,
        "threshold": finding.threshold,
        "evidence": [[label, value] for label, value in finding.evidence],
    }


def _issue(row: IssueRow) -> Issue:
    return Issue(
        id=row.id,
        kind=IssueKind(row.kind),
        severity=Severity(row.severity),
        dedup_key=row.dedup_key,
        headline=row.headline,
        metric=row.metric,
        threshold=row.threshold,
        evidence=tuple((str(label), str(value)) for label, value in row.evidence),
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        resolved_at=row.resolved_at,
        snoozed_until=row.snoozed_until,
    )
