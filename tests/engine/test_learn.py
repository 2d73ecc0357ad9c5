from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.learn import explain, fold, rank, select
from engine.model import (
    ActionKind,
    ArmState,
    Candidate,
    Content,
    IssueKind,
    LearnEvent,
    LearnEventKind,
    Ranked,
    RejectReason,
    Target,
)
from engine.money import Money

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)
ARM = "abandoned_carts/cart_recovery_email/no_discount"


def event(
    kind: LearnEventKind, arm: str = ARM, reason: RejectReason | None = None, value: int = 0
) -> LearnEvent:
    return LearnEvent(arm=arm, kind=kind, at=NOW, reason=reason, value=value)


def candidate(
    variant: str = "no_discount",
    *,
    kind: ActionKind = ActionKind.CART_RECOVERY_EMAIL,
    targets: tuple[str, ...] = ("cart:c1",),
    value: Money | None = None,
    runnable: bool = True,
) -> Candidate:
    return Candidate(
        kind=kind,
        variant=variant,
        title=f"{kind.value} {variant}",
        targets=tuple(Target(key=key) for key in targets),
        content=Content(subject="Your cart", body="Still thinking it over?"),
        issue_kind=IssueKind.ABANDONED_CARTS,
        expected_value=value,
        runnable=runnable,
    )


# --- fold ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("happened", "expected"),
    [
        (event(LearnEventKind.APPROVED), ArmState(ARM, approved=1)),
        (
            event(LearnEventKind.SUCCEEDED, value=4_200),
            ArmState(ARM, alpha=2.0, succeeded=1, value_total=4_200),
        ),
        (event(LearnEventKind.FAILED), ArmState(ARM, beta=2.0, failed=1)),
        (
            event(LearnEventKind.REJECTED, reason=RejectReason.NOT_NOW),
            ArmState(ARM, beta=2.0, rejected=1),
        ),
        (
            event(LearnEventKind.REJECTED, reason=RejectReason.NEVER),
            ArmState(ARM, beta=2.0, rejected=1, disabled=True),
        ),
        (event(LearnEventKind.REJECTED), ArmState(ARM, beta=2.0, rejected=1)),
        (event(LearnEventKind.EXPIRED), ArmState(ARM, beta=1.5, expired=1)),
    ],
)
def test_fold_one_event(happened: LearnEvent, expected: ArmState) -> None:
    assert fold({}, [happened]) == {ARM: expected}


def test_fold_leaves_its_input_alone_and_appends_new_arms() -> None:
    known = {"b/x/y": ArmState("b/x/y", alpha=3.0)}
    folded = fold(known, [event(LearnEventKind.FAILED, arm="a/x/y")])
    assert known == {"b/x/y": ArmState("b/x/y", alpha=3.0)}
    assert list(folded) == ["b/x/y", "a/x/y"]
    assert folded["a/x/y"] == ArmState("a/x/y", beta=2.0, failed=1)


def test_a_disabled_arm_stays_disabled() -> None:
    folded = fold(
        {},
        [
            event(LearnEventKind.REJECTED, reason=RejectReason.NEVER),
            event(LearnEventKind.APPROVED),
            event(LearnEventKind.SUCCEEDED, value=100),
        ],
    )
    assert folded[ARM].disabled
    assert (folded[ARM].approved, folded[ARM].succeeded) == (1, 1)


EVENTS = st.builds(
    LearnEvent,
    arm=st.sampled_from(["a/x/1", "a/x/2", "income/y/3"]),
    kind=st.sampled_from(LearnEventKind),
    at=st.just(NOW),
    reason=st.none() | st.sampled_from(RejectReason),
    value=st.integers(min_value=0, max_value=10**7),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(EVENTS, max_size=30), st.lists(st.integers(min_value=0, max_value=30), max_size=4))
def test_folding_in_pieces_equals_folding_at_once(
    events: list[LearnEvent], cuts: list[int]
) -> None:
    start = {"a/x/1": ArmState("a/x/1", alpha=2.5, beta=1.25, approved=3)}
    bounds = [0, *sorted(min(cut, len(events)) for cut in cuts), len(events)]
    pieces = start
    for low, high in itertools.pairwise(bounds):
        pieces = fold(pieces, events[low:high])
    assert pieces == fold(start, events)


# --- rank ----------------------------------------------------------------------------------


def test_rank_is_deterministic_for_a_seed() -> None:
    candidates = [candidate(f"v{n}") for n in range(5)]
    arms = {c.arm: ArmState(c.arm, alpha=1.0 + n, beta=2.0) for n, c in enumerate(candidates)}
    first = rank(candidates, arms, random.Random(11))
    again = rank(candidates, arms, random.Random(11))
    assert first == again
    assert [r.score for r in first] == sorted((r.score for r in first), reverse=True)


def test_a_strong_arm_outranks_a_weak_one_nearly_always() -> None:
    strong, weak = candidate("strong"), candidate("weak")
    arms = {
        strong.arm: fold({}, [event(LearnEventKind.SUCCEEDED, strong.arm)] * 20)[strong.arm],
        weak.arm: fold({}, [event(LearnEventKind.SUCCEEDED, weak.arm)] * 2)[weak.arm],
    }
    arms = fold(arms, [event(LearnEventKind.FAILED, strong.arm)] * 2)
    arms = fold(arms, [event(LearnEventKind.FAILED, weak.arm)] * 20)
    rng = random.Random(3)
    wins = sum(rank([weak, strong], arms, rng)[0].candidate is strong for _ in range(1_000))
    assert wins > 900


@pytest.mark.parametrize("seed", range(20))
def test_a_disabled_arm_is_never_ranked(seed: int) -> None:
    off, on = candidate("off"), candidate("on")
    arms = {off.arm: ArmState(off.arm, alpha=50.0, disabled=True)}
    ranked = rank([off, on, off], arms, random.Random(seed))
    assert [r.candidate for r in ranked] == [on]


def test_ties_go_to_the_higher_expected_value() -> None:
    # Beta(1, 1e-300) always draws exactly 1.0, so every score ties.
    cheap = candidate("cheap", value=Money(1_000, "USD"))
    rich = candidate("rich", value=Money(5_000, "USD"))
    unknown = candidate("unknown")
    arms = {c.arm: ArmState(c.arm, beta=1e-300) for c in (cheap, rich, unknown)}
    for seed in range(10):
        ranked = rank([unknown, cheap, rich], arms, random.Random(seed))
        assert [r.candidate for r in ranked] == [rich, cheap, unknown]
        assert {r.score for r in ranked} == {1.0}


def test_equal_ties_are_broken_at_random() -> None:
    first, second = candidate("first"), candidate("second")
    arms = {c.arm: ArmState(c.arm, beta=1e-300) for c in (first, second)}
    leaders = {rank([first, second], arms, random.Random(s))[0].candidate for s in range(30)}
    assert leaders == {first, second}


def test_rank_explains_in_the_candidate_currency() -> None:
    offer = candidate(value=Money(9_900, "INR"))
    arms = {offer.arm: ArmState(offer.arm, approved=3, succeeded=2, value_total=840_000)}
    (ranked,) = rank([offer], arms, random.Random(1))
    assert (
        ranked.reason == "Approved 3 of 3, 2 succeeded, ₹4,200.00 recovered per success on average"
    )


def test_rank_falls_back_to_the_given_currency() -> None:
    offer = candidate()
    arms = {offer.arm: ArmState(offer.arm, approved=1, succeeded=1, value_total=500)}
    (ranked,) = rank([offer], arms, random.Random(1), currency="EUR")
    assert ranked.reason == "Approved 1 of 1, 1 succeeded, €5.00 recovered per success on average"


# --- explain -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "currency", "expected"),
    [
        (ArmState(ARM), "USD", "New: no history yet, exploring"),
        (
            ArmState(ARM, approved=12, rejected=2, expired=1, succeeded=9, value_total=37_800),
            "USD",
            "Approved 12 of 15, 9 succeeded, $42.00 recovered per success on average",
        ),
        (
            ArmState(ARM, approved=4, succeeded=1, failed=2, value_total=1_000),
            "USD",
            "Approved 4 of 4, 1 succeeded, 2 failed, $10.00 recovered per success on average",
        ),
        (
            ArmState("income/email_campaign/spring", approved=2, succeeded=2, value_total=3_000),
            "GBP",
            "Approved 2 of 2, 2 succeeded, £15.00 earned per success on average",
        ),
        (ArmState(ARM, approved=2, rejected=1), "USD", "Approved 2 of 3, no results yet"),
        (ArmState(ARM, approved=3, failed=3), "USD", "Approved 3 of 3, 3 failed"),
        (
            ArmState(ARM, approved=1, succeeded=1, value_total=900),
            None,
            "Approved 1 of 1, 1 succeeded",
        ),
        (
            ArmState(ARM, approved=3, succeeded=3, value_total=100),
            "USD",
            "Approved 3 of 3, 3 succeeded, $0.33 recovered per success on average",
        ),
        (ArmState(ARM, rejected=3), "USD", "Rejected 3 times, shown again to explore"),
        (
            ArmState(ARM, rejected=1, expired=2),
            "USD",
            "Rejected once, expired 2 times without a decision, shown again to explore",
        ),
        (
            ArmState(ARM, expired=1),
            "USD",
            "Expired once without a decision, shown again to explore",
        ),
        (ArmState(ARM, succeeded=2, failed=1), None, "2 succeeded, 1 failed"),
        (
            ArmState(ARM, rejected=1, disabled=True),
            "USD",
            "Switched off: a reviewer chose never do this",
        ),
    ],
)
def test_explain(state: ArmState, currency: str | None, expected: str) -> None:
    assert explain(state, currency) == expected


# --- select --------------------------------------------------------------------------------


def ranked(*candidates: Candidate) -> list[Ranked]:
    return [Ranked(c, score=1.0 - n / 10, reason="r") for n, c in enumerate(candidates)]


def picked(chosen: list[Ranked]) -> list[str]:
    return [r.candidate.variant for r in chosen]


A = candidate("a", targets=("cart:1",))
B = candidate("b", targets=("cart:2",))
C = candidate("c", targets=("cart:3",))
A_AGAIN = candidate("a", targets=("cart:9",))  # same arm as A
B_TWIN = candidate("b2", targets=("cart:2",))  # same targets as B
ADVICE_1 = candidate("p1", kind=ActionKind.PRICE_TEST, targets=("product:1",), runnable=False)
ADVICE_2 = candidate("p2", kind=ActionKind.PRICE_TEST, targets=("product:2",), runnable=False)


@pytest.mark.parametrize(
    ("order", "limit", "pending", "expected"),
    [
        ([A, B, C], 2, set(), ["a", "b"]),
        ([A, B, C], 0, set(), []),
        ([A, B, C], 5, set(), ["a", "b", "c"]),
        ([A, B, C], 2, {B.target_key}, ["a", "c"]),
        ([A, A_AGAIN, B], 2, set(), ["a", "b"]),  # one per arm
        ([B, B_TWIN, C], 3, set(), ["b", "c"]),  # the same targets once per cycle
        ([C, B, A], 3, set(), ["c", "b", "a"]),  # rank order is kept
    ],
)
def test_select_runnable(
    order: list[Candidate], limit: int, pending: set[str], expected: list[str]
) -> None:
    assert picked(select(ranked(*order), limit, pending)) == expected


@pytest.mark.parametrize(
    ("limit", "advice_limit", "pending", "expected"),
    [
        (1, None, set(), ["p1", "a"]),  # advice has its own budget, equal to limit by default
        (2, None, set(), ["p1", "a", "p2", "b"]),
        (2, 0, set(), ["a", "b"]),
        (0, 1, set(), ["p1"]),
        (2, 2, {ADVICE_1.target_key}, ["a", "p2", "b"]),
    ],
)
def test_select_budgets_advice_separately(
    limit: int, advice_limit: int | None, pending: set[str], expected: list[str]
) -> None:
    order = ranked(ADVICE_1, A, ADVICE_2, B, C)
    assert picked(select(order, limit, pending, advice_limit=advice_limit)) == expected
