"""The sender's unread mail into the suppression list, over IMAP from a local server."""

from __future__ import annotations

from engine.executors.imap import ImapMailbox
from engine.executors.message import token
from engine.mailbox_sync import MailboxSummary, sync
from engine.store import Database
from tests.conftest import T0
from tests.engine.executors.imap_server import Folder, imap_server
from tests.engine.executors.support import approved, candidate_with
from tests.engine.mail_samples import (
    bounce_report,
    complaint_report,
    for_people,
    unsubscribe_request,
)


def _mailbox(folder: Folder, port: int) -> ImapMailbox:
    return ImapMailbox.from_url(f"imap://shop%40example.com:s3cret%20pass@127.0.0.1:{port}")


def test_requests_are_suppressed_and_flagged_read_and_people_mail_left_alone(
    database: Database,
) -> None:
    action_id = approved(database, candidate_with(3))
    folder = Folder()
    alias = unsubscribe_request(  # from an alias: the link's token names the address
        "c1-alias@forward.example", f"unsubscribe {action_id} {token(action_id, 'c1@example.com')}"
    )
    uids = {
        "alias": folder.add(alias),
        "person": folder.add(for_people()),
        "bounce": folder.add(bounce_report(("c2@example.com", "failed", "5.1.1"))),
        "complaint": folder.add(complaint_report("Ann <ann@example.org>")),
        "old": folder.add(unsubscribe_request("old@example.org", "unsubscribe"), "\\Seen"),
    }
    with imap_server(folder) as port, _mailbox(folder, port).open() as inbox:
        summary = sync(inbox, database.uow, T0)
    assert summary == MailboxSummary(
        unread=4, requests={"unsubscribed": 1, "bounced": 1, "complaint": 1}, suppressed=3, left=1
    )
    assert summary.line() == (
        "4 new unread messages: 1 unsubscribe request, 1 bounce report, 1 complaint; "
        "3 addresses newly suppressed; 1 left unread for people"
    )
    with database.uow() as uow:
        assert uow.suppressions.entries() == [
            ("ann@example.org", "complaint", T0),
            ("c1@example.com", "unsubscribed", T0),
            ("c2@example.com", "bounced", T0),
        ]
    assert folder.seen() == {uids["alias"], uids["bounce"], uids["complaint"], uids["old"]}
    fetched = [c for c in folder.commands if c.startswith("UID FETCH")]
    assert all("BODY.PEEK[" in command for command in fetched)  # nothing read by fetching
    whole = next(c for c in fetched if "BODY.PEEK[]" in c)
    assert str(uids["person"]) not in whole.split()[2].split(",")  # people's mail: headers only


def test_a_second_reading_finds_nothing_new_and_a_repeated_request_adds_nothing(
    database: Database,
) -> None:
    folder = Folder()
    folder.add(unsubscribe_request("bob@example.org", "unsubscribe"))
    with imap_server(folder) as port:
        mailbox = _mailbox(folder, port)
        with mailbox.open() as inbox:
            sync(inbox, database.uow, T0)
        with mailbox.open() as inbox:
            assert sync(inbox, database.uow, T0) == MailboxSummary(0, {}, 0, 0)
        folder.add(unsubscribe_request("Bob <BOB@example.org>", "Unsubscribe"))
        with mailbox.open() as inbox:
            assert sync(inbox, database.uow, T0) == MailboxSummary(1, {"unsubscribed": 1}, 0, 0)
    with database.uow() as uow:
        assert uow.suppressions.entries() == [("bob@example.org", "unsubscribed", T0)]


def test_an_empty_mailbox_fetches_nothing(database: Database) -> None:
    folder = Folder()
    with imap_server(folder) as port, _mailbox(folder, port).open() as inbox:
        assert sync(inbox, database.uow, T0) == MailboxSummary(0, {}, 0, 0)
    assert not [c for c in folder.commands if c.startswith("UID FETCH")]


def test_mail_already_looked_at_is_not_looked_at_again_until_uids_are_renumbered(
    database: Database,
) -> None:
    folder = Folder()
    folder.add(for_people())
    folder.add(for_people("Question about shipping"))
    with imap_server(folder) as port:
        mailbox = _mailbox(folder, port)
        with mailbox.open() as inbox:
            assert sync(inbox, database.uow, T0).left == 2
        folder.commands.clear()
        with mailbox.open() as inbox:  # the newest is still unread: "3:*" matches it anyway
            assert sync(inbox, database.uow, T0) == MailboxSummary(0, {}, 0, 0)
        assert "UID SEARCH UID 3:* UNSEEN" in folder.commands
        assert not [c for c in folder.commands if c.startswith("UID FETCH")]
        folder.add(unsubscribe_request("bob@example.org", "unsubscribe"))
        with mailbox.open() as inbox:
            assert sync(inbox, database.uow, T0) == MailboxSummary(1, {"unsubscribed": 1}, 1, 0)
        folder.validity = 2  # the server renumbered its UIDs: everything unread is new again
        with mailbox.open() as inbox:
            assert sync(inbox, database.uow, T0) == MailboxSummary(2, {}, 0, 2)
