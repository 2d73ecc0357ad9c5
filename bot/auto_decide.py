"""`income demo --auto-decide`: a simulated owner decides pending demo proposals.

Decisions go through the same repository calls as `income approve` / `income reject` and the
Slack buttons (`uow.actions.approve` with the content hash seen, `uow.actions.reject` with a
reason), so the learner gets the same APPROVED / REJECTED events; ignored proposals expire in
the cycle as any undecided proposal does. The owner's taste is the demo shop's hidden truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.bootstrap import Runtime
from engine.contact_policy import FREQUENCY_WINDOW, MAX_MARKETING_EMAILS, exclusions
from engine.cycle import PENDING_LIMIT
from engine.demo import DemoNotStartedError
from engine.demo.decider import Decider, Decision, Verdict
from engine.demo.preferences import Preferences, draw_preferences
from engine.demo.truth import Truth
from engine.demo.worth import Worth, true_worth
from engine.model import (
    Action,
    ActionState,
    Candidate,
    CycleReport,
    RejectReason,
    TargetState,
)
from engine.ports import DecisionOutcome
from engine.store.executions import TargetRecord

AUTO_ACTOR = "auto:demo"
NOTE = "simulated owner (income demo --auto-decide)"


@dataclass(frozen=True, slots=True)
class Decided:
    """One proposal the simulated owner looked at, what they did and what it was truly worth."""

    action_id: str
    arm: str
    runnable: bool
    at: datetime
    decision: Decision
    outcome: DecisionOutcome | None  # None when left to expire
    worth: Worth


class AutoDecider:
    """Decides every proposal once, in the order shown, as `actor`."""

    def __init__(self, runtime: Runtime, actor: str = AUTO_ACTOR) -> None:
        state, truth = runtime.shop.state(), runtime.shop.hidden_truth()
        if state is None or truth is None:
            raise DemoNotStartedError("the demo shop has not been started")
        self.truth: Truth = truth
        self.preferences: Preferences = truth.preferences or draw_preferences(state.seed)
        self._runtime = runtime
        self._decider = Decider(self.preferences, state.seed)
        self._actor = actor
        self._seen: set[str] = set()

    def decide_new(self, report: CycleReport, now: datetime) -> list[Decided]:
        """Decide, once each, what a cycle just proposed; approved ones queue for the worker."""
        ids = [view.action_id for view in (*report.proposals, *report.advice)]
        with self._runtime.database.uow() as uow:
            found = [uow.actions.get(action_id) for action_id in ids if action_id not in self._seen]
        return self._decide_all([a for a in found if a is not None], now)

    def decide_pending(self, now: datetime) -> list[Decided]:
        """Decide the proposals already waiting when the loop starts (e.g. from `make demo`)."""
        with self._runtime.database.uow() as uow:
            waiting = uow.actions.find([ActionState.PROPOSED], limit=PENDING_LIMIT)
        return self._decide_all([a for a in waiting if a.id not in self._seen], now)

    def _decide_all(self, actions: list[Action], now: datetime) -> list[Decided]:
        actions.sort(key=lambda a: (a.created_at, a.candidate.arm))
        return [self._decide(action, now) for action in actions]

    def _decide(self, action: Action, now: datetime) -> Decided:
        self._seen.add(action.id)
        candidate = action.candidate
        decision = self._decider.decide(
            candidate.kind, candidate.variant, runnable=candidate.runnable
        )
        outcome = self._apply(action, decision, now)
        return Decided(
            action_id=action.id,
            arm=candidate.arm,
            runnable=candidate.runnable,
            at=now,
            decision=decision,
            outcome=outcome,
            worth=self.worth(action, now),
        )

    def _apply(self, action: Action, decision: Decision, now: datetime) -> DecisionOutcome | None:
        """Approve (what was shown) or reject through the repository; None when ignored."""
        if decision.verdict is Verdict.IGNORE:
            return None
        with self._runtime.database.uow() as uow:
            if decision.verdict is Verdict.APPROVE:
                result = uow.actions.approve(action.id, self._actor, now, action.content_hash)
            else:
                reason = decision.reason or RejectReason.OTHER
                result = uow.actions.reject(action.id, self._actor, now, reason, NOTE)
            uow.commit()
        return result.outcome

    def worth(self, action: Action, now: datetime) -> Worth:
        """What the proposal is truly worth to the demo shop, over the targets it would reach."""
        return self.worth_of(action.candidate, now, action.id)

    def worth_of(self, candidate: Candidate, now: datetime, action_id: str = "") -> Worth:
        """What a candidate (stored as `action_id`, if it is) is truly worth to the demo shop.

        Targets the worker would skip at `now` (suppressed, over the frequency cap, already in
        another open measurement of the kind) earn nothing, so they are left out.
        """
        settings = self._runtime.settings
        pending = [TargetRecord(t, TargetState.PENDING, in_flight=False) for t in candidate.targets]
        with self._runtime.database.uow() as uow:
            skipped = {
                result.target_key
                for result in exclusions(
                    uow,
                    action_id,
                    candidate.kind,
                    pending,
                    now,
                    cap=MAX_MARKETING_EMAILS,
                    window=FREQUENCY_WINDOW,
                    holdout=settings.holdout,
                )
            }
        reached = [t for t in candidate.targets if t.key not in skipped]
        proposal = (candidate.kind, candidate.variant, dict(candidate.params), reached)
        return true_worth(
            self.truth,
            self.preferences,
            proposal,
            currency=self._runtime.shop.currency,
            holdout=settings.holdout,
        )
