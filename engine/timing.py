"""Step timing for the cycle: milliseconds per named step, with an injectable counter."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Stopwatch:
    """Records how long each named step takes, in the order they ran."""

    def __init__(self, counter: Callable[[], float] = time.perf_counter) -> None:
        self._counter = counter
        self._steps: list[tuple[str, float]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the enclosed block as step `name` (recorded even if it raises)."""
        started = self._counter()
        try:
            yield
        finally:
            self._steps.append((name, (self._counter() - started) * 1000.0))

    @property
    def steps(self) -> tuple[tuple[str, float], ...]:
        """Steps timed so far as (name, milliseconds)."""
        return tuple(self._steps)
