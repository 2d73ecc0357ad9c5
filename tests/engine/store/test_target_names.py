"""Targets' display names in the store (migration 0004), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import Connection, MetaData, Table, inspect, select

from engine.model import Target
from engine.store import Database
from engine.store.db import alembic_config
from tests.conftest import T0, sample_candidate
from tests.engine.executors.support import approved

NAMED = (
    Target("cart:c1", "u1", "ana@example.com", 4_500, "c1", name="Ana María López"),
    Target("cart:c2", "u2", "bo@example.com", 12_000, "c2"),
    Target("cart:c3", "u3", "cy@example.com", 700, "c3", name="Cy\r\nBcc: evil@example.com"),
)


def _add(database: Database) -> str:
    with database.uow() as uow:
        action = uow.actions.add(
            sample_candidate(targets=NAMED),
            reason="test",
            content_hash="h",
            created_at=T0,
            expires_at=T0 + timedelta(hours=24),
            cycle_id=None,
        )
        uow.commit()
    return action.id


def test_names_round_trip_through_actions_and_targets(database: Database) -> None:
    action_id = _add(database)
    with database.uow() as uow:
        action = uow.actions.get(action_id)
        found = uow.actions.find()
        targets = [target for target, _ in uow.actions.targets(action_id)]
    assert action is not None
    assert action.candidate.targets == NAMED
    assert found[0].candidate.targets == NAMED
    assert targets == list(NAMED)
    assert [t.name for t in targets] == ["Ana María López", None, "Cy\r\nBcc: evil@example.com"]


def test_the_worker_reads_the_names_of_the_targets_it_sends_to(database: Database) -> None:
    action_id = approved(database, sample_candidate(targets=NAMED))
    with database.uow() as uow:
        records = uow.executions.targets(action_id)
    assert [record.target for record in records] == list(NAMED)
    assert [record.target.first_name for record in records] == ["Ana", None, "Cy"]


def _insert_at_0003(connection: Connection) -> None:
    """An action and one target written by the 0003 schema, which has no name column."""
    metadata = MetaData()
    actions = Table("actions", metadata, autoload_with=connection)
    targets = Table("action_targets", metadata, autoload_with=connection)
    assert "name" not in targets.c
    connection.execute(
        actions.insert().values(
            id="aold0003",
            kind="cart_recovery_email",
            variant="no_discount",
            arm="abandoned_carts/cart_recovery_email/no_discount",
            issue_kind=None,
            title="t",
            state="proposed",
            params=[],
            subject="s",
            body="Hi {first_name}",
            content_hash="h",
            target_key="cart_recovery_email:cart:1",
            expected_value=None,
            currency=None,
            money_touching=False,
            runnable=True,
            reason="r",
            created_at=T0,
            expires_at=T0 + timedelta(hours=24),
            idempotency_key="aold0003",
        )
    )
    connection.execute(
        targets.insert().values(
            action_id="aold0003",
            target_key="cart:1",
            customer_id="1",
            email="old@example.com",
            ref="1",
            value=100,
            state="pending",
            updated_at=T0,
        )
    )


def test_upgrading_a_database_created_at_0003_loads_old_targets_without_a_name(
    database: Database,
) -> None:
    with database.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
        command.upgrade(alembic_config(connection), "0003")
        _insert_at_0003(connection)
    database.upgrade()
    with database.engine.connect() as connection:
        columns = {c["name"]: c for c in inspect(connection).get_columns("action_targets")}
    assert columns["name"]["nullable"]
    with database.uow() as uow:
        [(target, _)] = uow.actions.targets("aold0003")
    assert target == Target("cart:1", "1", "old@example.com", 100, "1")
    assert target.name is None
    named = _add(database)  # and new targets keep their names
    with database.uow() as uow:
        names = [t.name for t, _ in uow.actions.targets(named)]
    assert names == [t.name for t in NAMED]


def test_downgrading_to_0003_drops_the_column_and_keeps_the_targets(database: Database) -> None:
    action_id = _add(database)
    with database.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0003")
        table = Table("action_targets", MetaData(), autoload_with=connection)
        keys = connection.scalars(
            select(table.c.target_key).where(table.c.action_id == action_id).order_by(table.c.id)
        ).all()
    assert "name" not in table.c
    assert keys == ["cart:c1", "cart:c2", "cart:c3"]
    database.upgrade()
    with database.uow() as uow:
        names = [target.name for target, _ in uow.actions.targets(action_id)]
    assert names == [None, None, None]
