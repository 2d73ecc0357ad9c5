"""Send me a test: a pending e-mail proposal, filled for its first recipient, to one address.

`income send-test` and the card's "Send me a test" button both call `send_test_email`; it
records nothing and raises `SendTestError` with words for the person who asked.
"""

from __future__ import annotations

from bot.bootstrap import Runtime
from engine.drafting.base import EMAIL_KINDS
from engine.execution_ports import ExecutionJob
from engine.executors.email import send_test
from engine.executors.registry import smtp_executor
from engine.executors.retry import RetryPolicy
from engine.model import Action, ActionState, TargetState
from engine.settings import ConfigError, Settings

# someone is waiting for the answer: give up on an unreachable server after ~10 s
TEST_RETRY = RetryPolicy(max_delay=10.0, attempts=4)
_UNREACHABLE = "SMTP server unreachable"


class SendTestError(Exception):
    """Why no test e-mail went out, in words for the person who asked for it."""


def can_send_tests(settings: Settings) -> bool:
    """True when real mail can leave: SMTP_URL and INCOME_EMAIL_FROM are both set."""
    return bool(settings.smtp_url and settings.email_from)


def testable(action: Action) -> bool:
    """True for an e-mail proposal with at least one recipient to fill the test for."""
    return action.candidate.kind in EMAIL_KINDS and bool(action.candidate.targets)


def send_test_email(runtime: Runtime, action_id: str, address: str) -> None:
    """Send one test of a pending e-mail proposal to `address` alone; record nothing."""
    settings = runtime.settings
    if not can_send_tests(settings):
        raise SendTestError(
            "send-test needs SMTP_URL and INCOME_EMAIL_FROM: without them no mail leaves"
        )
    action = _pending_email(runtime, action_id)
    try:
        executor = smtp_executor(settings, TEST_RETRY)
    except ConfigError as error:
        raise SendTestError(str(error)) from None
    candidate = action.candidate
    job = ExecutionJob(
        action_id=action.id,
        kind=candidate.kind,
        variant=candidate.variant,
        subject=candidate.content.subject,
        body=candidate.content.body,
        params=candidate.params,
        at=runtime.decision_time(),
    )
    result = send_test(executor, job, candidate.targets[0], address)
    if result.state is TargetState.SENT:
        return
    detail = result.detail or result.state.value
    if result.state is TargetState.UNKNOWN:
        raise SendTestError(f"the SMTP connection broke while sending ({detail}); it may arrive")
    raise SendTestError(detail if detail.startswith(_UNREACHABLE) else f"SMTP refused: {detail}")


def _pending_email(runtime: Runtime, action_id: str) -> Action:
    """The action if it is an e-mail proposal still awaiting a decision."""
    with runtime.database.uow() as uow:
        action = uow.actions.get(action_id)
    if action is None:
        raise SendTestError(f"no action with id {action_id!r} (see `income actions`)")
    if not testable(action):
        kind = action.candidate.kind.value
        raise SendTestError(f"{action_id} is a {kind}, not an e-mail to test")
    expired = action.expires_at <= runtime.decision_time()
    if action.state is not ActionState.PROPOSED or expired:
        state = "expired" if expired else action.state.value
        raise SendTestError(f"this proposal is no longer pending ({state})")
    return action
