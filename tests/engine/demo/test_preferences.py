"""The owner's hidden preferences: drawn per seed on their own stream, stored with the truth."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine.demo.preferences import KNOWN_VARIANTS, draw_preferences
from engine.demo.truth import draw_truth, truth_from_json, truth_to_json
from engine.model import ActionKind

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("seed", "sessions", "referral"),
    [(0, 2623.4460640597417, 0.008825043362071483), (7, 2772.787528814458, 0.006389431759919885)],
)
def test_adding_preferences_changed_none_of_the_seeds_other_draws(
    seed: int, sessions: float, referral: float
) -> None:
    truth = draw_truth(seed)  # the values below were drawn before preferences existed
    assert truth.base.sessions_per_day == sessions
    assert truth.responses.referral == referral
    assert truth.preferences == draw_preferences(seed)


def test_preferences_are_fixed_per_seed_and_differ_between_seeds() -> None:
    assert draw_preferences(3) == draw_preferences(3)
    assert draw_preferences(3) != draw_preferences(4)


def test_every_proposed_variant_and_any_other_of_a_kind_has_a_preference() -> None:
    preferences = draw_preferences(1)
    for kind, variant in KNOWN_VARIANTS:
        preference = preferences.of(kind, variant)
        assert 0.15 <= preference.approve <= 0.9
        assert sum(preference.reason_weights()) == pytest.approx(1.0)
    assert preferences.of(ActionKind.EMAIL_CAMPAIGN, "new_variant") == preferences.of(
        "email_campaign", "*"
    )
    assert 0.02 <= preferences.ignore <= 0.06


def test_preferences_round_trip_through_json_and_old_rows_load_without_them() -> None:
    truth = draw_truth(5)
    assert truth_from_json(truth_to_json(truth)) == truth
    old = truth_to_json(truth)
    del old["preferences"]
    loaded = truth_from_json(old)
    assert loaded.preferences is None
    assert loaded.base == truth.base


def test_the_learner_never_imports_the_demo_shop() -> None:
    files = [ROOT / "engine" / "learn.py", *(ROOT / "engine" / "learning").glob("*.py")]
    for file in files:
        tree = ast.parse(file.read_text())
        imported = [
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        ] + [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ]
        assert not [name for name in imported if name.startswith("engine.demo")], file
