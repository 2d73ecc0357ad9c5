"""Contract: the learner's log and state, cycle runs and app state."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, select

from engine.model import ArmState, LearnEvent, LearnEventKind, RejectReason
from engine.store import Database, SqlUnitOfWork, clear_business_data
from tests.conftest import T0, sample_candidate


def test_learner_load_is_empty_at_first(database: Database) -> None:
    with database.uow() as uow:
        assert uow.learner.load() == ({}, 0)
        assert uow.learner.events_after(0) == []


def test_learner_events_append_in_order(database: Database) -> None:
    events = [
        LearnEvent(
            "abandoned_carts/cart_recovery_email/no_discount",
            LearnEventKind.SUCCEEDED,
            T0,
            value=4_200,
        ),
        LearnEvent("income/email_campaign/a", LearnEventKind.FAILED, T0 + timedelta(minutes=1)),
        LearnEvent("income/email_campaign/a", LearnEventKind.REJECTED, T0, RejectReason.NEVER),
    ]
    with database.uow() as uow:
        ids = [uow.learner.add_event(event) for event in events]
        uow.commit()
    assert ids == sorted(ids)
    with database.uow() as uow:
        assert uow.learner.events_after(0) == list(zip(ids, events, strict=True))
        assert uow.learner.events_after(ids[0]) == list(zip(ids[1:], events[1:], strict=True))
        assert uow.learner.events_after(ids[-1]) == []
        stored_at = uow.learner.events_after(0)[0][1].at
    assert stored_at.tzinfo is UTC


def test_learner_save_replaces_arms_and_cursor(database: Database) -> None:
    first = [
        ArmState(
            "a",
            approved=3,
            rejected=1,
            value_total=10**12,
            valued=7,
            approve_yes=2.75,
            success_drop=0.125,
            value_sum=1e12,
            value_expected=2.5e11,
            value_expected_weight=0.5,
            resets=2,
            updated_at=T0,
        ),
        ArmState("b", disabled=True, expired=2, succeeded=1, failed=4),
    ]
    with database.uow() as uow:
        uow.learner.save(first, 17)
        uow.commit()
    with database.uow() as uow:
        assert uow.learner.load() == ({arm.arm: arm for arm in first}, 17)
        assert uow.learner.load()[0]["a"].updated_at == T0
        uow.learner.save([ArmState("c")], 18)
        uow.commit()
    with database.uow() as uow:
        assert uow.learner.load() == ({"c": ArmState("c")}, 18)


def test_cycle_claim_is_unique_per_slot(database: Database) -> None:
    with database.uow() as uow:
        first = uow.cycles.claim("2026-03-02T12", "scheduled", T0)
        second = uow.cycles.claim("2026-03-02T12", "manual", T0)
        other = uow.cycles.claim("manual-1", "manual", T0)
        uow.commit()
    assert first is not None
    assert other is not None
    assert second is None
    assert other != first
    with database.uow() as uow:
        assert uow.cycles.claim("2026-03-02T12", "scheduled", T0) is None


def test_running_ignores_finished_and_stale_cycles(database: Database) -> None:
    wall = [T0]
    with SqlUnitOfWork(database.session(), clock=lambda: wall[0]) as uow:
        assert uow.cycles.running() is None
        stale = uow.cycles.claim("stale", "scheduled", T0)
        wall[0] = T0 + timedelta(hours=2)
        assert uow.cycles.running() is None
        live = uow.cycles.claim("live", "manual", T0 - timedelta(days=30))  # a simulated clock
        assert stale is not None
        assert live is not None
        wall[0] += timedelta(minutes=59)
        assert uow.cycles.running() == live
        uow.cycles.finish(live, T0, {"ok": True})
        assert uow.cycles.running() is None


def test_running_uses_the_wall_clock_by_default(database: Database) -> None:
    with database.uow() as uow:
        cycle_id = uow.cycles.claim("demo-hour", "demo", T0 + timedelta(days=400))
        assert uow.cycles.running() == cycle_id


def test_last_report_round_trip(database: Database) -> None:
    report = {
        "cycle_id": 1,
        "ran_at": T0.isoformat(),
        "kpis": {"revenue": {"amount": 123_456, "currency": "EUR"}, "growth": -31.5},
        "proposals": [{"action_id": "abcdefghij", "title": "Remind €€ customers ✓"}],
        "none": None,
    }
    with database.uow() as uow:
        assert uow.cycles.last_report() is None
        old = uow.cycles.claim("s1", "scheduled", T0)
        new = uow.cycles.claim("s2", "scheduled", T0 + timedelta(hours=1))
        failed = uow.cycles.claim("s3", "manual", T0 + timedelta(hours=2))
        assert old is not None
        assert new is not None
        assert failed is not None
        uow.cycles.finish(old, T0 + timedelta(minutes=1), {"old": True})
        uow.cycles.finish(new, T0 + timedelta(hours=1, minutes=1), report)
        uow.cycles.fail(failed, T0 + timedelta(hours=2), "boom:\nsource down")
        uow.commit()
    with database.uow() as uow:
        assert uow.cycles.last_report() == report


def test_finishing_an_unknown_cycle_is_an_error(database: Database) -> None:
    with database.uow() as uow, pytest.raises(LookupError):
        uow.cycles.finish(12345, T0, {})


def test_app_state_set_get_delete(database: Database) -> None:
    with database.uow() as uow:
        assert uow.state.get("paused") is None
        uow.state.set("paused", "1")
        uow.state.set("paused", "0")
        uow.commit()
    with database.uow() as uow:
        assert uow.state.get("paused") == "0"
        uow.state.delete("paused")
        uow.commit()
    with database.uow() as uow:
        assert uow.state.get("paused") is None


def test_clear_business_data_keeps_settings_and_shop_tables(database: Database) -> None:
    shop = MetaData()
    orders = Table("shop_orders", shop, Column("id", Integer, primary_key=True))
    shop.create_all(database.engine)
    with database.engine.begin() as connection:
        connection.execute(orders.insert().values(id=1))
    with database.uow() as uow:
        cycle_id = uow.cycles.claim("slot", "demo", T0)
        uow.actions.add(
            sample_candidate(),
            reason="why",
            content_hash="h",
            created_at=T0,
            expires_at=T0 + timedelta(hours=1),
            cycle_id=cycle_id,
        )
        uow.learner.add_event(LearnEvent("a", LearnEventKind.SUCCEEDED, T0))
        uow.learner.save([ArmState("a")], 1)
        uow.state.set("paused", "1")
        uow.commit()
    clear_business_data(database)
    with database.uow() as uow:
        assert uow.actions.find() == []
        assert uow.learner.load() == ({}, 0)
        assert uow.learner.events_after(0) == []
        assert uow.cycles.claim("slot", "demo", T0) is not None
        assert uow.state.get("paused") == "1"
    with database.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(orders)).scalar() == 1


def test_arms_folded_under_another_configuration_are_not_loaded(database: Database) -> None:
    with database.uow() as uow:
        uow.learner.save([ArmState("a", approved=2)], 9, "config-a")
        uow.commit()
    with database.uow() as uow:
        assert uow.learner.load("config-a") == ({"a": ArmState("a", approved=2)}, 9)
        assert uow.learner.load("config-b") == ({}, 0)  # the cycle folds the log again
