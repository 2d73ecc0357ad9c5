from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.rules import Rules
from engine.settings import ConfigError, load_settings


def test_defaults_need_no_configuration() -> None:
    settings = load_settings({}, dotenv=None)
    assert settings.database_url == "sqlite:///data/income.db"
    assert settings.timezone == ZoneInfo("UTC")
    assert settings.source == "demo"
    assert settings.demo_scenario == "normal"
    assert settings.max_proposals == 3
    assert settings.proposal_ttl_hours == 24
    assert settings.holdout == 0.1
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.rules == Rules()


def test_reads_every_documented_variable() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql+psycopg://u@h/db",
            "INCOME_TIMEZONE": "Asia/Kolkata",
            "INCOME_DEMO_SCENARIO": "error_spike",
            "INCOME_MAX_PROPOSALS": "5",
            "INCOME_PROPOSAL_TTL": "12",
            "INCOME_APPROVERS": "U01AAA, U02BBB",
            "INCOME_ONCALL": "W0123",
            "INCOME_HOLDOUT": "0.2",
            "SLACK_API_URL": "http://127.0.0.1:9000/api",
            "SLACK_BOT_TOKEN": "xoxb-1-2",
            "INCOME_RULE_REVENUE_DROP_PCT": "25",
        },
        dotenv=None,
    )
    assert settings.timezone == ZoneInfo("Asia/Kolkata")
    assert settings.demo_scenario == "error_spike"
    assert settings.max_proposals == 5
    assert settings.proposal_ttl_hours == 12
    assert settings.approvers == ("U01AAA", "U02BBB")
    assert settings.oncall == ("W0123",)
    assert settings.holdout == 0.2
    assert settings.slack_api_url == "http://127.0.0.1:9000/api/"
    assert settings.rules.revenue_drop_pct == 25.0


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("INCOME_MAX_PROPOSALS", "three", "INCOME_MAX_PROPOSALS must be a whole number"),
        ("INCOME_MAX_PROPOSALS", "-1", "INCOME_MAX_PROPOSALS must be at least 0"),
        ("INCOME_TIMEZONE", "Mars/Olympus", "INCOME_TIMEZONE must be an IANA timezone"),
        ("INCOME_DEMO_SCENARIO", "meteor", "INCOME_DEMO_SCENARIO must be one of normal"),
        ("INCOME_HOLDOUT", "0.9", "INCOME_HOLDOUT must be between 0 and 0.5"),
        ("INCOME_APPROVERS", "alice", "INCOME_APPROVERS must be Slack user ids"),
        ("SLACK_BOT_TOKEN", "xapp-wrong", "SLACK_BOT_TOKEN must start with 'xoxb-'"),
        ("SLACK_API_URL", "ftp://x", r"SLACK_API_URL must be an http\(s\) URL"),
        ("INCOME_DIGEST_HOUR", "24", "INCOME_DIGEST_HOUR must be at least 0 and at most 23"),
        ("INCOME_RULE_ERROR_SPIKE_COUNT", "many", "INCOME_RULE_ERROR_SPIKE_COUNT must be a number"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings({variable: value}, dotenv=None)
    assert "\n" not in str(caught.value)


def test_secrets_are_not_in_repr() -> None:
    settings = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-secret-token", "SMTP_URL": "smtp://u:pw@h:25"}, dotenv=None
    )
    assert "secret-token" not in repr(settings)
    assert "pw@" not in repr(settings)


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nINCOME_MAX_PROPOSALS=4\nexport INCOME_CHANNEL='C123'\n\n")
    settings = load_settings({"INCOME_CHANNEL": "C999"}, dotenv=dotenv)
    assert settings.max_proposals == 4
    assert settings.channel == "C999"


def test_malformed_dotenv_line_is_reported_with_its_number(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("INCOME_CHANNEL=C1\nthis is not a setting\n")
    with pytest.raises(ConfigError, match=r"\.env:2: expected KEY=VALUE"):
        load_settings({}, dotenv=dotenv)


def test_webhook_needs_its_secret() -> None:
    with pytest.raises(ConfigError, match="INCOME_WEBHOOK_SECRET must be set"):
        load_settings({"INCOME_WEBHOOK_URL": "https://hooks.example.com/x"}, dotenv=None)


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        (None, None),
        ("https://income.example.com", "https://income.example.com"),
        ("https://income.example.com/", "https://income.example.com"),
        ("http://127.0.0.1:3000/", "http://127.0.0.1:3000"),
    ],
)
def test_public_url_is_optional_and_kept_without_a_trailing_slash(
    raw: str | None, read: str | None
) -> None:
    settings = load_settings({} if raw is None else {"INCOME_PUBLIC_URL": raw}, dotenv=None)
    assert settings.public_url == read


@pytest.mark.parametrize(
    "raw", ["income.example.com", "ftp://income.example.com", "https://", "https://x.org/?a=1"]
)
def test_public_url_must_be_an_http_url(raw: str) -> None:
    with pytest.raises(ConfigError, match=r"INCOME_PUBLIC_URL must be an http\(s\) URL") as caught:
        load_settings({"INCOME_PUBLIC_URL": raw}, dotenv=None)
    assert "\n" not in str(caught.value)


def test_learner_settings_are_read_in_the_currency_s_units() -> None:
    settings = load_settings(
        {"INCOME_LEARN_HALF_LIFE_HOURS": "500", "INCOME_EXPLORE_LIMIT": "1,250.50"}, dotenv=None
    )
    assert settings.learn_half_life_hours == 500
    assert settings.explore_limit == 125_050
    yen = load_settings({"INCOME_CURRENCY": "JPY", "INCOME_EXPLORE_LIMIT": "20000"}, dotenv=None)
    assert yen.explore_limit == 20_000
    unset = load_settings({}, dotenv=None)
    assert (unset.learn_half_life_hours, unset.explore_limit) == (None, None)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("INCOME_EXPLORE_LIMIT", "lots", "INCOME_EXPLORE_LIMIT must be an amount in USD"),
        ("INCOME_EXPLORE_LIMIT", "-5", "INCOME_EXPLORE_LIMIT must be an amount in USD"),
        ("INCOME_EXPLORE_LIMIT", "9.999", "more than 2 decimals for USD"),
        ("INCOME_EXPLORE_LIMIT", "inf", "INCOME_EXPLORE_LIMIT must be an amount in USD"),
        ("INCOME_LEARN_HALF_LIFE_HOURS", "0", "INCOME_LEARN_HALF_LIFE_HOURS must be at least 1"),
        ("INCOME_LEARN_HALF_LIFE_HOURS", "a week", "must be a whole number"),
    ],
)
def test_bad_learner_settings_name_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({variable: value}, dotenv=None)


def test_dotenv_inline_comments_are_dropped_but_a_hash_inside_a_value_is_kept(
    tmp_path: Path,
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "INCOME_PROPOSAL_TTL=12             # hours\n"
        "SMTP_URL=smtp://user:pa#ss@mail.example.com:587\n"
        'INCOME_EMAIL_FROM="Shop <shop@example.com>"  # quoted, then a comment\n'
    )
    settings = load_settings({}, dotenv=dotenv)
    assert settings.proposal_ttl_hours == 12
    assert settings.smtp_url == "smtp://user:pa#ss@mail.example.com:587"
    assert settings.email_from == "Shop <shop@example.com>"


def test_the_mailbox_url_is_checked_at_start_up_and_kept_out_of_repr() -> None:
    url = "imaps://shop%40example.com:app-pw@imap.example.com/Returned"
    settings = load_settings({"INCOME_IMAP_URL": url}, dotenv=None)
    assert settings.imap_url == url
    assert "app-pw" not in repr(settings)
    assert load_settings({}, dotenv=None).imap_url is None
    with pytest.raises(ConfigError, match="INCOME_IMAP_URL must look like imaps://"):
        load_settings({"INCOME_IMAP_URL": "pop3://u:p@mail.example.com"}, dotenv=None)
