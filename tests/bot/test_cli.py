"""The `income` command, run in-process as a user would type it, on a real SQLite file."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from tests.engine.executors.smtp_server import Handler, smtp_server


def use_database(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.chdir(folder)
    for name in ("DATABASE_URL", "INCOME_DEMO_SCENARIO", "INCOME_TIMEZONE", "INCOME_SOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{folder / 'income.db'}")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database after `income demo --scenario cart_abandonment` (seeded once per module)."""
    folder = tmp_path_factory.mktemp("seeded")
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_database(monkeypatch, folder)
        assert main(["demo", "--scenario", "cart_abandonment", "--seed", "11"]) == 0
    return folder / "income.db"


@pytest.fixture
def shop(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the seeded database, configured as DATABASE_URL."""
    shutil.copy(seeded, tmp_path / "income.db")
    use_database(monkeypatch, tmp_path)
    return tmp_path


def pending(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["actions", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert isinstance(listed, list)
    return listed


def test_cart_abandonment_demo_reports_the_issue_and_a_recovery_proposal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(monkeypatch, tmp_path)
    assert main(["demo", "--scenario", "cart_abandonment", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "Seeding 28 days (cart_abandonment, seed 3)" in out
    assert "Revenue" in out
    assert "vs previous 24 h" in out
    assert "MEDIUM" in out
    assert "carts abandoned" in out
    assert "Email" in out
    assert "in carts" in out
    assert "approve: income approve a" in out


def test_actions_json_lists_id_kind_state_title_targets(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = pending(capsys)
    recovery = [a for a in listed if a["kind"] == "cart_recovery_email"]
    assert len(recovery) == 1
    entry = recovery[0]
    assert {"id", "kind", "state", "title", "targets"} <= entry.keys()
    assert entry["state"] == "proposed"
    targets = entry["targets"]
    assert isinstance(targets, list)
    assert targets
    assert all(str(t["key"]).startswith("cart:") for t in targets)


def test_approving_twice_queues_once_and_names_the_first_approver(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    action_id = next(a["id"] for a in pending(capsys) if a["kind"] == "cart_recovery_email")
    assert main(["approve", str(action_id), "--as", "ana"]) == 0
    out = capsys.readouterr().out
    assert f"Approved {action_id} as ana" in out
    assert f"{action_id} cart_recovery_email succeeded at" in out  # the demo shop received it
    assert " sent" in out
    assert "held out" in out

    assert main(["approve", str(action_id), "--as", "bo"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{action_id} was already approved by ana at" in err
    assert "(now succeeded)" in err
    assert "nothing changed" in err
    assert main(["actions", "--json", "--all"]) == 0
    states = {a["id"]: a["state"] for a in json.loads(capsys.readouterr().out)}
    assert states[action_id] == "succeeded"


def test_reject_with_reason_then_approve_is_refused(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    action_id = str(pending(capsys)[0]["id"])
    assert main(["reject", action_id, "--reason", "wrong_targets", "--note", "VIPs"]) == 0
    assert f"Rejected {action_id} (wrong_targets)" in capsys.readouterr().out
    assert main(["approve", action_id]) == 1
    assert f"{action_id} was already rejected by cli:" in capsys.readouterr().err


def test_unknown_action_id_is_one_clear_line(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["approve", "nosuchid"]) == 1
    assert capsys.readouterr().err == (
        "income: no action with id 'nosuchid' (see `income actions`)\n"
    )


def test_status_names_revenue_issues_and_pending(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "Status as of" in out
    assert "Revenue" in out
    assert "$" in out
    assert "carts abandoned" in out
    assert "cart_recovery_email" in out


def test_demo_continues_the_same_shop_an_hour_later(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--hours", "2"]) == 0
    out = capsys.readouterr().out
    assert "Continuing the demo shop (cart_abandonment, seed 11)" in out
    assert "Seeding" not in out
    assert out.count("cycle ") >= 2


@pytest.mark.parametrize(
    "argv",
    [
        ["reject", "a1", "--reason", "because"],
        ["demo", "--scenario", "meteor"],
        ["demo", "--hours", "0"],
        ["frobnicate"],
        [],
    ],
)
def test_bad_arguments_print_usage_and_exit_2(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_database(monkeypatch, tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "usage: income" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "nosuchdialect://x", "DATABASE_URL"),
        ("DATABASE_URL", "postgresql+psycopg://u:hunter2@127.0.0.1:1/db", "DATABASE_URL"),
        ("INCOME_DEMO_SCENARIO", "meteor", "INCOME_DEMO_SCENARIO must be one of"),
        ("INCOME_TIMEZONE", "Nowhere/Land", "INCOME_TIMEZONE"),
    ],
)
def test_bad_configuration_is_one_line_without_traceback(
    variable: str,
    value: str,
    message: str,
    *,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_database(monkeypatch, tmp_path)
    monkeypatch.setenv(variable, value)
    assert main(["status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("income: ")
    assert err.count("\n") == 1
    assert message in err
    assert "Traceback" not in err
    assert "hunter2" not in err


def test_db_upgrade_creates_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(monkeypatch, tmp_path)
    assert main(["db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert (tmp_path / "income.db").stat().st_size > 0
    assert main(["status"]) == 0
    assert "No cycle has run yet" in capsys.readouterr().out


def test_seed_with_progress_then_the_first_cycle_reports_at_the_seeded_hour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(monkeypatch, tmp_path)
    assert main(["demo", "seed", "--days", "3", "--scenario", "error_spike"]) == 0
    out = capsys.readouterr().out
    assert "Seeding 3 days (error_spike, seed 7)" in out
    assert "3/3" in out
    assert "Demo shop ready: 3 days of history" in out
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Continuing" not in out
    assert "cycle 1 ·" in out
    assert "CRITICAL" in out
    assert "errors" in out
    assert main(["demo"]) == 0
    assert "Continuing the demo shop (error_spike, seed 7)" in capsys.readouterr().out


def test_status_shows_the_execution_and_later_the_measured_lift(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    action_id = next(a["id"] for a in pending(capsys) if a["kind"] == "cart_recovery_email")
    assert main(["approve", str(action_id)]) == 0
    capsys.readouterr()
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "Recent executions" in out
    assert f"{action_id} cart_recovery_email succeeded" in out
    assert "none measured yet" in out

    assert main(["demo", "--hours", "73"]) == 0  # the 72 h attribution window closes
    assert f"Lift measured for {action_id}: " in capsys.readouterr().out
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "cart_recovery_email: " in out
    assert "pts conversion (95% CI" in out
    assert "held" in out
    assert "in 1 action" in out


def test_send_test_mails_the_exact_proposal_to_me_and_records_nothing(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    action_id = next(a["id"] for a in pending(capsys) if a["kind"] == "cart_recovery_email")
    assert main(["send-test", str(action_id), "--to", "me@example.com"]) == 1
    assert "send-test needs SMTP_URL" in capsys.readouterr().err

    handler = Handler()
    with smtp_server(handler) as port:
        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
        monkeypatch.setenv("INCOME_EMAIL_FROM", "shop@example.com")
        assert main(["send-test", str(action_id), "--to", "me@example.com"]) == 0
    assert f"Sent a test of {action_id} to me@example.com" in capsys.readouterr().out
    assert [r.recipients for r in handler.received] == [["me@example.com"]]
    assert str(handler.received[0].message["Subject"]).startswith("[Test] ")
    assert main(["actions", "--json"]) == 0
    states = {a["id"]: a["state"] for a in json.loads(capsys.readouterr().out)}
    assert states[action_id] == "proposed"


def test_with_smtp_each_recipient_gets_one_mail_and_the_demo_shop_still_reacts(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = pending(capsys)
    entry = next(a for a in listed if a["kind"] == "cart_recovery_email")
    action_id, targets = str(entry["id"]), entry["targets"]
    assert isinstance(targets, list)
    handler = Handler()
    with smtp_server(handler) as port:
        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
        monkeypatch.setenv("INCOME_EMAIL_FROM", "shop@example.com")
        assert main(["approve", action_id, "--as", "ana"]) == 0
        assert main(["approve", action_id, "--as", "bo"]) == 1  # nothing more is delivered
    capsys.readouterr()
    mailed = [r.recipients[0] for r in handler.received]
    assert len(mailed) == len(set(mailed))  # one mail per customer
    held_out = len(targets) - len(mailed)
    assert 0 < held_out < len(targets) // 5  # INCOME_HOLDOUT = 10 % as the control
    with sqlite3.connect(shop / "income.db") as connection:
        (reached,) = connection.execute(
            "SELECT COUNT(*) FROM shop_deliveries WHERE action_id = ?", (action_id,)
        ).fetchone()
    assert reached == len(mailed)
