"""`income unsubscribe`, run in-process as a user would type it, on a fresh SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


def test_an_address_is_suppressed_once_and_listed(
    cli_shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    del cli_shop
    assert main(["unsubscribe", "--list"]) == 0
    assert "The suppression list is empty." in capsys.readouterr().out
    assert main(["unsubscribe", " Ana@Example.com "]) == 0
    assert "Suppressed ana@example.com (unsubscribed)" in capsys.readouterr().out
    assert main(["unsubscribe", "ana@example.com", "--reason", "complaint"]) == 0
    again = capsys.readouterr().out
    assert "ana@example.com was already suppressed (unsubscribed) since" in again
    assert "nothing changed" in again
    assert main(["unsubscribe", "Bo <bo@example.org>", "--reason", "bounced"]) == 0
    capsys.readouterr()
    assert main(["unsubscribe", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "ana@example.com" in listed
    assert "unsubscribed" in listed
    assert "bo@example.org" in listed
    assert "bounced" in listed
    assert "2 suppressed addresses." in listed


def test_remove_puts_an_address_back_and_a_complaint_needs_force(
    cli_shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    del cli_shop
    assert main(["unsubscribe", "ana@example.com", "--reason", "bounced"]) == 0
    assert main(["unsubscribe", "bo@example.com", "--reason", "complaint"]) == 0
    capsys.readouterr()
    assert main(["unsubscribe", "ANA@example.com", "--remove"]) == 0
    out = capsys.readouterr().out
    assert "ana@example.com is off the suppression list (was bounced since" in out
    assert main(["unsubscribe", "ana@example.com", "--remove"]) == 0
    assert "ana@example.com is not on the suppression list; nothing changed." in (
        capsys.readouterr().out
    )
    assert main(["unsubscribe", "bo@example.com", "--remove"]) == 1
    refused = capsys.readouterr().err
    assert "bo@example.com reported your mail as spam" in refused
    assert "Nothing changed. If they asked to be mailed again, add --force." in refused
    assert main(["unsubscribe", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "bo@example.com" in listed
    assert "ana@example.com" not in listed
    assert main(["unsubscribe", "bo@example.com", "--remove", "--force"]) == 0
    assert "bo@example.com is off the suppression list (was complaint" in capsys.readouterr().out
    assert main(["unsubscribe", "--list"]) == 0
    assert "The suppression list is empty." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["unsubscribe", "ana.example.com"], "'ana.example.com' is not an e-mail address"),
        (["unsubscribe", "ana@localhost"], "'localhost' is not a domain"),
        (["unsubscribe"], "give the address to unsubscribe, or --list"),
        (["unsubscribe", "a@example.com", "--list"], "give no address and no --remove with it"),
        (["unsubscribe", "--list", "--remove"], "give no address and no --remove with it"),
        (["unsubscribe", "a@example.com", "--force"], "--force only goes with --remove"),
        (["unsubscribe", "nope", "--remove"], "'nope' is not an e-mail address"),
    ],
)
def test_bad_input_gets_one_clear_line_and_exit_1(
    cli_shop: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    del cli_shop
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("income: ")
    assert message in err
    assert main(["unsubscribe", "--list"]) == 0
    assert "empty" in capsys.readouterr().out


def test_an_unknown_reason_is_a_usage_error(
    cli_shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    del cli_shop
    with pytest.raises(SystemExit) as exited:
        main(["unsubscribe", "a@example.com", "--reason", "annoyed"])
    assert exited.value.code == 2
    assert "invalid choice: 'annoyed'" in capsys.readouterr().err
