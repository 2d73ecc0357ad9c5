"""Unsubscribe links back to addresses, and addresses typed by hand."""

from __future__ import annotations

import pytest

from engine.executors.message import token
from engine.store import Database
from engine.unsubscribe import address_of, normalise_address, unsubscribe, verify
from tests.conftest import T0
from tests.engine.executors.support import approved, candidate_with


def test_a_link_leads_to_its_own_address_and_nothing_else(database: Database) -> None:
    action_id = approved(database, candidate_with(3))
    other = approved(database, candidate_with(1))
    with database.uow() as uow:
        assert address_of(uow, action_id, token(action_id, "c1@example.com")) == "c1@example.com"
        assert address_of(uow, action_id, token(action_id, "C1@Example.COM")) == "c1@example.com"
        assert address_of(uow, action_id, token(action_id, "stranger@example.com")) is None
        assert address_of(uow, other, token(action_id, "c0@example.com")) is None  # other action
        assert address_of(uow, "anothing1", token("anothing1", "c0@example.com")) is None
        assert address_of(uow, action_id, "not-a-token") is None
        assert address_of(uow, "a'; drop", token(action_id, "c0@example.com")) is None


def test_unsubscribe_suppresses_once_and_is_idempotent(database: Database) -> None:
    action_id = approved(database, candidate_with(2))
    mark = token(action_id, "c0@example.com")
    assert verify(database.uow, action_id, mark)
    with database.uow() as uow:
        assert uow.suppressions.among(["c0@example.com"]) == set()  # verifying changes nothing
    assert unsubscribe(database.uow, action_id, mark, T0)
    assert unsubscribe(database.uow, action_id, mark, T0)
    assert not unsubscribe(database.uow, action_id, "0" * 24, T0)
    with database.uow() as uow:
        assert uow.suppressions.entries() == [("c0@example.com", "unsubscribed", T0)]


@pytest.mark.parametrize(
    ("raw", "address"),
    [
        ("Ana@Example.com", "ana@example.com"),
        ("  bo+shop@mail.example.org ", "bo+shop@mail.example.org"),
        ("Ana Example <ana@example.com>", "ana@example.com"),
    ],
)
def test_typed_addresses_are_normalised(raw: str, address: str) -> None:
    assert normalise_address(raw) == address


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("ana.example.com", "needs one @"),
        ("@example.com", "needs one @"),
        ("ana@", "needs one @"),
        ("ana smith@example.com", "the part before @ is not valid"),
        ("ana..b@example.com", "the part before @ is not valid"),
        ("ana@localhost", "'localhost' is not a domain"),
        ("ana@exa mple.com", "is not a domain"),
        ("a" * 250 + "@example.com", "longer than 254 characters"),
    ],
)
def test_bad_addresses_say_what_is_wrong(raw: str, why: str) -> None:
    with pytest.raises(ValueError, match="is not an e-mail address") as caught:
        normalise_address(raw)
    assert why in str(caught.value)
