"""Configuration, read once at start-up from the environment (and `.env`) into `Settings`."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.executors.imap import ImapMailbox
from engine.money import exponent
from engine.rules import RULE_VARIABLES, Rules

SCENARIOS = (
    "normal",
    "revenue_drop",
    "payment_failures",
    "cart_abandonment",
    "churn_spike",
    "error_spike",
)
SOURCES = ("demo",)
DEFAULT_DATABASE_URL = "sqlite:///data/income.db"


class ConfigError(ValueError):
    """Bad configuration; its message is one line naming the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the process is configured with; built by `load_settings`."""

    database_url: str = DEFAULT_DATABASE_URL
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    source: str = "demo"
    demo_scenario: str = "normal"
    demo_seed: int = 7
    currency: str = "USD"
    interval_seconds: int = 3600
    max_proposals: int = 3
    proposal_ttl_hours: int = 24
    alert_repeat_minutes: int = 30
    digest_hour: int = 9
    holdout: float = 0.1
    port: int = 3000
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    channel: str | None = None
    approvers: tuple[str, ...] = ()
    oncall: tuple[str, ...] = ()
    smtp_url: str | None = field(default=None, repr=False)
    email_from: str | None = None
    imap_url: str | None = field(default=None, repr=False)  # the sender's mailbox, read hourly
    public_url: str | None = None  # where `income serve` is reachable, no trailing slash
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    stripe_api_key: str | None = field(default=None, repr=False)
    stripe_api_base: str | None = None
    anthropic_api_key: str | None = field(default=None, repr=False)
    anthropic_base_url: str | None = None
    llm_model: str | None = None
    learn_half_life_hours: int | None = None  # None: the learner's default
    explore_limit: int | None = None  # minor units of `currency`; None: the learner's default
    rules: Rules = field(default_factory=Rules)

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields replaced (CLI flags such as --scenario)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines of a .env file; comments and blank lines are skipped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE")
        values[key.strip()] = _dotenv_value(value)
    return values


def _dotenv_value(raw: str) -> str:
    """A quoted value's inside, or an unquoted one up to a ` #` comment (`a#b` stays whole)."""
    value = raw.strip()
    if value[:1] in ("'", '"'):
        end = value.find(value[0], 1)
        return value[1:end] if end > 0 else value.strip(value[0])
    return _INLINE_COMMENT.split(value, maxsplit=1)[0].strip()


_INLINE_COMMENT = re.compile(r"\s+#")


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> Settings:
    """Read the environment (over `.env`) once; raise ConfigError naming the bad variable."""
    env = {
        **(read_dotenv(dotenv) if dotenv else {}),
        **(os.environ if environ is None else environ),
    }
    reader = _Reader(env)
    currency = reader.currency("INCOME_CURRENCY", "USD")
    settings = Settings(
        database_url=reader.text("DATABASE_URL", DEFAULT_DATABASE_URL),
        timezone=reader.timezone("INCOME_TIMEZONE"),
        source=reader.choice("INCOME_SOURCE", SOURCES, "demo"),
        demo_scenario=reader.choice("INCOME_DEMO_SCENARIO", SCENARIOS, "normal"),
        demo_seed=reader.integer("INCOME_DEMO_SEED", 7, minimum=0),
        currency=currency,
        interval_seconds=reader.integer("INCOME_INTERVAL_SECONDS", 3600, minimum=10),
        max_proposals=reader.integer("INCOME_MAX_PROPOSALS", 3, minimum=0),
        proposal_ttl_hours=reader.integer("INCOME_PROPOSAL_TTL", 24, minimum=1),
        alert_repeat_minutes=reader.integer("INCOME_ALERT_REPEAT_MINUTES", 30, minimum=1),
        digest_hour=reader.integer("INCOME_DIGEST_HOUR", 9, minimum=0, maximum=23),
        holdout=reader.fraction("INCOME_HOLDOUT", 0.1),
        port=reader.integer("PORT", 3000, minimum=1, maximum=65535),
        slack_bot_token=reader.optional("SLACK_BOT_TOKEN", prefix="xoxb-"),
        slack_signing_secret=reader.optional("SLACK_SIGNING_SECRET"),
        slack_app_token=reader.optional("SLACK_APP_TOKEN", prefix="xapp-"),
        slack_api_url=reader.url("SLACK_API_URL", "https://slack.com/api/"),
        channel=reader.optional("INCOME_CHANNEL"),
        approvers=reader.user_ids("INCOME_APPROVERS"),
        oncall=reader.user_ids("INCOME_ONCALL"),
        smtp_url=reader.optional("SMTP_URL", prefix="smtp"),
        email_from=reader.optional("INCOME_EMAIL_FROM"),
        imap_url=reader.imap_url("INCOME_IMAP_URL"),
        public_url=reader.base_url("INCOME_PUBLIC_URL"),
        webhook_url=reader.optional("INCOME_WEBHOOK_URL", prefix="http"),
        webhook_secret=reader.optional("INCOME_WEBHOOK_SECRET"),
        stripe_api_key=reader.optional("STRIPE_API_KEY"),
        stripe_api_base=reader.optional("STRIPE_API_BASE", prefix="http"),
        anthropic_api_key=reader.optional("ANTHROPIC_API_KEY"),
        anthropic_base_url=reader.optional("ANTHROPIC_BASE_URL", prefix="http"),
        llm_model=reader.optional("INCOME_LLM_MODEL"),
        learn_half_life_hours=reader.hours("INCOME_LEARN_HALF_LIFE_HOURS"),
        explore_limit=reader.amount("INCOME_EXPLORE_LIMIT", currency),
        rules=reader.rules(),
    )
    if settings.webhook_url and not settings.webhook_secret:
        raise ConfigError("INCOME_WEBHOOK_SECRET must be set when INCOME_WEBHOOK_URL is set")
    return settings


class _Reader:
    """Typed access to raw variables; every failure names the variable."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def _raw(self, name: str) -> str | None:
        value = self._env.get(name)
        return value.strip() if value is not None and value.strip() else None

    def text(self, name: str, default: str) -> str:
        return self._raw(name) or default

    def optional(self, name: str, prefix: str | None = None) -> str | None:
        value = self._raw(name)
        if value is not None and prefix and not value.startswith(prefix):
            raise ConfigError(f"{name} must start with '{prefix}'")
        return value

    def url(self, name: str, default: str) -> str:
        value = self._raw(name) or default
        if not value.startswith(("http://", "https://")):
            raise ConfigError(f"{name} must be an http(s) URL, got {value!r}")
        return value if value.endswith("/") else value + "/"

    def base_url(self, name: str) -> str | None:
        value = self._raw(name)
        if value is None:
            return None
        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.query
            or parts.fragment
        ):
            raise ConfigError(
                f"{name} must be an http(s) URL like https://income.example.com, got {value!r}"
            )
        return value.rstrip("/")

    def integer(self, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise ConfigError(f"{name} must be at least {minimum}{upper}, got {value}")
        return value

    def imap_url(self, name: str) -> str | None:
        value = self._raw(name)
        if value is not None:
            try:
                ImapMailbox.from_url(value)
            except ValueError as error:
                raise ConfigError(str(error)) from None
        return value

    def hours(self, name: str) -> int | None:
        if self._raw(name) is None:
            return None
        return self.integer(name, 0, minimum=1)

    def amount(self, name: str, currency: str) -> int | None:
        """A money amount written in the currency's units (100 or 99.50), as minor units."""
        raw = self._raw(name)
        if raw is None:
            return None
        example = f"an amount in {currency} such as 100 or 99.50"
        try:
            value = Decimal(raw.replace(",", "").replace("_", ""))
        except InvalidOperation:
            raise ConfigError(f"{name} must be {example}, got {raw!r}") from None
        if not value.is_finite() or value < 0:
            raise ConfigError(f"{name} must be {example}, got {raw!r}")
        minor = value.scaleb(exponent(currency))
        if minor != minor.to_integral_value():
            places = exponent(currency)
            raise ConfigError(f"{name} has more than {places} decimals for {currency}: {raw!r}")
        return int(minor)

    def fraction(self, name: str, default: float) -> float:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number between 0 and 0.5, got {raw!r}") from None
        if not 0.0 <= value <= 0.5:  # noqa: PLR2004 - more than half held out is no campaign
            raise ConfigError(f"{name} must be between 0 and 0.5, got {value}")
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self._raw(name) or default
        if value not in choices:
            raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
        return value

    def timezone(self, name: str) -> ZoneInfo:
        value = self._raw(name) or "UTC"
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{name} must be an IANA timezone like Europe/Berlin, got {value!r}"
            ) from None

    def currency(self, name: str, default: str) -> str:
        value = (self._raw(name) or default).upper()
        if len(value) != 3 or not value.isalpha():  # noqa: PLR2004 - ISO 4217 codes have 3 letters
            raise ConfigError(f"{name} must be an ISO 4217 code like USD, got {value!r}")
        return value

    def user_ids(self, name: str) -> tuple[str, ...]:
        raw = self._raw(name)
        if raw is None:
            return ()
        ids = tuple(part.strip() for part in raw.split(",") if part.strip())
        bad = [user for user in ids if user[:1] not in ("U", "W") or not user.isalnum()]
        if bad:
            raise ConfigError(f"{name} must be Slack user ids like U0123ABCD, got {bad[0]!r}")
        return ids

    def rules(self) -> Rules:
        changes: dict[str, float | int] = {}
        for variable, (attribute, kind) in RULE_VARIABLES.items():
            raw = self._raw(variable)
            if raw is None:
                continue
            try:
                changes[attribute] = kind(raw)
            except ValueError:
                raise ConfigError(f"{variable} must be a number, got {raw!r}") from None
            if changes[attribute] < 0:
                raise ConfigError(f"{variable} must not be negative, got {raw!r}")
        return replace(Rules(), **changes)  # type: ignore[arg-type]
