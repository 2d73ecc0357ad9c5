"""Errors the store raises to its callers."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used; the message is one line naming DATABASE_URL."""


class ConflictError(Exception):
    """A write clashed with a uniqueness rule (e.g. an open issue with that dedup key exists)."""
