"""The "Send me a test" cooldown: one test per proposal and approver per minute."""

from __future__ import annotations

from bot.send_cooldown import COOLDOWN_SECONDS, SendCooldown


class Clock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_second_test_within_the_minute_is_refused_with_the_time_since() -> None:
    clock = Clock()
    cooldown = SendCooldown(clock)
    assert cooldown.claim("a1", "U1") is None
    clock.now += 10
    assert cooldown.claim("a1", "U1") == 10
    assert cooldown.claim("a1", "U2") is None  # another approver
    assert cooldown.claim("a2", "U1") is None  # another proposal
    clock.now += COOLDOWN_SECONDS
    assert cooldown.claim("a1", "U1") is None  # the minute has passed


def test_a_released_claim_lets_a_retry_go_at_once() -> None:
    cooldown = SendCooldown(Clock())
    assert cooldown.claim("a1", "U1") is None
    cooldown.release("a1", "U1")
    assert cooldown.claim("a1", "U1") is None
