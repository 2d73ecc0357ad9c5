"""One retry layer per client (tenacity): bounded, with jitter, honouring Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    stop_any,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

Sleep = Callable[[float], None]


class TransientError(Exception):
    """The server said "not now" (4xx SMTP reply, 408/409/429/5xx HTTP): safe to retry."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded by total delay and attempts; sleep injectable."""

    max_delay: float = 30.0
    initial: float = 0.5
    max_wait: float = 8.0
    attempts: int = 6
    sleep: Sleep = field(default=time.sleep)

    def retrying(self, retry_on: Callable[[BaseException], bool]) -> Retrying:
        """A tenacity `Retrying` that retries exceptions for which `retry_on` is true."""
        backoff = wait_exponential_jitter(multiplier=self.initial, max=self.max_wait)

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            after = getattr(error, "retry_after", None)
            chosen = float(after) if after is not None else backoff(state)
            return max(0.0, min(chosen, self.max_delay - state.idle_for))  # never past the bound

        return Retrying(
            retry=retry_if_exception(retry_on),
            wait=wait,
            stop=stop_any(
                stop_after_delay(self.max_delay),
                stop_after_attempt(self.attempts),
                _Slept(self.max_delay),
            ),
            sleep=self.sleep,
            reraise=True,
        )


class _Slept(stop_base):
    """Stop once the planned sleeps add up to the bound, even when sleep returns at once."""

    def __init__(self, limit: float) -> None:
        self._limit = limit

    def __call__(self, retry_state: RetryCallState) -> bool:
        """True when the retries have waited long enough."""
        return retry_state.idle_for >= self._limit


def no_sleep(seconds: float) -> None:
    """A sleep that returns at once, for tests and benchmarks."""
    del seconds
