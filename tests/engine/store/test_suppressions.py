"""The suppression list on SQLite and PostgreSQL: case-insensitive, kept once, removable."""

from __future__ import annotations

from datetime import timedelta

from engine.store import Database
from tests.conftest import T0


def test_suppressions_are_case_insensitive_and_kept_once(database: Database) -> None:
    with database.uow() as uow:
        uow.suppressions.add("Ana@Example.com", "bounced", T0)
        uow.suppressions.add("ana@example.com", "unsubscribed", T0)
        uow.commit()
        assert uow.suppressions.among(["ANA@example.com", "bo@example.com"]) == {"ana@example.com"}


def test_suppress_says_whether_the_address_is_new_and_the_list_can_be_read(
    database: Database,
) -> None:
    later = T0 + timedelta(hours=1)
    with database.uow() as uow:
        assert uow.suppressions.add("Bo@Example.com", "bounced", later)
        assert uow.suppressions.add("ana@example.com", "unsubscribed", T0)
        assert not uow.suppressions.add("ANA@example.com", "complaint", later)
        uow.commit()
    with database.uow() as uow:
        assert uow.suppressions.entries() == [
            ("ana@example.com", "unsubscribed", T0),
            ("bo@example.com", "bounced", later),
        ]
        assert uow.suppressions.entries(["BO@example.com", "x@example.com"]) == [
            ("bo@example.com", "bounced", later)
        ]


def test_remove_takes_an_address_off_and_returns_what_it_was(database: Database) -> None:
    with database.uow() as uow:
        uow.suppressions.add("ana@example.com", "complaint", T0)
        uow.suppressions.add("bo@example.com", "bounced", T0)
        uow.commit()
    with database.uow() as uow:
        assert uow.suppressions.remove(" ANA@Example.com ") == ("ana@example.com", "complaint", T0)
        assert uow.suppressions.remove("nobody@example.com") is None
        uow.commit()
    with database.uow() as uow:
        assert uow.suppressions.among(["ana@example.com", "bo@example.com"]) == {"bo@example.com"}
        assert uow.suppressions.add("ana@example.com", "unsubscribed", T0)  # can be added again
