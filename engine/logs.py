"""Structured log lines: an event name and key=value fields, never secrets or e-mail addresses."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_TOKEN = re.compile(r"\b(xox[abposr]-|xapp-|sk_live_|sk_test_|sk-ant-)[\w-]+")


def redact(text: str) -> str:
    """Mask e-mail addresses and API tokens in a log value."""
    return _TOKEN.sub(r"\1***", _EMAIL.sub("***@***", text))


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one structured line: `name` plus fields, redacted."""
    if logger.isEnabledFor(level):
        logger.log(level, name, extra={"fields": fields})


class KeyValueFormatter(logging.Formatter):
    """Render `event` records as `time level logger event key=value ...` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """Format the record with its structured fields."""
        fields: dict[str, Any] = getattr(record, "fields", {})
        parts = [
            self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            record.levelname.lower(),
            record.name,
            record.getMessage(),
        ]
        parts.extend(f"{key}={_render(value)}" for key, value in fields.items())
        line = " ".join(parts)
        if record.exc_info:
            line += " error=" + _render(repr(record.exc_info[1]))
        return redact(line)


def _render(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return json.dumps(text) if (" " in text or not text) else text
