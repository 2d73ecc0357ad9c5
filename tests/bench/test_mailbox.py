"""The mailbox benchmark: its folder and its two readings, on a small scale."""

from __future__ import annotations

import pytest

from bench.mailbox import filled, main


def test_the_folder_holds_the_share_of_requests_asked_for() -> None:
    folder = filled(100, 0.2)
    subjects = [m.raw.split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0] for m in folder.messages]
    assert len(subjects) == 100
    assert subjects.count(b"unsubscribe") == 10
    assert subjects.count(b"Undelivered Mail Returned to Sender") == 10
    assert len(filled(10, 0.0).messages) == 10


def test_the_second_reading_finds_nothing_new(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--messages", "40", "--requests", "0.5"])
    first, second = capsys.readouterr().out.splitlines()
    assert "40 new unread messages: 10 unsubscribe requests, 10 bounce reports" in first
    assert "20 addresses newly suppressed; 20 left unread for people" in first
    assert second.startswith("next reading: ")
    assert "0 new unread messages" in second


def test_bad_arguments_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--requests", "2"])
    assert "--requests between 0 and 1" in capsys.readouterr().err
