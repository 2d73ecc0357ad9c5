"""The cycle shell over a hand-written fake source and the real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest

from engine.actions import capabilities_for
from engine.cycle import CycleBusyError, CycleConfig, CyclePorts, run_cycle
from engine.drafting.templates import TemplateDrafter
from engine.learn import config_key, fold
from engine.model import (
    ActionKind,
    ActionState,
    ChurnCounts,
    IssueKind,
    RejectReason,
    ShopData,
    WindowCounts,
)
from engine.report import report_from_dict
from engine.rules import Rules
from engine.store import Database
from tests.engine.shop_builders import NOW, cart, shop

HOUR = timedelta(hours=1)


def counts(start: datetime, end: datetime, **changes: int) -> WindowCounts:
    base = WindowCounts(
        start=start,
        end=end,
        revenue=900_000,
        refunds=5_000,
        discounts=2_000,
        orders=200,
        sessions=1_300,
        carts=600,
        abandoned_carts=400,
        payment_attempts=215,
        payment_failures=12,
        errors=8,
    )
    return replace(base, **changes)


@dataclass
class FakeSource:
    """A ShopSource whose current window and shop data the test sets."""

    current: dict[str, int] = field(default_factory=dict)
    data: ShopData = field(default_factory=shop)
    synced: list[datetime] = field(default_factory=list)
    fail_with: Exception | None = None

    @property
    def currency(self) -> str:
        return "USD"

    def sync(self, now: datetime) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.synced.append(now)

    def window(self, start: datetime, end: datetime) -> WindowCounts:
        is_current = end == self.synced[-1]
        return counts(start, end, **(self.current if is_current else {}))

    def churn(self, start: datetime, end: datetime) -> ChurnCounts:
        return ChurnCounts(start=start, end=end, active_at_start=1000, cancelled=30)

    def shop_data(self, now: datetime, days: int = 30) -> ShopData:
        return self.data


CONFIG = CycleConfig(
    rules=Rules(),
    max_proposals=3,
    proposal_ttl=timedelta(hours=24),
    capabilities=capabilities_for(email=True, payments=True, webhook=False, slack=False),
)
CART_SPIKE = {"carts": 600, "abandoned_carts": 560}
CARTS = tuple(cart(n, 4_000 + n) for n in range(30))


def ports(database: Database, source: FakeSource) -> CyclePorts:
    return CyclePorts(
        uow=database.uow, source=source, drafter=TemplateDrafter(), rng=random.Random(3)
    )


def run(database: Database, source: FakeSource, at: datetime, slot: str | None = None):  # type: ignore[no-untyped-def]
    return run_cycle(
        CONFIG, ports(database, source), now=at, slot=slot or f"t:{at.isoformat()}", trigger="test"
    )


def test_quiet_shop_reports_kpis_and_nothing_to_do(database: Database) -> None:
    source = FakeSource()
    report = run(database, source, NOW)
    assert report.kpis.revenue.amount == 900_000
    assert report.open_issues == ()
    assert report.proposals == ()
    assert not report.needs_attention
    steps = ["monitor", "detect", "learn", "recover", "optimize", "generate"]
    assert [name for name, _ in report.step_ms] == steps
    with database.uow() as uow:
        stored = uow.cycles.last_report()
        assert uow.snapshots.latest() is not None
    assert stored is not None
    assert report_from_dict(stored) == report


def test_cart_spike_opens_one_issue_and_proposes_recovery_once(database: Database) -> None:
    source = FakeSource(current=CART_SPIKE, data=shop(abandoned_carts=CARTS))
    first = run(database, source, NOW)
    assert [i.kind for i in first.opened] == [IssueKind.ABANDONED_CARTS]
    kinds = [p.kind for p in first.proposals]
    assert kinds.count(ActionKind.CART_RECOVERY_EMAIL) == 1
    assert all(p.reason for p in first.proposals)

    second = run(database, source, NOW + HOUR)
    assert second.opened == ()
    assert [i.kind for i in second.open_issues] == [IssueKind.ABANDONED_CARTS]
    assert ActionKind.CART_RECOVERY_EMAIL not in [p.kind for p in second.proposals]
    with database.uow() as uow:
        assert len(uow.issues.open_issues()) == 1
        recoveries = [
            a
            for a in uow.actions.find([ActionState.PROPOSED])
            if a.candidate.kind is ActionKind.CART_RECOVERY_EMAIL
        ]
    assert len(recoveries) == 1
    assert len(recoveries[0].candidate.targets) == len(CARTS)


def test_one_pending_proposal_per_action_family_until_someone_decides(
    database: Database,
) -> None:
    source = FakeSource(current=CART_SPIKE, data=shop(abandoned_carts=CARTS))
    first = run(database, source, NOW)
    recovery = next(p for p in first.proposals if p.kind is ActionKind.CART_RECOVERY_EMAIL)
    source.data = shop(abandoned_carts=tuple(cart(n, 5_000) for n in range(100, 120)))
    second = run(database, source, NOW + HOUR)  # new carts, but the first proposal is pending
    assert ActionKind.CART_RECOVERY_EMAIL not in [p.kind for p in second.proposals]
    # What the learner chose among, for the closed loop's evaluation: runnable, none pending.
    assert ActionKind.CART_RECOVERY_EMAIL in [c.kind for c in first.choices]
    assert all(c.runnable for c in first.choices)
    assert {p.kind for p in first.proposals if p.runnable} <= {c.kind for c in first.choices}
    assert ActionKind.CART_RECOVERY_EMAIL not in [c.kind for c in second.choices]
    with database.uow() as uow:
        rejected = uow.actions.reject(
            recovery.action_id, "U1", NOW + HOUR, RejectReason.WRONG_TARGETS, None
        )
        uow.commit()
    assert rejected.ok
    third = run(database, source, NOW + 2 * HOUR)
    again = [p for p in third.proposals if p.kind is ActionKind.CART_RECOVERY_EMAIL]
    assert len(again) == 1
    assert again[0].target_count == 20


def test_issue_resolves_when_the_rule_stops_firing(database: Database) -> None:
    source = FakeSource(current=CART_SPIKE, data=shop(abandoned_carts=CARTS))
    run(database, source, NOW)
    source.current = {}
    report = run(database, source, NOW + HOUR)
    assert [i.kind for i in report.resolved] == [IssueKind.ABANDONED_CARTS]
    assert report.resolved[0].resolved_at == NOW + HOUR
    assert report.open_issues == ()


def test_unanswered_proposals_expire_and_the_learner_hears_it(database: Database) -> None:
    source = FakeSource(current=CART_SPIKE, data=shop(abandoned_carts=CARTS))
    first = run(database, source, NOW)
    assert first.proposals
    later = run(database, source, NOW + 25 * HOUR)
    assert later.expired_count == len(first.proposals) + len(first.advice)
    with database.uow() as uow:
        arms, cursor = uow.learner.load(config_key(CONFIG.learn))
    expired_arms = [a for a in arms.values() if a.expired]
    assert cursor > 0
    assert len(expired_arms) == len(first.proposals) + len(first.advice)


def test_a_changed_learner_configuration_folds_the_whole_log_again(database: Database) -> None:
    source = FakeSource(current=CART_SPIKE, data=shop(abandoned_carts=CARTS))
    run(database, source, NOW)
    run(database, source, NOW + 25 * HOUR)  # the proposals expire: learner events
    slower = replace(CONFIG, learn=replace(CONFIG.learn, half_life_hours=10_000.0))
    run_cycle(slower, ports(database, source), now=NOW + 26 * HOUR, slot="t:slower", trigger="t")
    with database.uow() as uow:
        assert uow.learner.load(config_key(CONFIG.learn)) == ({}, 0)
        arms, cursor = uow.learner.load(config_key(slower.learn))
        events = [event for _, event in uow.learner.events_after(0)]
    assert cursor > 0
    assert arms == fold({}, events, slower.learn)


def test_a_slot_runs_once(database: Database) -> None:
    source = FakeSource()
    run(database, source, NOW, slot="scheduled:1")
    with pytest.raises(CycleBusyError, match="already been run"):
        run(database, source, NOW + HOUR, slot="scheduled:1")


def test_a_failing_step_marks_the_cycle_failed_and_frees_the_next(database: Database) -> None:
    source = FakeSource(fail_with=RuntimeError("source unreachable"))
    with pytest.raises(RuntimeError, match="source unreachable"):
        run(database, source, NOW)
    with database.uow() as uow:
        assert uow.cycles.running() is None
        assert uow.cycles.last_report() is None
    source.fail_with = None
    assert run(database, source, NOW + HOUR).cycle_id > 0
