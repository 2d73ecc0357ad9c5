"""The "Send me a test" cooldown: a double tap or Slack's redelivery sends one test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

COOLDOWN_SECONDS = 60.0  # a double tap or Slack's redelivery inside this sends one test


class SendCooldown:
    """One test per proposal and approver per minute, claimed before sending (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def claim(self, action_id: str, user: str) -> float | None:
        """None when a test may go now (and it is claimed); else seconds since the last one."""
        now = self._clock()
        with self._lock:
            self._last = {k: t for k, t in self._last.items() if now - t < COOLDOWN_SECONDS}
            last = self._last.get((action_id, user))
            if last is not None:
                return now - last
            self._last[(action_id, user)] = now
            return None

    def release(self, action_id: str, user: str) -> None:
        """Give the claim back after a test that was not sent, so a retry may go at once."""
        with self._lock:
            self._last.pop((action_id, user), None)
