"""`income mailbox`, run in-process as a user would type it, against a local IMAP server."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.bootstrap import build_runtime
from bot.cli import main
from bot.mailbox_command import mailbox_job
from engine.settings import load_settings
from tests.engine.executors.imap_server import Folder, imap_server
from tests.engine.mail_samples import bounce_report, for_people, unsubscribe_request

ACCOUNT = "shop%40example.com:s3cret%20pass"


def test_reading_suppresses_and_says_what_it_found(
    cli_shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    del cli_shop
    folder = Folder()
    folder.add(unsubscribe_request("Bo <bo@example.org>", "unsubscribe"))
    folder.add(bounce_report(("gone@example.org", "failed", "5.1.1")))
    folder.add(for_people())
    with imap_server(folder) as port:
        monkeypatch.setenv("INCOME_IMAP_URL", f"imap://{ACCOUNT}@127.0.0.1:{port}")
        assert main(["db", "upgrade"]) == 0
        assert main(["mailbox"]) == 0
    out = capsys.readouterr().out
    assert "3 new unread messages: 1 unsubscribe request, 1 bounce report, 0 complaints" in out
    assert "2 addresses newly suppressed; 1 left unread for people" in out
    assert main(["unsubscribe", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "bo@example.org" in listed
    assert "gone@example.org" in listed


def test_without_a_mailbox_it_says_which_setting_to_give(
    cli_shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    del cli_shop
    assert main(["mailbox"]) == 1
    assert "income: INCOME_IMAP_URL is not set" in capsys.readouterr().err


def test_a_bad_url_stops_start_up_without_echoing_it(
    cli_shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    del cli_shop
    monkeypatch.setenv("INCOME_IMAP_URL", "imaps://shop@imap.example.com")
    assert main(["status"]) == 2  # read once at start-up, whatever the command
    err = capsys.readouterr().err
    assert "INCOME_IMAP_URL must look like imaps://user:password@host" in err
    assert "the user and the password are both needed" in err


def test_a_refused_login_is_one_line_without_the_password(
    cli_shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    del cli_shop
    with imap_server(Folder()) as port:
        monkeypatch.setenv("INCOME_IMAP_URL", f"imap://shop%40example.com:hunter2@127.0.0.1:{port}")
        assert main(["mailbox"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        f"income: the mailbox at 127.0.0.1:{port} refused the user 'shop@example.com'"
    )


def test_the_serve_job_reads_every_cycle_and_logs_a_refusal_without_the_password(
    cli_shop: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = Folder()
    folder.add(unsubscribe_request("bo@example.org", "unsubscribe"))
    with imap_server(folder) as port:
        good = f"imap://{ACCOUNT}@127.0.0.1:{port}"
        bad = f"imap://shop%40example.com:hunter2@127.0.0.1:{port}"
        settings = load_settings({"DATABASE_URL": f"sqlite:///{cli_shop / 'db'}"}, dotenv=None)
        assert mailbox_job(build_runtime(settings)) is None  # no mailbox, no job
        runtime = build_runtime(settings.with_overrides(imap_url=good))
        runtime.database.upgrade()
        job = mailbox_job(runtime)
        assert job is not None
        assert (job.id, job.seconds) == ("mailbox", settings.interval_seconds)
        job.run()
        refused = mailbox_job(build_runtime(settings.with_overrides(imap_url=bad)))
        assert refused is not None
        with caplog.at_level(logging.WARNING, logger="income.mailbox"):
            refused.run()  # logged, not raised: the schedule goes on
    with runtime.database.uow() as uow:
        assert [entry[0] for entry in uow.suppressions.entries()] == ["bo@example.org"]
    [record] = [r for r in caplog.records if r.getMessage() == "mailbox_error"]
    error = record.fields["error"]  # type: ignore[attr-defined]
    assert error == f"the mailbox at 127.0.0.1:{port} refused the user 'shop@example.com'"


def test_the_serve_job_tells_once_when_readings_fail_and_once_when_they_work_again(
    cli_shop: Path,
) -> None:
    folder = Folder(password="rotated")  # the mailbox's password changed under us
    told: list[str] = []
    with imap_server(folder) as port:
        url = f"imap://{ACCOUNT}@127.0.0.1:{port}"
        settings = load_settings({"DATABASE_URL": f"sqlite:///{cli_shop / 'db'}"}, dotenv=None)
        runtime = build_runtime(settings.with_overrides(imap_url=url))
        job = mailbox_job(runtime, told.append)
        assert job is not None
        job.run()
        job.run()
        failing = (
            f"The sender's mailbox could not be read: the mailbox at 127.0.0.1:{port} refused "
            "the user 'shop@example.com'. Unsubscribe requests and bounce reports sent to it "
            "wait until it can be read."
        )
        assert told == [failing]
        folder.password = "s3cret pass"  # set right again
        folder.add(unsubscribe_request("bo@example.org", "unsubscribe"))
        job.run()
        job.run()
    again = (
        "The sender's mailbox is read again: 1 new unread message: 1 unsubscribe request, "
        "0 bounce reports, 0 complaints; 1 address newly suppressed; 0 left unread for people."
    )
    assert told[1:] == [again]
