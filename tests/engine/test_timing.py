import pytest

from engine.timing import Stopwatch


def test_steps_are_recorded_in_order_with_milliseconds() -> None:
    ticks = iter([1.0, 1.25, 2.0, 2.002])
    watch = Stopwatch(counter=lambda: next(ticks))
    with watch.step("monitor"):
        pass
    with pytest.raises(RuntimeError), watch.step("detect"):
        raise RuntimeError("boom")
    assert watch.steps == (("monitor", 250.0), ("detect", pytest.approx(2.0)))
