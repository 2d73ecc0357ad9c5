import json
from zoneinfo import ZoneInfo

from bot.render import report_message
from engine.model import CycleReport
from tests.bot.test_terminal import AT, kpis


def test_the_slack_report_states_measured_lift_with_its_holdout_escaped() -> None:
    report = CycleReport(
        cycle_id=9,
        ran_at=AT,
        kpis=kpis(),
        opened=(),
        resolved=(),
        open_issues=(),
        proposals=(),
        advice=(),
        pending_count=0,
        expired_count=0,
        lifts=(("cart_recovery_email", "+16.0 pts over 48 held out <of> 480"),),
    )
    (message,) = report_message(report, ZoneInfo("UTC"))
    text = json.dumps(message.blocks)
    assert "*Measured lift* (against the held-out control)" in text
    assert "`cart_recovery_email`: +16.0 pts over 48 held out &lt;of&gt; 480" in text
    assert message.text
