"""Errors the CLI reports as one line, without a traceback."""


class CliError(Exception):
    """A user-facing failure: unknown action id, refused decision, busy cycle."""
