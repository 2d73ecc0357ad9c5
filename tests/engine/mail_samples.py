"""Mail that comes back to a shop's sender address: requests, reports, and mail for people."""

from __future__ import annotations


def unsubscribe_request(sender: str, subject: str) -> bytes:
    """What a mail client sends for a List-Unsubscribe mailto: link."""
    return f"From: {sender}\nTo: shop@example.com\nSubject: {subject}\n\n\n".encode()


def bounce_report(*recipients: tuple[str, str, str]) -> bytes:
    """An RFC 3464 report with one block per (address, Action, Status)."""
    blocks = "".join(
        f"\nFinal-Recipient: rfc822; {address}\nAction: {action}\nStatus: {status}\n"
        for address, action, status in recipients
    )
    return (
        "From: MAILER-DAEMON@mx.example.net\nTo: shop@example.com\n"
        "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
        "--B\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; mx.example.net\n{blocks}"
        "--B--\n"
    ).encode()


def complaint_report(returned_to: str, original_rcpt_to: str | None = None) -> bytes:
    """An RFC 5965 abuse report returning the complained-of message."""
    named = f"Original-Rcpt-To: {original_rcpt_to}\n" if original_rcpt_to else ""
    return (
        "From: feedback@isp.example\nTo: shop@example.com\nSubject: Abuse report\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; "
        'boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nThis is an e-mail abuse report.\n"
        "--B\nContent-Type: message/feedback-report\n\n"
        f"Feedback-Type: abuse\nUser-Agent: isp-fbl/1.0\nVersion: 1\n{named}\n"
        "--B\nContent-Type: message/rfc822\n\n"
        f"From: shop@example.com\nTo: {returned_to}\nSubject: Your cart is waiting\n\nHi\n"
        "--B--\n"
    ).encode()


def for_people(subject: str = "Re: my order") -> bytes:
    """An ordinary reply a person should read."""
    return f"From: ana@example.org\nTo: shop@example.com\nSubject: {subject}\n\nThanks!\n".encode()
