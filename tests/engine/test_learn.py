from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.learn import (
    DEFAULT_CONFIG,
    EXPLORATORY,
    LearnConfig,
    Policy,
    explain,
    fold,
    rank,
    select,
)
from engine.learning.posterior import mean_value, reliability
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
    kind: LearnEventKind,
    arm: str = ARM,
    reason: RejectReason | None = None,
    value: int = 0,
    *,
    expected: int = 0,
    noise: int = 0,
    at: datetime = NOW,
) -> LearnEvent:
    return LearnEvent(
        arm=arm, kind=kind, at=at, reason=reason, value=value, expected=expected, noise=noise
    )


def hours(n: float) -> datetime:
    return NOW + timedelta(hours=n)


def candidate(
    variant: str = "no_discount",
    *,
    kind: ActionKind = ActionKind.CART_RECOVERY_EMAIL,
    targets: tuple[str, ...] = ("cart:c1",),
    value: Money | None = None,
    runnable: bool = True,
    money_touching: bool = False,
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
        money_touching=money_touching,
    )


# --- fold ----------------------------------------------------------------------------------

APP, REJ, EXP, WIN, LOSS = (
    LearnEventKind.APPROVED,
    LearnEventKind.REJECTED,
    LearnEventKind.EXPIRED,
    LearnEventKind.SUCCEEDED,
    LearnEventKind.FAILED,
)


def evidence(state: ArmState) -> tuple[float, ...]:
    return (
        state.approve_yes,
        state.approve_no,
        state.success_yes,
        state.success_no,
        state.value_weight,
        state.value_sum,
    )


@pytest.mark.parametrize(
    ("happened", "counts", "expected"),
    [
        (event(APP), {"approved": 1}, (1, 0, 0, 0, 0, 0)),
        (event(REJ, reason=RejectReason.NOT_NOW), {"rejected": 1}, (0, 0.5, 0, 0, 0, 0)),
        (event(REJ, reason=RejectReason.WRONG_TARGETS), {"rejected": 1}, (0, 0.5, 0, 0, 0, 0)),
        (event(REJ, reason=RejectReason.OTHER), {"rejected": 1}, (0, 1, 0, 0, 0, 0)),
        (event(REJ), {"rejected": 1}, (0, 1, 0, 0, 0, 0)),
        (
            event(REJ, reason=RejectReason.NEVER),
            {"rejected": 1, "disabled": True},
            (0, 1.5, 0, 0, 0, 0),
        ),
        (event(EXP), {"expired": 1}, (0, 0.25, 0, 0, 0, 0)),
        (
            event(WIN, value=4_200),
            {"succeeded": 1, "value_total": 4_200, "valued": 1},
            (0, 0, 1, 0, 1, 4_200),
        ),
        (event(WIN), {"succeeded": 1}, (0, 0, 1, 0, 0, 0)),  # its value is measured later
        (event(LOSS), {"failed": 1}, (0, 0, 0, 1, 0, 0)),
        (
            event(LearnEventKind.VALUE, value=-900),
            {"value_total": -900, "valued": 1},
            (0, 0, 0, 0, 1, -900),
        ),
        (event(LearnEventKind.ENABLED), {}, (0, 0, 0, 0, 0, 0)),
    ],
)
def test_fold_one_event(
    happened: LearnEvent, counts: dict[str, object], expected: tuple[float, ...]
) -> None:
    state = fold({}, [happened])[ARM]
    plain = ArmState(ARM, **counts)  # type: ignore[arg-type]
    assert (state.approved, state.rejected, state.expired) == (
        plain.approved,
        plain.rejected,
        plain.expired,
    )
    assert (state.succeeded, state.failed, state.value_total, state.valued, state.disabled) == (
        plain.succeeded,
        plain.failed,
        plain.value_total,
        plain.valued,
        plain.disabled,
    )
    assert evidence(state) == expected
    assert state.updated_at == NOW


def test_fold_leaves_its_input_alone_and_appends_new_arms() -> None:
    known = {"b/x/y": ArmState("b/x/y", approved=3)}
    folded = fold(known, [event(LOSS, arm="a/x/y")])
    assert known == {"b/x/y": ArmState("b/x/y", approved=3)}
    assert list(folded) == ["b/x/y", "a/x/y"]
    assert folded["a/x/y"].failed == 1


def test_a_pending_run_is_unknown_not_a_failure() -> None:
    state = fold({}, [event(APP), event(APP), event(APP), event(WIN, value=100)])[ARM]
    assert state.pending == 2
    assert (state.success_yes, state.success_no) == (1.0, 0.0)


def test_never_switches_an_arm_off_until_it_is_enabled() -> None:
    off = fold({}, [event(REJ, reason=RejectReason.NEVER), event(APP), event(WIN, value=100)])
    assert off[ARM].disabled
    assert (off[ARM].approved, off[ARM].succeeded) == (1, 1)
    on = fold(off, [event(LearnEventKind.ENABLED, at=hours(1))])
    assert not on[ARM].disabled


def test_runs_still_being_measured_do_not_shrink_the_value() -> None:
    measuring = fold({}, [event(APP), event(WIN)] * 10)[ARM]
    assert (measuring.succeeded, measuring.valued) == (10, 0)
    assert mean_value(measuring, 1_000, DEFAULT_CONFIG) == 1_000
    measured = fold({ARM: measuring}, [event(LearnEventKind.VALUE, value=-500)])[ARM]
    assert mean_value(measured, 1_000, DEFAULT_CONFIG) == pytest.approx((2 * 1_000 - 500) / 3)


def test_measured_runs_correct_the_candidate_estimate_in_proportion() -> None:
    # Ten big runs were expected to earn 10,000 each and earned half: a small candidate
    # expected to earn 1,000 is worth about half of that, not the big runs' 5,000 average.
    big = [event(LearnEventKind.VALUE, value=5_000, expected=10_000) for _ in range(10)]
    state = fold({}, big)[ARM]
    assert (state.valued, state.value_expected) == (10, 100_000)
    small = mean_value(state, 1_000, DEFAULT_CONFIG)
    assert small == pytest.approx(1_000 * (2 * 1_000 + 50_000) / (2 * 1_000 + 100_000))
    assert mean_value(state, 10_000, DEFAULT_CONFIG) == pytest.approx(
        10_000 * (2 * 10_000 + 50_000) / (2 * 10_000 + 100_000)
    )


def test_a_noisy_measurement_counts_for_less_than_a_run() -> None:
    noisy = event(LearnEventKind.VALUE, value=-50_000, expected=1_000, noise=10_000)
    assert reliability(noisy, 1.0) == pytest.approx(1 / 101)
    assert reliability(noisy, 3.0) == pytest.approx(9 / 109)
    config = LearnConfig(value_spread=1.0)
    state = fold({}, [noisy], config)[ARM]
    assert (state.valued, state.value_total) == (1, -50_000)  # the plain counts stay whole
    value = mean_value(state, 1_000, config)
    assert value == pytest.approx(1_000 * (2_000 - 50_000 / 101) / (2_000 + 1_000 / 101))
    assert value is not None
    assert value > 700  # one wild lift does not sink a candidate expected to earn 1,000
    exact = fold({}, [event(LearnEventKind.VALUE, value=-50_000, expected=1_000)], config)[ARM]
    assert mean_value(exact, 1_000, config) == pytest.approx(1_000 * -48_000 / 3_000)


def test_runs_without_an_expectation_give_the_plain_mean_of_their_values() -> None:
    state = fold({}, [event(WIN, value=300), event(WIN, value=500)])[ARM]
    assert mean_value(state, 100, DEFAULT_CONFIG) == pytest.approx((2 * 100 + 800) / 4)


def test_evidence_halves_every_half_life() -> None:
    config = LearnConfig(half_life_hours=10.0)
    before = fold({}, [event(WIN, value=800), event(LOSS)], config)
    after = fold(before, [event(APP, at=hours(20))], config)[ARM]
    assert after.success_yes == pytest.approx(0.25)
    assert after.success_no == pytest.approx(0.25)
    assert after.value_sum == pytest.approx(200)
    assert after.approve_yes == 1.0
    assert (after.succeeded, after.failed, after.value_total) == (1, 1, 800)


def outcomes(pattern: str, start: int = 0) -> list[LearnEvent]:
    return [event(WIN if c == "1" else LOSS, at=hours(start + n)) for n, c in enumerate(pattern)]


def success_rate(state: ArmState) -> float:
    return (1 + state.success_yes) / (5 + state.success_yes + state.success_no)


def test_a_revealed_fall_resets_the_arm_to_its_recent_results() -> None:
    blind = LearnConfig(drop_threshold=math.inf)
    events = outcomes("0010010100" * 20) + outcomes("0" * 30, start=200)
    good = fold({}, events[:200])[ARM]
    fallen = fold({}, events)[ARM]
    assert (good.resets, fallen.resets) == (0, 1)
    assert success_rate(good) > 0.28
    assert success_rate(fallen) < 0.2
    assert success_rate(fold({}, events, blind)[ARM]) > success_rate(fallen) + 0.05


@pytest.mark.parametrize("pattern", ["0010010100", "1000000000", "1101101011"])
def test_a_steady_rate_is_not_mistaken_for_a_change(pattern: str) -> None:
    assert fold({}, outcomes(pattern * 50))[ARM].resets == 0


TIMED = st.builds(
    LearnEvent,
    arm=st.sampled_from(["a/x/1", "a/x/2", "income/y/3"]),
    kind=st.sampled_from(LearnEventKind),
    at=st.integers(min_value=0, max_value=5_000).map(hours),
    reason=st.none() | st.sampled_from(RejectReason),
    value=st.integers(min_value=0, max_value=10**7),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(TIMED, max_size=40), st.lists(st.integers(min_value=0, max_value=40), max_size=4))
def test_folding_in_pieces_equals_folding_at_once(
    events: list[LearnEvent], cuts: list[int]
) -> None:
    events.sort(key=lambda e: e.at)
    start = fold({}, [event(APP, arm="a/x/1"), event(WIN, arm="a/x/1", value=5)])
    bounds = [0, *sorted(min(cut, len(events)) for cut in cuts), len(events)]
    pieces = start
    for low, high in itertools.pairwise(bounds):
        pieces = fold(pieces, events[low:high])
    assert pieces == fold(start, events)


@settings(max_examples=100, deadline=None)
@given(st.lists(TIMED, max_size=60))
def test_beliefs_stay_proper(events: list[LearnEvent]) -> None:
    events.sort(key=lambda e: e.at)
    for state in fold({}, events).values():
        assert min(evidence(state)) >= 0
        assert state.approve_drop >= 0
        assert state.success_drop >= 0
        assert state.pending >= 0
        assert state.resets <= state.approved + state.rejected + state.expired + len(events)


# --- rank ----------------------------------------------------------------------------------


def test_rank_is_deterministic_for_a_seed() -> None:
    candidates = [candidate(f"v{n}") for n in range(5)]
    arms = fold({}, [event(WIN, arm=c.arm) for c in candidates for _ in range(int(c.variant[1]))])
    first = rank(candidates, arms, random.Random(11), now=hours(3))
    again = rank(candidates, arms, random.Random(11), now=hours(3))
    assert first == again
    assert [r.score for r in first] == sorted((r.score for r in first), reverse=True)


def history(arm: str, wins: int, losses: int, value: int = 0) -> list[LearnEvent]:
    won = [event(WIN, arm, value=value) for _ in range(wins)]
    return won + [event(LOSS, arm) for _ in range(losses)]


def test_a_strong_arm_outranks_a_weak_one_nearly_always() -> None:
    strong, weak = candidate("strong"), candidate("weak")
    arms = fold({}, history(strong.arm, 20, 2) + history(weak.arm, 2, 20))
    rng = random.Random(3)
    wins = sum(rank([weak, strong], arms, rng)[0].candidate is strong for _ in range(1_000))
    assert wins > 950


def test_approval_counts_as_much_as_success() -> None:
    liked, shunned = candidate("liked"), candidate("shunned")
    events = history(liked.arm, 10, 10) + history(shunned.arm, 10, 10)
    events += [event(APP, liked.arm)] * 20 + [event(REJ, shunned.arm)] * 20
    arms = fold({}, events)
    rng = random.Random(5)
    wins = sum(rank([shunned, liked], arms, rng)[0].candidate is liked for _ in range(1_000))
    assert wins > 950


def test_value_scales_the_score() -> None:
    cheap = candidate("cheap", value=Money(1_000, "USD"))
    rich = candidate("rich", value=Money(5_000, "USD"))
    arms = fold({}, history(cheap.arm, 30, 30) + history(rich.arm, 30, 30))
    rng = random.Random(7)
    wins = sum(rank([cheap, rich], arms, rng)[0].candidate is rich for _ in range(500))
    assert wins > 475


def test_a_candidate_without_a_value_competes_on_its_probabilities() -> None:
    valued = candidate("valued", value=Money(5_000, "USD"))
    plain = candidate("plain")
    arms = fold({}, history(valued.arm, 5, 30) + history(plain.arm, 30, 5))
    rng = random.Random(9)
    wins = sum(rank([valued, plain], arms, rng)[0].candidate is plain for _ in range(500))
    assert wins > 475


@pytest.mark.parametrize("seed", range(20))
def test_a_disabled_arm_is_never_ranked(seed: int) -> None:
    off, on = candidate("off"), candidate("on")
    arms = fold({}, [*history(off.arm, 50, 0), event(REJ, off.arm, RejectReason.NEVER)])
    ranked = rank([off, on, off], arms, random.Random(seed))
    assert [r.candidate for r in ranked] == [on]


def test_equal_arms_lead_in_turn() -> None:
    first, second = candidate("first"), candidate("second")
    leaders = {rank([first, second], {}, random.Random(s))[0].candidate for s in range(30)}
    assert leaders == {first, second}


def test_rank_explains_in_the_candidate_currency() -> None:
    offer = candidate(value=Money(9_900, "INR"))
    arms = {offer.arm: ArmState(offer.arm, approved=3, succeeded=2, valued=2, value_total=840_000)}
    (ranked,) = rank([offer], arms, random.Random(1))
    assert ranked.reason == (
        "approved 3 of 3, 2 of 2 runs succeeded, recovered ₹4,200.00 per run on average, "
        "1 run pending"
    )


def test_rank_falls_back_to_the_given_currency() -> None:
    offer = candidate()
    arms = {offer.arm: ArmState(offer.arm, approved=1, succeeded=1, valued=1, value_total=500)}
    (ranked,) = rank([offer], arms, random.Random(1), currency="EUR")
    assert (
        ranked.reason == "approved 1 of 1, 1 of 1 run succeeded, recovered €5.00 per run on average"
    )


LIMIT = DEFAULT_CONFIG.explore_money_limit


@pytest.mark.parametrize(
    ("money_touching", "amount", "decisions", "labelled"),
    [
        (True, LIMIT + 1, 0, True),  # new, risky: says so
        (True, LIMIT + 1, DEFAULT_CONFIG.min_decisions, False),  # known and alone: no label
        (True, LIMIT, 0, False),  # at the limit
        (False, LIMIT * 10, 0, False),  # not money-touching
    ],
)
def test_risky_exploration_says_it_is_exploratory(
    money_touching: bool, amount: int, decisions: int, labelled: bool
) -> None:
    risky = candidate("risky", value=Money(amount, "USD"), money_touching=money_touching)
    arms = fold({}, [event(APP, risky.arm)] * decisions)
    for seed in range(10):
        (ranked,) = rank([risky], arms, random.Random(seed))
        assert ranked.reason.startswith(EXPLORATORY) is labelled


def test_a_risky_arm_that_outranks_a_better_one_says_it_is_exploratory() -> None:
    risky = candidate("risky", value=Money(LIMIT * 2, "USD"), money_touching=True)
    proven = candidate("proven", value=Money(LIMIT * 2, "USD"))
    events = [event(APP, risky.arm)] * 3 + history(risky.arm, 1, 2, LIMIT * 2)
    events += [event(APP, proven.arm)] * 10 + history(proven.arm, 5, 5, LIMIT * 2)
    arms = fold({}, events)
    seen = []
    for seed in range(300):
        top = rank([risky, proven], arms, random.Random(seed))[0]
        if top.candidate is risky:
            seen.append(top.reason)
    assert seen
    assert all(reason.startswith(EXPLORATORY + "approved 3 of 3") for reason in seen)


def test_rank_forgets_up_to_now() -> None:
    stale = candidate("stale")
    arms = fold({}, history(stale.arm, 0, 40))
    fresh_draws = [rank([stale], arms, random.Random(s))[0].score for s in range(200)]
    later = [rank([stale], arms, random.Random(s), now=hours(5_000))[0].score for s in range(200)]
    assert max(fresh_draws) < 0.1
    assert sum(later) > 3 * sum(fresh_draws)


# --- Policy --------------------------------------------------------------------------------


def test_a_policy_learns_through_its_api() -> None:
    arms = ["s/good/1", "s/bad/1"]
    policy = Policy(arms, values=dict.fromkeys(arms, 100))
    for n in range(30):
        policy.approved("s/good/1", hours(n))
        policy.succeeded("s/good/1", hours(n), 120)
        policy.rejected("s/bad/1", hours(n), RejectReason.OTHER)
        policy.expired("s/bad/1", hours(n))
    policy.failed("s/bad/1", hours(30))
    policy.succeeded("s/good/1", hours(30))
    policy.valued("s/good/1", hours(31), 60)
    rng = random.Random(1)
    assert [policy.choose(hours(32), rng) for _ in range(50)] == ["s/good/1"] * 50
    good = policy.states["s/good/1"]
    assert (good.approved, good.succeeded, good.valued, good.value_total) == (30, 31, 31, 3_660)
    assert [arm for arm, _ in policy.rank(hours(32), rng)] == ["s/good/1", "s/bad/1"]


def test_a_policy_with_every_arm_off_chooses_nothing_until_one_is_enabled() -> None:
    policy = Policy(["a/b/c"])
    policy.rejected("a/b/c", NOW, RejectReason.NEVER)
    assert policy.choose(hours(1), random.Random(1)) is None
    policy.enabled("a/b/c", hours(2))
    assert policy.choose(hours(3), random.Random(1)) == "a/b/c"


def test_a_policy_takes_in_arms_it_did_not_know() -> None:
    policy = Policy([])
    policy.observe(event(APP, arm="n/e/w"))
    assert list(policy.states) == ["n/e/w"]
    assert policy.states["n/e/w"].approved == 1


# --- explain -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "currency", "expected"),
    [
        (ArmState(ARM), "USD", "new: no history yet"),
        (
            ArmState(
                ARM,
                approved=12,
                rejected=2,
                expired=1,
                succeeded=6,
                failed=3,
                valued=6,
                value_total=37_800,
            ),
            "USD",
            (
                "approved 12 of 15, 6 of 9 runs succeeded, recovered $42.00 per run on average, "
                "3 runs pending"
            ),
        ),
        (
            ArmState(
                "income/email_campaign/spring", approved=2, succeeded=2, valued=2, value_total=3_000
            ),
            "GBP",
            "approved 2 of 2, 2 of 2 runs succeeded, earned £15.00 per run on average",
        ),
        (ArmState(ARM, approved=2, rejected=1), "USD", "approved 2 of 3, 2 runs pending"),
        (ArmState(ARM, approved=3, failed=3), "USD", "approved 3 of 3, 0 of 3 runs succeeded"),
        (
            ArmState(ARM, approved=1, succeeded=1, valued=1, value_total=900),
            None,
            "approved 1 of 1, 1 of 1 run succeeded",
        ),
        (
            ArmState(ARM, approved=3, succeeded=3, valued=3, value_total=100),
            "USD",
            "approved 3 of 3, 3 of 3 runs succeeded, recovered $0.33 per run on average",
        ),
        (ArmState(ARM, rejected=3), "USD", "rejected 3 times, shown again to explore"),
        (
            ArmState(ARM, rejected=1, expired=2),
            "USD",
            "rejected once, expired 2 times without a decision, shown again to explore",
        ),
        (
            ArmState(ARM, expired=1),
            "USD",
            "expired once without a decision, shown again to explore",
        ),
        (ArmState(ARM, succeeded=2, failed=1), None, "2 of 3 runs succeeded"),
        (  # one lift still being measured: the average is over the two measured runs
            ArmState("income/bundle_offer/x", approved=3, succeeded=3, valued=2, value_total=3_000),
            "USD",
            "approved 3 of 3, 3 of 3 runs succeeded, earned $15.00 per run on average",
        ),
        (
            ArmState(ARM, rejected=1, disabled=True),
            "USD",
            "switched off: a reviewer chose never do this",
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
