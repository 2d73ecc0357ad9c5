"""Reading unsubscribe requests, bounce reports and complaints out of returned mail."""

from __future__ import annotations

from email import message_from_bytes

import pytest

from engine.mailbox import Request, read, worth_reading
from engine.unsubscribe import BOUNCED, COMPLAINT, UNSUBSCRIBED
from tests.engine.mail_samples import (
    bounce_report,
    complaint_report,
    for_people,
    unsubscribe_request,
)

MARK = "0123456789abcdef01234567"


def _read(raw: bytes) -> Request | None:
    return read(message_from_bytes(raw))


def test_our_mailto_request_names_its_link_and_its_sender() -> None:
    raw = unsubscribe_request("Bob <BOB@Example.org>", f"unsubscribe aexample01 {MARK}")
    assert _read(raw) == Request(UNSUBSCRIBED, ("bob@example.org",), "aexample01", MARK)


@pytest.mark.parametrize(
    "subject",
    [
        f"unsubscribe {MARK}",  # sent before the action id was in the link
        "Unsubscribe",
        "UNSUBSCRIBE me please",
        "=?utf-8?q?unsubscribe?=",
        f"unsubscribe a'x {MARK}",  # not a link of ours: the sender asks for itself
    ],
)
def test_other_requests_ask_for_the_sender_itself(subject: str) -> None:
    assert _read(unsubscribe_request("bob@example.org", subject)) == Request(
        UNSUBSCRIBED, ("bob@example.org",)
    )


def test_a_request_without_a_usable_sender_or_link_is_left_to_people() -> None:
    assert _read(unsubscribe_request("not an address", "unsubscribe")) is None


def test_only_permanent_failures_in_a_bounce_report_are_suppressed() -> None:
    raw = bounce_report(
        ("Gone@Example.org", "failed", "5.1.1"),
        ("full@example.org", "failed", "4.2.2"),  # mailbox full: not final
        ("slow@example.org", "delayed", "4.4.1"),
        ("<also-gone@example.org>", "Failed", "5.7.1"),
        ("gone@example.org", "failed", "5.1.1"),
    )
    assert _read(raw) == Request(BOUNCED, ("gone@example.org", "also-gone@example.org"))


def test_a_report_of_delays_only_asks_nothing() -> None:
    assert _read(bounce_report(("slow@example.org", "delayed", "4.4.1"))) is None


def test_a_complaint_names_its_original_recipient_else_the_returned_to() -> None:
    named = complaint_report("Ann <ann@example.org>", original_rcpt_to="ann.b@example.org")
    assert _read(named) == Request(COMPLAINT, ("ann.b@example.org",))
    assert _read(complaint_report("Ann <ann@example.org>")) == Request(
        COMPLAINT, ("ann@example.org",)
    )


def test_mail_for_people_is_not_a_request() -> None:
    assert _read(for_people()) is None
    assert _read(for_people("About unsubscribing from your list")) is None


def test_headers_alone_pick_out_what_is_worth_fetching() -> None:
    wanted = [
        unsubscribe_request("bob@example.org", "unsubscribe"),
        bounce_report(("gone@example.org", "failed", "5.1.1")),
        complaint_report("ann@example.org"),
    ]
    for raw in wanted:
        head = raw.split(b"\n\n", 1)[0] + b"\n\n"
        assert worth_reading(message_from_bytes(head))
    assert not worth_reading(message_from_bytes(for_people()))


@pytest.mark.parametrize("subject", ["=?x-unknown?q?hello?=", "=?utf-8?q?=FF?= sale"])
def test_a_subject_in_a_broken_encoding_is_read_as_it_is(subject: str) -> None:
    raw = unsubscribe_request("bob@example.org", subject)
    assert not worth_reading(message_from_bytes(raw))
    assert _read(raw) is None
