"""`--set name=value` and `--grid name=v1,v2` as typed `LearnConfig` fields, checked."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Sequence
from typing import Any

from engine.learn import DEFAULT_CONFIG, LearnConfig


def parse_overrides(pairs: Sequence[str]) -> dict[str, Any]:
    """`name=value` pairs as LearnConfig fields; a clear error for an unknown or bad one."""
    overrides: dict[str, Any] = {}
    for pair in pairs:
        name, text = _split(pair, "--set")
        overrides[name] = _value(name, text, pair, "--set")
    return overrides


def parse_grid(pairs: Sequence[str]) -> dict[str, list[Any]]:
    """`name=v1,v2,...` pairs: each field's values to try, in order."""
    grid: dict[str, list[Any]] = {}
    for pair in pairs:
        name, text = _split(pair, "--grid")
        if name in grid:
            raise ValueError(f"--grid {pair!r}: {name} is already on the grid")
        grid[name] = [_value(name, part, pair, "--grid") for part in _parts(text)]
    return grid


def _split(pair: str, option: str) -> tuple[str, str]:
    fields = {field.name for field in dataclasses.fields(LearnConfig)}
    name, sep, text = pair.partition("=")
    if not sep or name not in fields:
        known = ", ".join(sorted(fields))
        raise ValueError(f"{option} {pair!r}: expected name=value with a name among: {known}")
    return name, text


def _parts(text: str) -> list[str]:
    """Split on the commas outside brackets, so a tuple value stays whole."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _value(name: str, text: str, pair: str, option: str) -> Any:
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError) as error:
        raise ValueError(f"{option} {pair!r}: {text!r} is not a Python literal") from error
    default = getattr(DEFAULT_CONFIG, name)
    if isinstance(default, float) and type(value) is int:
        value = float(value)
    if type(value) is not type(default):
        wanted = type(default).__name__
        raise ValueError(f"{option} {pair!r}: {name} takes a {wanted}, not {text!r}")
    return value
