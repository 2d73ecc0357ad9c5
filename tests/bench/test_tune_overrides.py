from __future__ import annotations

import re

import pytest

from bench.tune_overrides import parse_grid, parse_overrides


def test_overrides_take_the_fields_types() -> None:
    overrides = parse_overrides(["sharpness=8", "success_prior=(1.0, 5.0)", "min_decisions=4"])
    assert overrides == {"sharpness": 8.0, "success_prior": (1.0, 5.0), "min_decisions": 4}
    assert isinstance(overrides["sharpness"], float)


def test_a_grid_keeps_its_values_in_order_and_tuples_whole() -> None:
    grid = parse_grid(["half_life_hours=120,250", "success_prior=(1.0, 4.0),(1, 5)"])
    assert grid == {"half_life_hours": [120.0, 250.0], "success_prior": [(1.0, 4.0), (1, 5)]}


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("sharpnes=8", "a name among: approval_prior"),
        ("sharpness", "expected name=value"),
        ("sharpness=high", "'high' is not a Python literal"),
        ("min_decisions=2.5", "min_decisions takes a int"),
        ("success_prior=0.2", "success_prior takes a tuple"),
        ("sharpness=True", "sharpness takes a float"),
    ],
)
def test_a_bad_override_is_named(pair: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_overrides([pair])


def test_a_bad_grid_value_or_a_repeated_field_is_named() -> None:
    with pytest.raises(ValueError, match=re.escape("--grid 'sharpness=4,x'")):
        parse_grid(["sharpness=4,x"])
    with pytest.raises(ValueError, match="sharpness is already on the grid"):
        parse_grid(["sharpness=4", "sharpness=6"])
