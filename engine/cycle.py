"""The imperative shell of one hourly cycle: gather → decide → apply → persist → report."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine import detect, kpis, learn
from engine.actions import Capabilities, content_hash
from engine.clock import require_aware
from engine.drafting.templates import Drafter
from engine.generate import all_candidates
from engine.logs import event
from engine.model import (
    Action,
    ActionState,
    CycleReport,
    Issue,
    IssueChanges,
    KpiSnapshot,
    Ranked,
)
from engine.ports import ShopSource, UnitOfWork
from engine.report import build_report, proposal_view, report_to_dict
from engine.rules import Rules
from engine.timing import Stopwatch

log = logging.getLogger("income.cycle")

WINDOW = timedelta(hours=24)
CHURN_WINDOW = timedelta(days=30)
SHOP_DATA_DAYS = 30


class CycleBusyError(RuntimeError):
    """Another cycle holds the slot or is running."""


@dataclass(frozen=True, slots=True)
class CycleConfig:
    """What a cycle needs to know besides its ports (from `Settings`)."""

    rules: Rules
    max_proposals: int
    proposal_ttl: timedelta
    capabilities: Capabilities


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
    watch = Stopwatch()
    try:
        report = _steps(config, ports, watch, cycle_id, now)
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


def _steps(
    config: CycleConfig, ports: CyclePorts, watch: Stopwatch, cycle_id: int, now: datetime
) -> CycleReport:
    with watch.step("monitor"):
        ports.source.sync(now)
        snapshot = take_snapshot(ports.source, now)
        figures = kpis.derive(snapshot)
    _log_step(watch, cycle=cycle_id, revenue=snapshot.current.revenue, orders=snapshot.current.orders)
    with watch.step("detect"), ports.uow() as uow:
        uow.snapshots.add(snapshot)
        changes = detect.reconcile(uow.issues.open_issues(), detect.detect(snapshot, config.rules))
        opened, resolved = _apply_issue_changes(uow, changes, now)
        open_issues = uow.issues.open_issues()
        uow.commit()
    _log_step(watch, cycle=cycle_id, opened=len(opened), resolved=len(resolved))
    with watch.step("learn"), ports.uow() as uow:
        expired = uow.actions.expire_due(now)
        arms, cursor = uow.learner.load()
        events = uow.learner.events_after(cursor)
        if events:
            arms = learn.fold(arms, [e for _, e in events])
            uow.learner.save(arms.values(), events[-1][0])
        pending_keys = uow.actions.pending_target_keys()
        uow.commit()
    _log_step(watch, cycle=cycle_id, events=len(events), expired=len(expired))
    with watch.step("recover"):
        data = ports.source.shop_data(now, SHOP_DATA_DAYS)
        candidates = all_candidates(open_issues, data, config.capabilities, ports.drafter, now)
    _log_step(watch, cycle=cycle_id, candidates=len(candidates))
    with watch.step("generate"):
        ranked = learn.rank(candidates, arms, ports.rng, currency=ports.source.currency)
        chosen = learn.select(ranked, config.max_proposals, pending_keys)
        proposals, advice = _store_proposals(config, ports, chosen, cycle_id, now)
    _log_step(watch, cycle=cycle_id, proposals=len(proposals), advice=len(advice))
    with watch.step("report"), ports.uow() as uow:
        pending = uow.actions.find([ActionState.PROPOSED])
        report = build_report(
            cycle_id=cycle_id,
            ran_at=now,
            kpis=figures,
            opened=opened,
            resolved=resolved,
            open_issues=open_issues,
            proposals=[proposal_view(a) for a in proposals],
            advice=[proposal_view(a) for a in advice],
            pending_count=len(pending),
            expired_count=len(expired),
            step_ms=watch.steps,
        )
        uow.cycles.finish(cycle_id, now, report_to_dict(report))
        uow.commit()
    return report


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


def _log_step(watch: Stopwatch, **fields: Any) -> None:
    name, ms = watch.steps[-1]
    event(log, "cycle_step", step=name, ms=ms, **fields)

