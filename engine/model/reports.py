"""What one cycle saw and did, as the renderers read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from engine.model.actions import Candidate
from engine.model.enums import (
    ActionKind,
    IssueKind,
)
from engine.model.issues import Issue
from engine.model.monitor import Kpis
from engine.money import Money


@dataclass(frozen=True, slots=True)
class ProposalView:
    """A proposal as a report shows it."""

    action_id: str
    kind: ActionKind
    title: str
    target_count: int
    expected_value: Money | None
    reason: str
    runnable: bool
    issue_kind: IssueKind | None


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What one cycle saw and did: data for the Slack and terminal renderers."""

    cycle_id: int
    ran_at: datetime
    kpis: Kpis
    opened: tuple[Issue, ...]
    resolved: tuple[Issue, ...]
    open_issues: tuple[Issue, ...]
    proposals: tuple[ProposalView, ...]
    advice: tuple[ProposalView, ...]
    pending_count: int
    expired_count: int
    step_ms: tuple[tuple[str, float], ...] = field(default=())
    lifts: tuple[tuple[str, str], ...] = ()  # (action kind, measured lift against its control)
    # The runnable candidates the learner chose among (for evaluation; not stored with the run).
    choices: tuple[Candidate, ...] = field(default=(), compare=False, repr=False)

    @property
    def needs_attention(self) -> bool:
        """True when people should be told: a new issue, a new proposal or a resolution."""
        return bool(self.opened or self.resolved or self.proposals)
