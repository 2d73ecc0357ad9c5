"""Fixtures for running `income` in-process as a user would type it."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def cli_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty database in tmp_path as DATABASE_URL, no mailbox, and no .env of the checkout."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'income.db'}")
    monkeypatch.delenv("INCOME_IMAP_URL", raising=False)
    return tmp_path
