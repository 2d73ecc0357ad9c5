"""Delivery to the built-in demo shop: recorded once per (action, target), and the shop reacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.demo.shop import DemoShop
from engine.model import Target
from engine.ports import Delivery, ExecutionJob, TargetResult


@dataclass(frozen=True, slots=True)
class DemoShopExecutor:
    """Hands e-mails and payment retries to the demo shop, which is idempotent per target."""

    shop: DemoShop

    @property
    def idempotent(self) -> bool:
        """The shop records each (action, target) once and replays the first result."""
        return True

    def open(self, job: ExecutionJob) -> Delivery:
        """A session for one action."""
        return _DemoDelivery(self.shop, job)


@dataclass(frozen=True, slots=True)
class _DemoDelivery:
    shop: DemoShop
    job: ExecutionJob

    def send(self, targets: Sequence[Target], keys: Sequence[str]) -> list[TargetResult]:
        del keys  # the shop keys deliveries by (action id, target key) itself
        results = self.shop.deliver(
            self.job.action_id,
            self.job.kind.value,
            self.job.variant,
            params=self.job.param_map(),
            targets=targets,
            at=self.job.at,
        )
        return [TargetResult(r.target_key, r.state, r.detail) for r in results]

    def close(self) -> None:
        return None
