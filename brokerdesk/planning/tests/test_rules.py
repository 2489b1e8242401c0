from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brokerdesk.planning.rules import period_of_month, progress, shortfall, target_to_date

D = Decimal


@pytest.mark.parametrize(
    ("month", "split", "period"),
    [(1, "quarter", 1), (3, "quarter", 1), (4, "quarter", 2), (12, "quarter", 4), (7, "month", 7)],
)
def test_period_of_month(month, split, period):
    assert period_of_month(month, split) == period


def test_shortfall_says_by_how_much_parts_miss_the_whole():
    assert shortfall(100, [30, 30, 30]) == 10
    assert shortfall(D("100.00"), [D("60.00"), D("50.00")]) == D("-10.00")


@pytest.mark.parametrize(
    ("as_of", "due"),
    [(0, D(0)), (1, D(10)), (3, D(30)), (4, D(30) + D(20)), (12, D(30) + D(60) + D(90) + D(120))],
)
def test_target_to_date_counts_whole_quarters_and_the_elapsed_share_of_the_current_one(as_of, due):
    targets = {1: D(30), 2: D(60), 3: D(90), 4: D(120)}
    assert target_to_date(targets, "quarter", as_of) == due


def test_behind_schedule_when_actual_is_below_target_to_date():
    p = progress(
        {1: D("300.00"), 2: D("300.00")},
        {1: D("100.00"), 2: D("50.00"), 5: D("999")},
        "quarter",
        3,
        money=True,
    )
    assert (p.target_to_date, p.actual_to_date, p.rate, p.behind) == (
        D("300.00"),
        D("150.00"),
        D("50.0"),
        True,
    )
    on_track = progress({1: D(3)}, {1: D(1), 2: D(1), 3: D(1)}, "quarter", 3, money=False)
    assert not on_track.behind and on_track.rate == D("100.0")


def test_no_target_is_never_behind():
    assert not progress({}, {1: D(5)}, "month", 6, money=False).behind


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=12, max_size=12))
def test_by_year_end_the_target_to_date_is_the_whole_year(monthly):
    targets = dict(enumerate(monthly, start=1))
    assert target_to_date(targets, "month", 12) == sum(monthly)
    quarters = {q: sum(monthly[3 * (q - 1) : 3 * q]) for q in (1, 2, 3, 4)}
    assert target_to_date(quarters, "quarter", 12) == sum(monthly)
