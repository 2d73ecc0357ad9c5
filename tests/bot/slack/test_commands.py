"""`/income run`, status, report, actions, pause/resume, snooze; alerts that reach phones."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from bot.digest import DIGEST_KEY, digest_due, post_digest
from bot.selfcheck import notify_stale
from engine.clock import local
from engine.model import Severity
from tests.bot.slack.conftest import CHANNEL, ONCALL, Harness


def _responses(harness: Harness, count: int = 1) -> list[dict[str, object]]:
    harness.slack.wait_for(lambda: len(harness.slack.of("response_url")) >= count, timeout=60)
    return harness.slack.of("response_url")


def test_run_posts_the_report_cards_and_one_alert_per_critical_issue(harness: Harness) -> None:
    harness.slack.reset()
    status, body = harness.command("run")
    assert (status, body) == (200, b"")
    (answer,) = _responses(harness)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == f"Cycle done: its report is posted in <#{CHANNEL}>."
    posts = harness.slack.of("chat.postMessage")
    channel_posts = [p for p in posts if p["channel"] == CHANNEL]
    report = channel_posts[0]
    assert report["blocks"][0]["text"]["text"].startswith("Income Engine · cycle")
    assert len(report["blocks"]) <= 50
    assert report["text"]
    with harness.runtime.database.uow() as uow:
        critical = [i for i in uow.issues.open_issues() if i.severity is Severity.CRITICAL]
        pending = uow.actions.find()
    assert critical
    alerts = [p for p in channel_posts if f"<@{ONCALL[0]}>" in p["text"]]
    assert len(alerts) == len(critical) == 1
    assert alerts[0]["text"] == f"{critical[0].headline} <@{ONCALL[0]}>"
    assert harness.slack.of("conversations.open") == [{"users": ONCALL[0]}]
    dms = [p for p in posts if p["channel"] == "D" + ONCALL[0]]
    assert [d["text"] for d in dms] == [alerts[0]["text"]]
    cards = [p for p in channel_posts if p["text"].startswith("Proposal:")]
    assert len(cards) == len(pending) > 0
    with harness.runtime.database.uow() as uow:
        assert all(uow.slack.action_card(a.id) is not None for a in pending)


def test_a_second_cycle_edits_the_alert_instead_of_raising_a_new_one(harness: Harness) -> None:
    harness.slack.reset()
    harness.command("run")
    _responses(harness)
    with harness.runtime.database.uow() as uow:
        critical = [i for i in uow.issues.open_issues() if i.severity is Severity.CRITICAL]
    texts = [p["text"] for p in harness.slack.of("chat.postMessage")]
    assert not any(f"<@{ONCALL[0]}>" in t for t in texts)
    assert harness.slack.of("conversations.open") == []
    updated = [u["text"] for u in harness.slack.of("chat.update")]
    assert any(t.startswith(critical[0].headline) for t in updated), (updated, critical)


def test_reminders_until_acknowledged(harness: Harness) -> None:
    with harness.runtime.database.uow() as uow:
        issue = next(i for i in uow.issues.open_issues() if i.severity is Severity.CRITICAL)
    harness.slack.reset()
    harness.process.remind()
    assert harness.slack.methods() == []  # the alert itself was the last nudge
    earlier = harness.runtime.decision_time() - timedelta(minutes=31)
    with harness.runtime.database.uow() as uow:
        uow.slack.mark_issue_reminded(issue.id, earlier)
        uow.commit()
    harness.process.remind()
    assert harness.slack.methods() == ["conversations.open", "chat.postMessage"]
    reminder = harness.slack.of("chat.postMessage")[0]
    assert reminder["channel"] == "D" + ONCALL[0]
    assert reminder["text"].startswith("Reminder: ")

    harness.slack.reset()
    harness.click("acknowledge_issue", str(issue.id), user=ONCALL[0])
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.update")))
    (update,) = harness.slack.of("chat.update")
    assert f"Acknowledged by <@{ONCALL[0]}>" in str(update["blocks"])
    with harness.runtime.database.uow() as uow:
        uow.slack.mark_issue_reminded(issue.id, earlier)
        uow.commit()
    harness.slack.reset()
    harness.process.remind()
    assert harness.slack.methods() == []

    harness.click("acknowledge_issue", str(issue.id), user="UBOB")
    harness.slack.wait_for(lambda: bool(harness.slack.of("chat.postEphemeral")))
    (told,) = harness.slack.of("chat.postEphemeral")
    assert told["user"] == "UBOB"
    assert told["text"].startswith(f"Already acknowledged by <@{ONCALL[0]}> at ")


def test_status_report_actions_answer(harness: Harness) -> None:
    harness.slack.reset()
    harness.command("status")
    harness.command("report")
    harness.command("actions")
    answers = _responses(harness, 3)
    by_kind = {a["response_type"]: a for a in answers}
    assert by_kind["in_channel"]["blocks"][0]["text"]["text"].startswith("Income Engine · cycle")
    texts = [a["text"] for a in answers]
    assert any(t.startswith("Revenue ") for t in texts)
    assert any(t.startswith("*Awaiting a decision*") for t in texts)


def test_pause_resume_and_snooze(harness: Harness) -> None:
    harness.slack.reset()
    harness.command("pause")
    _responses(harness)
    assert harness.service.paused()
    harness.command("pause", user="USTRANGER")
    harness.command("resume")
    answers = [a["text"] for a in _responses(harness, 3)]
    assert "Only the approvers in INCOME_APPROVERS can pause or resume." in answers
    assert not harness.service.paused()
    with harness.runtime.database.uow() as uow:
        issue = uow.issues.open_issues()[0]
    harness.slack.reset()
    harness.command(f"snooze {issue.id} 2h")
    harness.command("snooze x y")
    answers = [a["text"] for a in _responses(harness, 2)]
    assert any(a.startswith(f"Issue #{issue.id} snoozed until ") for a in answers)
    assert any(a.startswith("Usage: `/income snooze") for a in answers)


def test_run_is_refused_while_a_cycle_runs(harness: Harness) -> None:
    now = harness.runtime.decision_time()
    with harness.runtime.database.uow() as uow:
        cycle_id = uow.cycles.claim("test:busy", "test", now)
        uow.commit()
    assert cycle_id is not None
    harness.slack.reset()
    try:
        harness.command("run")
        (answer,) = _responses(harness)
        assert answer["text"].startswith(f"Not now: cycle {cycle_id} is still running")
        assert harness.slack.of("chat.postMessage") == []
    finally:
        with harness.runtime.database.uow() as uow:
            uow.cycles.fail(cycle_id, now, "test")
            uow.commit()


def test_app_home_is_published(harness: Harness) -> None:
    harness.slack.reset()
    assert harness.event({"type": "app_home_opened", "user": "UALICE", "tab": "home"})[0] == 200
    harness.slack.wait_for(lambda: bool(harness.slack.of("views.publish")))
    published = harness.slack.of("views.publish")[0]
    assert published["user_id"] == "UALICE"
    text = json.dumps(published["view"])
    assert "Pending approvals" in text
    assert "What the learner prefers now" in text


def test_quiet_cycles_edit_the_days_status_message_in_place(harness: Harness) -> None:
    report = harness.process.service.last_report()
    assert report is not None
    quiet = replace(report, opened=(), resolved=(), proposals=(), advice=())
    harness.slack.reset()
    harness.process.service.publish(quiet, force=False)
    harness.process.service.publish(quiet, force=False)
    assert harness.slack.methods() == ["chat.postMessage", "chat.update"]
    posted, updated = harness.slack.of("chat.postMessage")[0], harness.slack.of("chat.update")[0]
    assert posted["text"].startswith("All quiet · last cycle ")
    assert (updated["channel"], updated["text"]) == (CHANNEL, posted["text"])


def test_a_failed_cycle_reaches_the_channel_and_on_call(harness: Harness) -> None:
    harness.slack.reset()
    harness.process.cycle_failed("OperationalError: <!channel> disk full")
    texts = {p["channel"]: p["text"] for p in harness.slack.of("chat.postMessage")}
    expected = "The scheduled cycle failed: OperationalError: &lt;!channel&gt; disk full"
    assert texts == {CHANNEL: expected, "D" + ONCALL[0]: expected}


def test_a_notice_reaches_the_channel_alone_escaped(harness: Harness) -> None:
    harness.slack.reset()
    harness.process.tell_channel("The sender's mailbox could not be read: <!here> refused")
    [posted] = harness.slack.of("chat.postMessage")
    expected = "The sender's mailbox could not be read: &lt;!here&gt; refused"
    assert (posted["channel"], posted["text"]) == (CHANNEL, expected)


def test_the_daily_digest_uploads_a_png_chart_once_a_day(harness: Harness) -> None:
    service = harness.process.service
    harness.slack.reset()
    text = post_digest(service)
    assert text.startswith("Daily digest: $")
    assert harness.slack.methods() == [
        "files.getUploadURLExternal", "file.upload", "files.completeUploadExternal"
    ]  # fmt: skip
    requested = harness.slack.of("files.getUploadURLExternal")[0]
    assert requested["filename"] == "income-digest.png"
    assert int(requested["length"]) == harness.slack.of("file.upload")[0]["bytes"] > 1000
    completed = harness.slack.of("files.completeUploadExternal")[0]
    assert (completed["channel_id"], completed["initial_comment"]) == (CHANNEL, text)
    today = local(harness.runtime.decision_time(), service.zone).date().isoformat()
    with harness.runtime.database.uow() as uow:
        uow.state.set(DIGEST_KEY, today)
        uow.commit()
    assert not digest_due(service)


def test_stale_data_reaches_the_channel_and_on_call_once(harness: Harness) -> None:
    service = harness.process.service
    now = harness.runtime.decision_time()
    harness.slack.reset()
    assert not notify_stale(service, now)
    later = now + timedelta(hours=3)
    assert notify_stale(service, later)
    assert not notify_stale(service, later + timedelta(hours=1))
    posts = harness.slack.of("chat.postMessage")
    assert [p["channel"] for p in posts] == [CHANNEL, "D" + ONCALL[0]]
    assert posts[0]["text"].startswith("Data is stale: the newest snapshot is from ")


def test_run_explains_not_in_channel(harness: Harness) -> None:
    harness.slack.member_of.discard(CHANNEL)
    harness.slack.reset()
    try:
        harness.command("run")
        (answer,) = _responses(harness)
    finally:
        harness.slack.member_of.add(CHANNEL)
    assert answer["text"] == (
        f"The cycle ran, but posting its report to <#{CHANNEL}> failed: not_in_channel "
        "(invite the bot: /invite @Income Engine)"
    )
