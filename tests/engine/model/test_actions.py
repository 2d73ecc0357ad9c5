"""Targets' display names: the first name a greeting uses, and names kept out of reprs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.model import Target
from engine.model.actions import FIRST_NAME_LIMIT, first_name_of
from tests.conftest import sample_candidate


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("Ana María López", "Ana"),
        ("  Bo  ", "Bo"),
        ("Zoë", "Zoë"),
        ("Jean-Luc Picard", "Jean-Luc"),
        ("Cy\r\nBcc: evil@example.com", "Cy"),
        ("\r\nBcc: evil@example.com", "Bcc:"),
        ("\x00\x07Dee\x1b[31m", "Dee"),
        ("Eve\u2028Subject: x", "Eve"),
        ("F" * 100, "F" * FIRST_NAME_LIMIT),
        ("", None),
        ("   \t\r\n ", None),
        ("\x00\x1f", None),
        (None, None),
    ],
)
def test_first_name_is_the_first_printable_word(name: str | None, first: str | None) -> None:
    assert first_name_of(name) == first
    assert Target("customer:1", name=name).first_name == first


@given(st.text())
def test_a_first_name_never_holds_whitespace_or_control_characters(name: str) -> None:
    first = first_name_of(name)
    assert first is None or (first.isprintable() and first.split() == [first])
    assert first is None or 0 < len(first) <= FIRST_NAME_LIMIT


def test_a_name_is_optional_and_last_so_positional_targets_still_work() -> None:
    target = Target("cart:c1", "u1", "ana@example.com", 4_500, "c1")
    assert target.name is None
    assert target.first_name is None


def test_a_name_stays_out_of_reprs() -> None:
    target = Target("cart:c1", "u1", "ana@example.com", 4_500, "c1", name="Zelda Secretname")
    assert "Secretname" not in repr(target)
    assert "Secretname" not in repr(sample_candidate(targets=(target,)))
