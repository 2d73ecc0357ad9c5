"""Which pending targets an action must skip before it sends: who may be contacted, and when.

- Suppressed addresses (unsubscribed, bounced, complaint) and addresses over the marketing
  frequency cap are not e-mailed.
- A target already in another action of the same kind whose lift is still being measured (it
  was sent to or held out, and that action's attribution window is open) is skipped. Without
  this rule an hourly cycle re-targets the same customers: the control group of one action gets
  the very offer from the next, and the treated group, already at its frequency cap, does not,
  so the measured lift comes out too low and even negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from engine.drafting.base import EMAIL_KINDS
from engine.execution_ports import TargetResult
from engine.executors.keys import holds_out
from engine.measure import ATTRIBUTION_WINDOWS
from engine.model import ActionKind, Reach, TargetState
from engine.model.reach import conversion_ref

if TYPE_CHECKING:
    from engine.ports import UnitOfWork
    from engine.store import SqlUnitOfWork
    from engine.store.executions import TargetRecord

SUPPRESSED, FREQUENCY_CAP = "suppressed", "frequency cap"
MAX_MARKETING_EMAILS = 3  # per address in FREQUENCY_WINDOW, across marketing e-mail kinds
FREQUENCY_WINDOW = timedelta(days=7)
_EMAIL_KIND_NAMES = tuple(kind.value for kind in EMAIL_KINDS)


def exclusions(
    uow: SqlUnitOfWork,
    action_id: str,
    kind: ActionKind,
    pending: Sequence[TargetRecord],
    now: datetime,
    *,
    cap: int,
    window: timedelta,
    holdout: float,
) -> list[TargetResult]:
    """The targets an action of `kind` must skip at `now`, each `failed` with the rule's name."""
    blocked = (
        email_exclusions(uow, action_id, pending, now, cap=cap, window=window)
        if kind in EMAIL_KINDS
        else []
    )
    if holds_out(kind) and holdout > 0:  # no control group, no lift to keep clean
        skipped = {result.target_key for result in blocked}
        rest = [r for r in pending if r.target.key not in skipped]
        blocked += measurement_exclusions(uow, action_id, kind, rest, now)
    return blocked


def email_exclusions(
    uow: SqlUnitOfWork,
    action_id: str,
    pending: Sequence[TargetRecord],
    now: datetime,
    *,
    cap: int,
    window: timedelta,
) -> list[TargetResult]:
    """Suppressed addresses and those with `cap` marketing e-mails in `window` are not sent."""
    emails = [r.target.email for r in pending if r.target.email]
    suppressed = uow.suppressions.among(emails)
    recent = uow.executions.recent_sends(emails, _EMAIL_KIND_NAMES, now - window, action_id)
    blocked = []
    for record in pending:
        address = (record.target.email or "").strip().lower()
        if address in suppressed:
            blocked.append(TargetResult(record.target.key, TargetState.FAILED, SUPPRESSED))
        elif recent.get(address, 0) >= cap:
            blocked.append(TargetResult(record.target.key, TargetState.FAILED, FREQUENCY_CAP))
    return blocked


def measurement_exclusions(
    uow: SqlUnitOfWork,
    action_id: str,
    kind: ActionKind,
    pending: Sequence[TargetRecord],
    now: datetime,
) -> list[TargetResult]:
    """Targets already in an open measurement of another action of `kind` are skipped."""
    window = ATTRIBUTION_WINDOWS.get(kind)
    if window is None:
        return []
    refs = {r.target.key: conversion_ref(kind, r.target) for r in pending}
    busy = uow.executions.measuring(
        kind, {ref for ref in refs.values() if ref}, since=now - window, action_id=action_id
    )
    detail = f"already measured in another {kind.value} action"
    return [
        TargetResult(key, TargetState.FAILED, detail)
        for key, ref in refs.items()
        if ref is not None and ref in busy
    ]


def read_reach(uow: UnitOfWork, now: datetime, *, holdout: float) -> Reach:
    """The same rules read ahead for the generators: who a new e-mail action could reach."""
    return uow.reach.reach(
        now,
        email_kinds=EMAIL_KINDS,
        cap=MAX_MARKETING_EMAILS,
        window=FREQUENCY_WINDOW,
        windows=ATTRIBUTION_WINDOWS if holdout > 0 else {},
    )
