"""The domain's values: frozen dataclasses shared by the functional core and the shell."""

from engine.model.actions import Action, Candidate, Content, Ranked, Target
from engine.model.enums import (
    SEVERITY_RANK,
    ActionKind,
    ActionState,
    IssueKind,
    RejectReason,
    Severity,
    TargetState,
)
from engine.model.issues import Finding, Issue, IssueChanges
from engine.model.learning import ArmState, LearnEvent, LearnEventKind
from engine.model.monitor import ChurnCounts, Kpis, KpiSnapshot, WindowCounts
from engine.model.reach import Reach
from engine.model.reports import CycleReport, ProposalView
from engine.model.shop import (
    AbandonedCart,
    ChurnedCustomer,
    FailedPayment,
    ProductPair,
    ProductStats,
    ShopData,
)

__all__ = [
    "SEVERITY_RANK",
    "AbandonedCart",
    "Action",
    "ActionKind",
    "ActionState",
    "ArmState",
    "Candidate",
    "ChurnCounts",
    "ChurnedCustomer",
    "Content",
    "CycleReport",
    "FailedPayment",
    "Finding",
    "Issue",
    "IssueChanges",
    "IssueKind",
    "KpiSnapshot",
    "Kpis",
    "LearnEvent",
    "LearnEventKind",
    "ProductPair",
    "ProductStats",
    "ProposalView",
    "Ranked",
    "Reach",
    "RejectReason",
    "Severity",
    "ShopData",
    "Target",
    "TargetState",
    "WindowCounts",
]
