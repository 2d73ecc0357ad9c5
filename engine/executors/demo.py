"""Delivery to the built-in demo shop: recorded once per (action, target), and the shop reacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.demo.shop import DemoShop
from engine.execution_ports import Delivery, ExecutionJob, Executor, TargetResult
from engine.model import Target, TargetState


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


@dataclass(frozen=True, slots=True)
class TeeToDemoShop:
    """Real mail through `inner` (SMTP) for a demo-shop business: the shop hears what was sent.

    Only targets the inner executor reports as sent reach the shop, so held-out, suppressed
    and failed recipients never react and lift against the control stays measurable.
    """

    inner: Executor
    shop: DemoShop

    @property
    def idempotent(self) -> bool:
        """As idempotent as the real provider (SMTP is not)."""
        return self.inner.idempotent

    def open(self, job: ExecutionJob) -> Delivery:
        """A real session whose sent targets are also handed to the shop."""
        return _TeeDelivery(self.inner.open(job), _DemoDelivery(self.shop, job))


@dataclass(frozen=True, slots=True)
class _TeeDelivery:
    real: Delivery
    shop: _DemoDelivery

    def send(self, targets: Sequence[Target], keys: Sequence[str]) -> list[TargetResult]:
        results = self.real.send(targets, keys)
        sent = {r.target_key for r in results if r.state is TargetState.SENT}
        reached = [target for target in targets if target.key in sent]
        if reached:
            self.shop.send(
                reached,
                [key for target, key in zip(targets, keys, strict=True) if target.key in sent],
            )
        return results

    def close(self) -> None:
        self.real.close()
