"""The imperative shell of one hourly cycle: gather → decide → apply → persist → report."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from engine import detect, kpis, learn
from engine.actions import Capabilities, content_hash
from engine.clock import require_aware
from engine.contact_policy import read_reach
from engine.drafting.templates import Drafter
from engine.generate import generate, unique_candidates
from engine.lift import by_kind, describe
from engine.logs import event
from engine.model import (
    Action,
    ActionState,
    ArmState,
    Candidate,
    CycleReport,
    Issue,
    IssueChanges,
    Kpis,
    KpiSnapshot,
    Ranked,
    Reach,
    ShopData,
)
from engine.optimize import optimize
from engine.ports import ShopSource, UnitOfWork
from engine.recover import recover
from engine.report import build_report, proposal_view, report_to_dict
from engine.rules import Rules
from engine.timing import Stopwatch

log = logging.getLogger("income.cycle")

WINDOW = timedelta(hours=24)
CHURN_WINDOW = timedelta(days=30)
SHOP_DATA_DAYS = 30
PENDING_LIMIT = 10_000


class CycleBusyError(RuntimeError):
    """Another cycle holds the slot or is running."""


@dataclass(frozen=True, slots=True)
class CycleConfig:
    """What a cycle needs to know besides its ports (from `Settings`)."""

    rules: Rules
    max_proposals: int
    proposal_ttl: timedelta
    capabilities: Capabilities
    learn: learn.LearnConfig = learn.DEFAULT_CONFIG
    holdout: float = 0.0  # INCOME_HOLDOUT: with a control group, one measurement per kind at a time


@dataclass(frozen=True, slots=True)
class CyclePorts:
    """The adapters a cycle talks to; built once in bootstrap."""

    uow: Callable[[], UnitOfWork]
    source: ShopSource
    drafter: Drafter
    rng: random.Random


def take_snapshot(source: ShopSource, now: datetime) -> KpiSnapshot:
    """Monitor: the last 24 h against the 24 h before, and trailing churn, from the source."""
    return KpiSnapshot(
        taken_at=now,
        currency=source.currency,
        current=source.window(now - WINDOW, now),
        previous=source.window(now - 2 * WINDOW, now - WINDOW),
        churn=source.churn(now - CHURN_WINDOW, now),
    )


def run_cycle(
    config: CycleConfig, ports: CyclePorts, *, now: datetime, slot: str, trigger: str
) -> CycleReport:
    """Run the seven steps once for `slot`; raise CycleBusyError if the slot is taken."""
    now = require_aware(now)
    cycle_id = _claim(ports, slot, trigger, now)
    try:
        report = _Cycle(config, ports, cycle_id, now).run()
    except Exception as error:
        with ports.uow() as uow:
            uow.cycles.fail(cycle_id, now, f"{type(error).__name__}: {error}")
            uow.commit()
        event(log, "cycle_failed", logging.ERROR, cycle=cycle_id, slot=slot, error=str(error))
        raise
    event(log, "cycle_done", cycle=cycle_id, slot=slot, proposals=len(report.proposals))
    return report


def _claim(ports: CyclePorts, slot: str, trigger: str, now: datetime) -> int:
    with ports.uow() as uow:
        running = uow.cycles.running()
        cycle_id = None if running is not None else uow.cycles.claim(slot, trigger, now)
        uow.commit()
    if running is not None:
        raise CycleBusyError(f"cycle {running} is still running; try again when it finishes")
    if cycle_id is None:
        raise CycleBusyError(f"slot {slot} has already been run")
    return cycle_id


@dataclass(frozen=True, slots=True)
class _Detected:
    kpis: Kpis
    opened: list[Issue]
    resolved: list[Issue]
    open_issues: list[Issue]


@dataclass(frozen=True, slots=True)
class _Learned:
    arms: dict[str, ArmState]
    pending: list[Action]
    expired: int

    def fresh(self, candidates: Sequence[Candidate]) -> list[Candidate]:
        """Candidates of an action family with no proposal still awaiting a decision."""
        busy = {action_family(action.candidate) for action in self.pending}
        return [c for c in candidates if action_family(c) not in busy]


def action_family(candidate: Candidate) -> str:
    """Issue context and action kind, any variant: one pending proposal per family at a time."""
    return candidate.arm.rsplit("/", 1)[0]


class _Cycle:
    """One run of the steps; each method is a step with its own transaction."""

    def __init__(
        self, config: CycleConfig, ports: CyclePorts, cycle_id: int, now: datetime
    ) -> None:
        self.config, self.ports, self.cycle_id, self.now = config, ports, cycle_id, now
        self.watch = Stopwatch()

    def run(self) -> CycleReport:
        with self.watch.step("monitor"):
            snapshot = self.monitor()
        self.log(revenue=snapshot.current.revenue, orders=snapshot.current.orders)
        with self.watch.step("detect"):
            detected = self.detect(snapshot)
        self.log(opened=len(detected.opened), resolved=len(detected.resolved))
        with self.watch.step("learn"):
            learned = self.learn()
        self.log(expired=learned.expired, arms=len(learned.arms))
        with self.ports.uow() as uow:
            reach = read_reach(uow, self.now, holdout=self.config.holdout)
        data, found = self.recover_and_optimize(detected.open_issues, reach)
        with self.watch.step("generate"):
            caps, drafter = self.config.capabilities, self.ports.drafter
            generated = generate(data, caps, drafter, self.now, reach)
            candidates = unique_candidates([*found, *generated])
            proposals, advice, choices = self.propose(candidates, learned)
        self.log(proposals=len(proposals), advice=len(advice))
        with self.watch.step("report"):
            report = self.report(detected, learned, proposals, advice)
        self.log(pending=report.pending_count)
        return replace(report, choices=choices)

    def monitor(self) -> KpiSnapshot:
        self.ports.source.sync(self.now)
        return take_snapshot(self.ports.source, self.now)

    def detect(self, snapshot: KpiSnapshot) -> _Detected:
        with self.ports.uow() as uow:
            uow.snapshots.add(snapshot)
            findings = detect.detect(snapshot, self.config.rules)
            changes = detect.reconcile(uow.issues.open_issues(), findings)
            opened, resolved = _apply_issue_changes(uow, changes, self.now)
            open_issues = uow.issues.open_issues()
            uow.commit()
        return _Detected(kpis.derive(snapshot), opened, resolved, open_issues)

    def learn(self) -> _Learned:
        with self.ports.uow() as uow:
            expired = uow.actions.expire_due(self.now)
            key = learn.config_key(self.config.learn)
            arms, cursor = uow.learner.load(key)
            events = uow.learner.events_after(cursor)
            if events:
                arms = learn.fold(arms, [e for _, e in events], self.config.learn)
                uow.learner.save(arms.values(), events[-1][0], key)
            pending = uow.actions.find([ActionState.PROPOSED], limit=PENDING_LIMIT)
            uow.commit()
        return _Learned(arms, pending, len(expired))

    def recover_and_optimize(
        self, open_issues: Sequence[Issue], reach: Reach
    ) -> tuple[ShopData, list[Candidate]]:
        caps, drafter, now = self.config.capabilities, self.ports.drafter, self.now
        with self.watch.step("recover"):
            data = self.ports.source.shop_data(now, SHOP_DATA_DAYS)
            recovered = recover(open_issues, data, caps, drafter, now, reach=reach)
        self.log(candidates=len(recovered))
        with self.watch.step("optimize"):
            optimized = optimize(data, caps, drafter, now, reach)
        self.log(candidates=len(optimized))
        return data, [*recovered, *optimized]

    def propose(
        self, candidates: Sequence[Candidate], learned: _Learned
    ) -> tuple[list[Action], list[Action], tuple[Candidate, ...]]:
        """Stored proposals and advice, and the runnable candidates they were chosen among."""
        currency = self.ports.source.currency
        fresh = learned.fresh(candidates)
        ranked = learn.rank(
            fresh, learned.arms, self.ports.rng, currency=currency, now=self.now,
            config=self.config.learn,
        )  # fmt: skip
        pending_keys = {action.candidate.target_key for action in learned.pending}
        choices = tuple(
            r.candidate
            for r in ranked
            if r.candidate.runnable and r.candidate.target_key not in pending_keys
        )
        chosen = learn.select(ranked, self.config.max_proposals, pending_keys)
        stored = _store_proposals(self.config, self.ports, chosen, self.cycle_id, self.now)
        return (*stored, choices)

    def report(
        self, detected: _Detected, learned: _Learned, proposals: list[Action], advice: list[Action]
    ) -> CycleReport:
        with self.ports.uow() as uow:
            report = build_report(
                cycle_id=self.cycle_id,
                ran_at=self.now,
                kpis=detected.kpis,
                opened=detected.opened,
                resolved=detected.resolved,
                open_issues=detected.open_issues,
                proposals=[proposal_view(a) for a in proposals],
                advice=[proposal_view(a) for a in advice],
                pending_count=len(uow.actions.find([ActionState.PROPOSED], limit=PENDING_LIMIT)),
                expired_count=learned.expired,
                step_ms=self.watch.steps,
                lifts=[
                    (kind.value, describe(lift)) for kind, lift in by_kind(uow.lifts.all()).items()
                ],
            )
            uow.cycles.finish(self.cycle_id, self.now, report_to_dict(report))
            uow.commit()
        return report

    def log(self, **fields: Any) -> None:
        name, ms = self.watch.steps[-1]
        event(log, "cycle_step", cycle=self.cycle_id, step=name, ms=ms, **fields)


def _apply_issue_changes(
    uow: UnitOfWork, changes: IssueChanges, now: datetime
) -> tuple[list[Issue], list[Issue]]:
    opened = [uow.issues.open(finding, now) for finding in changes.opened]
    for issue, finding in changes.updated:
        uow.issues.update(issue.id, finding, now)
    resolved = [uow.issues.resolve(issue.id, now) for issue in changes.resolved]
    return opened, resolved


def _store_proposals(
    config: CycleConfig,
    ports: CyclePorts,
    chosen: Sequence[Ranked],
    cycle_id: int,
    now: datetime,
) -> tuple[list[Action], list[Action]]:
    proposals: list[Action] = []
    advice: list[Action] = []
    with ports.uow() as uow:
        for ranked in chosen:
            action = uow.actions.add(
                ranked.candidate,
                reason=ranked.reason,
                content_hash=content_hash(ranked.candidate),
                created_at=now,
                expires_at=now + config.proposal_ttl,
                cycle_id=cycle_id,
            )
            (proposals if ranked.candidate.runnable else advice).append(action)
        uow.commit()
    return proposals, advice
