from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from rich.console import Console, RenderableType

from bot import terminal
from engine.model import (
    ActionKind,
    CycleReport,
    Issue,
    IssueKind,
    Kpis,
    ProposalView,
    Severity,
)
from engine.money import Money

ZONE = ZoneInfo("Europe/Berlin")
AT = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)


def text_of(renderable: RenderableType) -> str:
    console = Console(record=True, width=120, color_system=None)
    console.print(renderable)
    return console.export_text()


def kpis(growth: float | None = -32.0) -> Kpis:
    return Kpis(
        revenue=Money(620160, "USD"),
        revenue_growth_pct=growth,
        orders=140,
        orders_growth_pct=4.0,
        conversion_rate=0.152,
        abandoned_carts=301,
        abandonment_rate=0.68,
        payment_success_rate=0.931,
        churn_rate=None,
        errors=12,
        refunds=Money(4500, "USD"),
        discounts=Money(0, "USD"),
    )


def issue(severity: Severity, headline: str, issue_id: int = 1) -> Issue:
    return Issue(
        id=issue_id,
        kind=IssueKind.REVENUE_DROP,
        severity=severity,
        dedup_key="revenue_drop",
        headline=headline,
        metric=32.0,
        threshold=15.0,
        evidence=(("Revenue", "$6,201.60 (was $9,120.00)"),),
        opened_at=AT,
        updated_at=AT,
    )


def test_kpi_table_shows_money_rates_and_deltas() -> None:
    text = text_of(terminal.kpi_table(kpis()))
    assert "$6,201.60" in text
    assert "▼ 32.0%" in text
    assert "▲ 4.0%" in text
    assert "15.2%" in text
    assert "301 (68.0% of carts)" in text
    assert "Churn (30 days)" in text
    assert "—" in text


def test_kpi_table_without_comparison() -> None:
    assert "no comparison" in text_of(terminal.kpi_table(kpis(growth=None)))


def test_times_are_shown_in_the_business_timezone() -> None:
    assert terminal.when(AT, ZONE) == "Mon 30 Nov 14:00 CET"


def test_report_lists_issues_by_severity_and_proposals_with_ids_and_reasons() -> None:
    proposal = ProposalView(
        action_id="a1b2c3d4e",
        kind=ActionKind.CART_RECOVERY_EMAIL,
        title="Email 37 customers who left $1,842.00 in carts",
        target_count=37,
        expected_value=Money(14736, "USD"),
        reason="New: no history yet, exploring",
        runnable=True,
        issue_kind=IssueKind.ABANDONED_CARTS,
    )
    report = CycleReport(
        cycle_id=7,
        ran_at=AT,
        kpis=kpis(),
        opened=(issue(Severity.CRITICAL, "Revenue down 32%"),),
        resolved=(),
        open_issues=(
            issue(Severity.MEDIUM, "Many carts abandoned", issue_id=2),
            issue(Severity.CRITICAL, "Revenue down 32%"),
        ),
        proposals=(proposal,),
        advice=(),
        pending_count=1,
        expired_count=2,
        lifts=(("cart_recovery_email", "+16.0 pts conversion over 48 held out"),),
    )
    text = text_of(terminal.report_renderable(report, ZONE))
    assert "cycle 7 · Mon 30 Nov 14:00 CET" in text
    assert text.index("CRITICAL  Revenue down 32%") < text.index("MEDIUM  Many carts abandoned")
    assert "NEW  CRITICAL  Revenue down 32%" in text
    assert text.count("Revenue down 32%") == 1
    assert "a1b2c3d4e  Email 37 customers who left $1,842.00 in carts · expected $147.36" in text
    assert "why: New: no history yet, exploring" in text
    assert "approve: income approve a1b2c3d4e" in text
    assert "1 proposal(s) awaiting a decision; 2 expired undecided" in text
    assert "Measured lift (against the held-out control)" in text
    assert "cart_recovery_email: +16.0 pts conversion over 48 held out" in text
    assert report.needs_attention
