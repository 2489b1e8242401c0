"""The assessment rules as tables: periods, item scores, targets, the performance formula,
thresholds, the floor trigger and the ladder's ends (no database)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brokerdesk.performance import rules_assess as r

POLICY = r.Policy(
    duty_weight=D(40),
    performance_weight=D(60),
    promote_from=D(90),
    demote_below=D(60),
    monthly_floor=D(50),
    floor_months=3,
)
LADDER = [r.Rung(1, 1, "见习"), r.Rung(2, 2, "初级"), r.Rung(3, 3, "中级")]


@pytest.mark.parametrize(
    "period, day, start, end",
    [
        ("month", dt.date(2026, 2, 14), dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("month", dt.date(2024, 2, 29), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("quarter", dt.date(2026, 5, 31), dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        ("quarter", dt.date(2026, 12, 1), dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("year", dt.date(2026, 7, 7), dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_period_bounds(period, day, start, end):
    assert r.period_bounds(period, day) == (start, end)


@pytest.mark.parametrize(
    "today, expected",
    [
        (dt.date(2026, 3, 31), "open"),  # the last day is not over yet
        (dt.date(2026, 4, 1), None),
        (dt.date(2025, 12, 31), "future"),
        (dt.date(2026, 2, 10), "open"),
    ],
)
def test_a_period_is_assessed_once_it_is_over(today, expected):
    assert r.period_error(dt.date(2026, 1, 1), dt.date(2026, 3, 31), today) == expected


@pytest.mark.parametrize(
    "done, of, expected",
    [(20, 22, D("90.91")), (22, 22, D("100.00")), (0, 5, D("0.00")), (0, 0, D("100.00")), (1, 3, D("33.33"))],
)
def test_ratio_score_rounds_half_up_and_nothing_to_count_is_full_marks(done, of, expected):
    assert r.ratio_score(done, of) == expected


def test_item_score_reads_the_counts_of_its_source():
    assert r.item_score("followups", {"on_time": 3, "due": 4}) == D("75.00")
    assert r.item_score("worklogs", {"written": 21, "required": 21, "leave_days": 1}) == D("100.00")


def test_duty_score_leaves_an_unmarked_item_out_until_it_is_marked():
    items = [(D(20), D(100)), (D(20), D(50)), (D(10), None)]
    assert r.duty_score(items) == (D("75.00"), False)
    assert r.duty_score([(D(20), D(100)), (D(20), D(50)), (D(10), D(0))]) == (D("60.00"), True)
    assert r.duty_score([(D(0), D(80))]) == (D("0.00"), True)


def test_a_quarters_target_counts_a_third_for_each_month():
    shares = [
        r.Share("quarter", 1, {"new_accounts": D(30), "net_revenue": D(90000), "asset_growth": D(0)}),
        r.Share("quarter", 2, {"new_accounts": D(60), "net_revenue": D(0), "asset_growth": D(0)}),
    ]
    assert r.targets_for_months(shares, [2])["new_accounts"] == D(10)
    assert r.targets_for_months(shares, [2])["net_revenue"] == D(30000)
    assert r.targets_for_months(shares, [1, 2, 3])["new_accounts"] == D(30)
    assert r.targets_for_months(shares, range(1, 13))["new_accounts"] == D(90)


def test_a_months_target_counts_whole():
    shares = [r.Share("month", m, {"new_accounts": D(m)}) for m in range(1, 13)]
    assert r.targets_for_months(shares, [4, 5, 6])["new_accounts"] == D(15)


def test_performance_score_caps_each_ratio_and_the_total():
    targets = {"new_accounts": D(10), "net_revenue": D(100000), "asset_growth": D(1000000)}
    # 200 % of one target counts as 120 %; 50 % and 70 % as they are: (120 + 50 + 70) / 3 = 80.
    result = r.performance_score(
        {"new_accounts": D(20), "net_revenue": D(50000), "asset_growth": D(700000)}, targets
    )
    assert result.score == D("80.00")
    assert [m.ratio for m in result.metrics] == [D("1.2"), D("0.5"), D("0.7")]
    # Everything beaten by far: 100, never 120.
    assert r.performance_score({k: v * 3 for k, v in targets.items()}, targets).score == D("100.00")


def test_a_fall_scores_zero_not_negative():
    result = r.performance_score(
        {"new_accounts": D(0), "net_revenue": D(-5000), "asset_growth": D(-300000)},
        {"new_accounts": D(10), "net_revenue": D(100000), "asset_growth": D(1000000)},
    )
    assert result.score == D("0.00")


def test_a_metric_without_target_is_left_out_and_no_target_at_all_scores_100():
    only_revenue = r.performance_score(
        {"new_accounts": D(99), "net_revenue": D(45000)}, {"new_accounts": D(0), "net_revenue": D(100000)}
    )
    assert only_revenue.score == D("45.00") and not only_revenue.no_targets
    none = r.performance_score({"new_accounts": D(3)}, {})
    assert none.score == D("100.00") and none.no_targets


def test_comprehensive_score_weights_duty_and_performance():
    assert r.comprehensive(D(80), D(90), D(40), D(60)) == D("86.00")
    assert r.comprehensive(D(80), D(90), D("0.4"), D("0.6")) == D("86.00")  # any scale of weights
    assert r.comprehensive(D(80), D(90), D(0), D(0)) == D("0.00")


@pytest.mark.parametrize(
    "total, outcome, code",
    [
        (D("95"), r.UP, "promote"),
        (D("90.00"), r.UP, "promote"),  # reaching the line is enough
        (D("89.99"), r.STAY, "between"),
        (D("60.00"), r.STAY, "between"),
        (D("59.99"), r.DOWN, "demote"),
    ],
)
def test_quarterly_thresholds(total, outcome, code):
    decision = r.decide(period="quarter", start=dt.date(2026, 4, 1), total=total, policy=POLICY)
    assert (decision.outcome, decision.code) == (outcome, code)


def _months(*scores, start=dt.date(2026, 4, 1)):
    return [
        (dt.date(start.year, start.month + i, 1), None if s is None else D(s)) for i, s in enumerate(scores)
    ]


def test_three_consecutive_months_below_the_floor_force_a_level_down_whatever_the_total():
    decision = r.decide(
        period="quarter",
        start=dt.date(2026, 4, 1),
        total=D(95),
        policy=POLICY,
        monthly=_months(49, 30, "49.99"),
    )
    assert decision.outcome == r.DOWN and decision.code == "floor"
    assert decision.params["from"] == "2026-04-01" and decision.params["to"] == "2026-06-01"
    assert "3" in r.decision_text(decision.code, decision.params)


@pytest.mark.parametrize(
    "scores",
    [
        (49, 50, 49),  # 50 is not below a floor of 50
        (49, 49, None),  # no monthly assessment breaks the run
        (49, None, 49),
    ],
)
def test_no_floor_run_no_forced_level_down(scores):
    decision = r.decide(
        period="quarter", start=dt.date(2026, 4, 1), total=D(75), policy=POLICY, monthly=_months(*scores)
    )
    assert decision.outcome == r.STAY


def test_the_floor_run_can_be_anywhere_in_a_year():
    monthly = _months(80, 80, 80, 40, 40, 40, 80, 80, 80, 80, 80, start=dt.date(2026, 1, 1))
    decision = r.decide(period="year", start=dt.date(2026, 1, 1), total=D(91), policy=POLICY, monthly=monthly)
    assert decision.outcome == r.DOWN
    assert r.floor_run(monthly, D(50), 3) == [dt.date(2026, 4, 1), dt.date(2026, 5, 1), dt.date(2026, 6, 1)]


def test_the_fourth_quarter_leaves_the_level_to_the_yearly_evaluation():
    decision = r.decide(period="quarter", start=dt.date(2026, 10, 1), total=D(95), policy=POLICY)
    assert decision.outcome == r.NONE and decision.code == "year_end"
    assert decision.params["indicative"] == r.UP


def test_without_targets_the_level_stays_and_a_month_moves_no_level():
    assert (
        r.decide(
            period="year", start=dt.date(2026, 1, 1), total=D(99), policy=POLICY, no_targets=True
        ).outcome
        == r.STAY
    )
    assert r.decide(period="month", start=dt.date(2026, 1, 1), total=D(99), policy=POLICY).outcome == r.NONE


@pytest.mark.parametrize(
    "current, outcome, new, why",
    [
        (2, r.UP, 3, ""),
        (2, r.DOWN, 1, ""),
        (3, r.UP, None, "top"),  # the top rung stays
        (1, r.DOWN, None, "bottom"),
        (None, r.UP, None, "no_level"),
        (2, r.STAY, None, "stay"),
    ],
)
def test_next_rung_by_rank(current, outcome, new, why):
    rung, reason = r.next_rung(list(reversed(LADDER)), current, outcome)
    assert (rung.id if rung else None, reason) == (new, why)
    if why in ("top", "bottom"):
        assert "见习" in r.ladder_text(why, "见习")


@given(
    actual=st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=2),
    target=st.decimals(min_value=0, max_value=10**9, allow_nan=False, places=2),
)
def test_scores_always_lie_between_0_and_100(actual, target):
    result = r.performance_score(
        {"new_accounts": actual, "net_revenue": actual, "asset_growth": actual},
        {"new_accounts": target, "net_revenue": target, "asset_growth": target},
    )
    assert D(0) <= result.score <= D(100)
    assert D(0) <= r.comprehensive(result.score, result.score, D(40), D(60)) <= D(100)
