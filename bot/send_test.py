"""`income send-test`: the proposed e-mail, filled for its first recipient, to your own address."""

from __future__ import annotations

from bot.bootstrap import Runtime
from bot.errors import CliError
from engine.drafting.base import EMAIL_KINDS
from engine.execution_ports import ExecutionJob, TargetResult
from engine.executors.email import send_test
from engine.executors.registry import smtp_executor
from engine.executors.retry import RetryPolicy


def send_test_email(runtime: Runtime, action_id: str, address: str) -> TargetResult:
    """Send one test of an e-mail proposal before anyone approves it; record nothing."""
    settings = runtime.settings
    if not settings.smtp_url:
        raise CliError(
            "send-test needs SMTP_URL and INCOME_EMAIL_FROM: without them no mail leaves"
        )
    with runtime.database.uow() as uow:
        action = uow.actions.get(action_id)
    if action is None:
        raise CliError(f"no action with id {action_id!r} (see `income actions`)")
    candidate = action.candidate
    if candidate.kind not in EMAIL_KINDS or not candidate.targets:
        raise CliError(f"{action_id} is a {candidate.kind.value}, not an e-mail to test")
    executor = smtp_executor(settings, RetryPolicy())
    job = ExecutionJob(
        action_id=action.id,
        kind=candidate.kind,
        variant=candidate.variant,
        subject=candidate.content.subject,
        body=candidate.content.body,
        params=candidate.params,
        at=runtime.decision_time(),
    )
    return send_test(executor, job, candidate.targets[0], address)
