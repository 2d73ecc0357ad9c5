import logging

import pytest

from engine.logs import KeyValueFormatter, event, redact


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("mail to ana.lee+shop@example.com now", "mail to ***@*** now"),
        ("token xoxb-123-456-abc used", "token xoxb-*** used"),
        ("key sk-ant-api03-XYZ", "key sk-ant-***"),
        ("nothing secret", "nothing secret"),
    ],
)
def test_redact(raw: str, clean: str) -> None:
    assert redact(raw) == clean


def test_event_renders_one_redacted_line(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("income.test")
    with caplog.at_level(logging.INFO, logger="income.test"):
        event(logger, "cycle_step", step="monitor", ms=12.345, to="bo@example.com", n=3)
    line = KeyValueFormatter().format(caplog.records[0])
    assert "\n" not in line
    assert "cycle_step step=monitor ms=12.3" in line
    assert "to=***@***" in line
    assert "n=3" in line
    assert "example.com" not in line
