"""The runtime's learner configuration comes from the settings, the rest from the defaults."""

from __future__ import annotations

from bot.bootstrap import learn_config
from engine.learn import DEFAULT_CONFIG
from engine.settings import load_settings


def test_learn_config_takes_half_life_and_explore_limit_from_settings() -> None:
    settings = load_settings(
        {"INCOME_LEARN_HALF_LIFE_HOURS": "96", "INCOME_EXPLORE_LIMIT": "25"}, dotenv=None
    )
    config = learn_config(settings)
    assert (config.half_life_hours, config.explore_money_limit) == (96.0, 2_500)
    assert config.sharpness == DEFAULT_CONFIG.sharpness


def test_learn_config_without_settings_is_the_default() -> None:
    assert learn_config(load_settings({}, dotenv=None)) == DEFAULT_CONFIG
