"""The one place where real adapters are built from `Settings` and wired together."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from engine.actions import capabilities_for
from engine.clock import floor_hour, utc_now
from engine.cycle import CycleConfig, CyclePorts, run_cycle
from engine.demo import DemoShop
from engine.drafting.templates import TemplateDrafter
from engine.learn import DEFAULT_CONFIG, LearnConfig
from engine.model import CycleReport
from engine.settings import Settings
from engine.sources.demo import DemoSource
from engine.store import Database

DEMO_HISTORY_DAYS = 28


@dataclass(frozen=True)
class Runtime:
    """The wired process: settings, database, demo shop, cycle config and ports."""

    settings: Settings
    database: Database
    shop: DemoShop
    config: CycleConfig
    ports: CyclePorts

    def decision_time(self) -> datetime:
        """Now: the wall clock, or the last cycle's time when `income demo` ran ahead of it."""
        with self.database.uow() as uow:
            latest = uow.snapshots.latest()
        wall = utc_now()
        return max(wall, latest.taken_at) if latest is not None else wall

    def run_wall_clock_cycle(self, trigger: str, slot: str | None = None) -> CycleReport:
        """A cycle at the wall clock; an empty demo shop is first seeded with history."""
        now = self.decision_time()
        if self.shop.state() is None:
            self.shop.start(
                scenario=self.settings.demo_scenario,
                seed=self.settings.demo_seed,
                end=floor_hour(now),
                days=DEMO_HISTORY_DAYS,
            )
        return run_cycle(
            self.config,
            self.ports,
            now=now,
            slot=slot or f"{trigger}:{now.isoformat(timespec='seconds')}",
            trigger=trigger,
        )


def learn_config(settings: Settings) -> LearnConfig:
    """The learner defaults, with INCOME_LEARN_HALF_LIFE_HOURS and INCOME_EXPLORE_LIMIT applied."""
    config = DEFAULT_CONFIG
    if settings.learn_half_life_hours is not None:
        config = replace(config, half_life_hours=float(settings.learn_half_life_hours))
    if settings.explore_limit is not None:
        config = replace(config, explore_money_limit=settings.explore_limit)
    return config


def build_runtime(settings: Settings, rng: random.Random | None = None) -> Runtime:
    """Open (and migrate) the database and build the cycle's adapters."""
    database = Database(settings.database_url)
    database.upgrade()
    shop = DemoShop(database.engine, timezone=settings.timezone, currency=settings.currency)
    capabilities = capabilities_for(
        email=True,  # without SMTP_URL the demo shop receives the mail
        payments=settings.source == "demo" or settings.stripe_api_key is not None,
        webhook=settings.webhook_url is not None,
        slack=settings.slack_bot_token is not None and settings.channel is not None,
    )
    config = CycleConfig(
        rules=settings.rules,
        max_proposals=settings.max_proposals,
        proposal_ttl=timedelta(hours=settings.proposal_ttl_hours),
        capabilities=capabilities,
        learn=learn_config(settings),
        holdout=settings.holdout,
    )
    ports = CyclePorts(
        uow=database.uow,
        source=DemoSource(shop),
        drafter=TemplateDrafter(),
        rng=rng or random.Random(),
    )
    return Runtime(settings=settings, database=database, shop=shop, config=config, ports=ports)
