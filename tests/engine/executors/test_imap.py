"""INCOME_IMAP_URL and the IMAP session's failures, against a local server."""

from __future__ import annotations

import ssl
from dataclasses import replace
from pathlib import Path

import pytest

from engine.executors.imap import ImapMailbox, MailboxError
from tests.engine.executors.imap_server import Folder, imap_server
from tests.engine.executors.smtp_server import free_port, self_signed


def _look(mailbox: ImapMailbox) -> list[str]:
    """Log in, select the folder and list the unread mail, as every reading starts."""
    with mailbox.open() as inbox:
        return inbox.unseen()


def test_a_url_gives_host_port_account_and_folder() -> None:
    mailbox = ImapMailbox.from_url("imaps://shop%40example.com:p%40ss@imap.example.com/Returned")
    assert (mailbox.host, mailbox.port, mailbox.user, mailbox.password) == (
        "imap.example.com",
        993,
        "shop@example.com",
        "p@ss",
    )
    assert (mailbox.folder, mailbox.secure) == ("Returned", True)
    plain = ImapMailbox.from_url("imap://u:p@127.0.0.1")
    assert (plain.port, plain.folder, plain.secure) == (143, "INBOX", False)
    assert "p@ss" not in repr(mailbox)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://u:p@imap.example.com", "must look like imaps://"),
        ("imaps://imap.example.com", "the user and the password are both needed"),
        ("imaps://u@imap.example.com", "the user and the password are both needed"),
        ("imaps://u:p@imap.example.com:99999", "the port is not a number"),
    ],
)
def test_a_bad_url_says_what_is_wrong(url: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        ImapMailbox.from_url(url)


def test_a_refused_login_names_the_user_and_not_the_password() -> None:
    folder = Folder()
    with imap_server(folder) as port:
        mailbox = ImapMailbox.from_url(f"imap://shop%40example.com:wrong-pw@127.0.0.1:{port}")
        with pytest.raises(MailboxError) as error:
            _look(mailbox)
    assert "refused the user 'shop@example.com'" in str(error.value)
    assert "wrong-pw" not in str(error.value)
    assert folder.commands[-1] == "LOGOUT"


def test_a_missing_folder_is_named() -> None:
    folder = Folder()
    with imap_server(folder) as port:
        url = f"imap://shop%40example.com:s3cret%20pass@127.0.0.1:{port}/Bounces%20here"
        mailbox = ImapMailbox.from_url(url)
        with pytest.raises(MailboxError, match="has no folder 'Bounces here'"):
            _look(mailbox)
    assert 'SELECT "Bounces here"' in folder.commands


def test_an_unreachable_mailbox_says_where() -> None:
    port = free_port()
    mailbox = ImapMailbox.from_url(f"imap://u:p@127.0.0.1:{port}")
    where = f"cannot reach the mailbox at 127.0.0.1:{port}"
    with pytest.raises(MailboxError, match=where):
        _look(mailbox)


def test_imaps_checks_the_server_certificate(tmp_path: Path) -> None:
    certificate = self_signed(tmp_path)
    folder = Folder()
    folder.add(b"From: a@example.org\nSubject: hello\n\nhi\n")
    with imap_server(folder, certificate) as port:
        url = f"imaps://shop%40example.com:s3cret%20pass@127.0.0.1:{port}"
        trusted = replace(
            ImapMailbox.from_url(url), tls=ssl.create_default_context(cafile=certificate[0])
        )
        with trusted.open() as inbox:
            assert inbox.unseen() == ["1"]
        where = f"cannot reach the mailbox at 127.0.0.1:{port}: .*CERTIFICATE_VERIFY_FAILED"
        with pytest.raises(MailboxError, match=where):
            _look(ImapMailbox.from_url(url))
