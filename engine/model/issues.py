"""What the detect step produces: findings, stored issues and the changes between them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.model.enums import (
    IssueKind,
    Severity,
)


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule that fired this cycle; becomes or updates an `Issue`."""

    kind: IssueKind
    severity: Severity
    dedup_key: str
    headline: str
    metric: float
    threshold: float
    evidence: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem that is (or was) open, as stored."""

    id: int
    kind: IssueKind
    severity: Severity
    dedup_key: str
    headline: str
    metric: float
    threshold: float
    evidence: tuple[tuple[str, str], ...]
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = None
    snoozed_until: datetime | None = None

    @property
    def is_open(self) -> bool:
        """True until the rule stops firing."""
        return self.resolved_at is None


@dataclass(frozen=True, slots=True)
class IssueChanges:
    """What reconciling this cycle's findings with the open issues does."""

    opened: tuple[Finding, ...]
    updated: tuple[tuple[Issue, Finding], ...]
    resolved: tuple[Issue, ...]
