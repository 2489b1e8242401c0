"""The pay rules without a database: bracket checks (table), progressive commission, holdback,
clawback and totals, and hypothesis properties (pay is the sum of its lines; commission is
monotonic and continuous at bracket edges; rounding is half-up)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokerdesk.core.money import to_fen
from brokerdesk.performance import rules_pay as r
from brokerdesk.performance.models import PayLine

D = Decimal
BRACKETS = (
    r.Bracket(D(0), D(50000), D("0.10")),
    r.Bracket(D(50000), D(150000), D("0.15")),
    r.Bracket(D(150000), None, D("0.20")),
)


def rows(*spec):
    return [
        {
            "lower": None if lo is None else D(lo),
            "upper": None if up is None else D(up),
            "rate": None if rate is None else D(rate),
        }
        for lo, up, rate in spec
    ]


def test_component_names_match_the_model():
    model_order = [c for c, _label in PayLine.Component.choices]
    assert model_order == r.ORDER


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ([(0, 100, "0.1"), (100, None, "0.2")], []),
        ([(0, None, "0.1")], []),
        # Given out of order is fine: they are checked sorted by "from".
        ([(100, None, "0.2"), (0, 100, "0.1")], []),
        ([], [(None, "")]),
        ([(10, None, "0.1")], [(0, "lower")]),
        ([(0, 100, "0.1"), (90, None, "0.2")], [(1, "lower")]),  # overlap
        ([(0, 100, "0.1"), (120, None, "0.2")], [(1, "lower")]),  # gap
        ([(0, None, "0.1"), (100, None, "0.2")], [(0, "upper")]),  # open-ended not last
        ([(0, 100, "0.1"), (100, 200, "0.2")], [(1, "upper")]),  # last not open-ended
        ([(0, 100, "1.5"), (100, None, "0.2")], [(0, "rate")]),
        ([(0, 100, "-0.1"), (100, None, "0.2")], [(0, "rate")]),
        ([(0, 100, "0.1"), (100, 100, "0.2")], [(1, "upper")]),
        ([(-5, 100, "0.1"), (100, None, "0.2")], [(0, "lower")]),
        ([(0, 100, None), (100, None, "0.2")], [(0, "rate")]),
        ([(0, 100, "0.1"), (100, None, "0.2"), (100, None, "0.3")], [(1, "upper")]),
    ],
)
def test_bracket_checks(spec, expected):
    found = [(i, f) for i, f, _msg in r.bracket_errors(rows(*spec))]
    assert found == expected


def test_bracket_messages_say_where_the_gap_is():
    [(_i, _f, message)] = r.bracket_errors(rows((0, 100, "0.1"), (120, None, "0.2")))
    assert "100" in message and "120" in message


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [
        ("0", "0.00"),
        ("-1000", "0.00"),
        ("49999.99", "4999.999"),
        ("50000", "5000.00"),
        ("50000.01", "5000.0015"),
        ("150000", "20000.00"),
        ("166913.46", "23382.692"),
    ],
)
def test_progressive_commission_table(revenue, expected):
    assert r.progressive(D(revenue), BRACKETS)[1] == D(expected)


def test_commission_is_rounded_once_half_up():
    # 3 × 0.005 would round to 0.03 line by line; rounded once the sum is 0.02 (0.015 → 0.02).
    brackets = (
        r.Bracket(D(0), D("0.05"), D("0.1")),
        r.Bracket(D("0.05"), D("0.10"), D("0.1")),
        r.Bracket(D("0.10"), None, D("0.1")),
    )
    assert r.commission(D("0.15"), brackets) == D("0.02")
    assert to_fen(D("0.125")) == D("0.13")  # half-even would give 0.12


def test_pick_scheme_prefers_the_team_then_the_latest_then_the_highest_version():
    class S:
        def __init__(self, pk, team_id, month, version):
            self.pk, self.team_id, self.effective_from, self.version = pk, team_id, month, version

    jan, mar, may = dt.date(2026, 1, 1), dt.date(2026, 3, 1), dt.date(2026, 5, 1)
    schemes = [
        S(1, None, jan, 1),
        S(2, None, mar, 1),
        S(3, None, mar, 2),
        S(4, 7, jan, 1),
        S(5, None, may, 1),
    ]
    assert r.pick_scheme(schemes, None, dt.date(2026, 4, 1)).pk == 3
    assert r.pick_scheme(schemes, 7, dt.date(2026, 4, 1)).pk == 4
    assert r.pick_scheme(schemes, 8, dt.date(2026, 2, 1)).pk == 1
    assert r.pick_scheme(schemes, None, dt.date(2025, 12, 1)) is None


TERMS = r.Terms(
    brackets=BRACKETS,
    min_performance_score=D(60),
    low_performance_factor=D("0.8"),
    new_account_bonus=D(300),
    new_account_min_assets=D(100000),
    asset_rate=D("0.0002"),
    override_rate=D("0.03"),
    holdback_rate=D("0.1"),
    holdback_release_revenue=D(100000),
)


def by_component(lines):
    return {line.component: line.amount for line in lines}


def test_low_performance_factor_and_holdback():
    p = r.PersonMonth(has_figures=True, revenue=D(30500), performance_score=D(55), base_pay=D(3000))
    lines = by_component(r.person_lines(p, TERMS))
    assert lines[r.COMMISSION] == D("2440.00")  # 3,050.00 × 0.8
    assert lines[r.HOLDBACK] == D("-244.00")
    assert r.RELEASE not in lines  # not the quarter's last month


def test_no_assessment_pays_full_commission_and_says_so():
    p = r.PersonMonth(has_figures=True, revenue=D(10000))
    [line] = [x for x in r.person_lines(p, TERMS) if x.component == r.COMMISSION]
    assert line.amount == D("1000.00") and line.inputs["no_assessment"] is True


def test_quarter_end_releases_the_quarters_holdbacks_when_revenue_reaches_the_floor():
    p = r.PersonMonth(
        has_figures=True,
        revenue=D(60000),
        quarter_end=True,
        quarter_revenue=D(120000),
        earlier_holdbacks=[("2026-07-01", D("300.00")), ("2026-08-01", D("150.50"))],
    )
    lines = by_component(r.person_lines(p, TERMS))
    assert lines[r.HOLDBACK] == D("-650.00")  # 6,500.00 × 10 %
    assert lines[r.RELEASE] == D("1100.50")
    p.quarter_revenue = D("99999.99")
    assert by_component(r.person_lines(p, TERMS))[r.RELEASE] == D("0.00")


def test_clawback_reclaims_the_commission_on_reversed_revenue_once():
    claw = r.Clawback(
        month=dt.date(2026, 7, 1),
        paid_revenue=D(60000),
        paid_commission=D("6500.00"),
        revenue_now=D(40000),
        brackets=BRACKETS,
        factor=D(1),
    )
    p = r.PersonMonth(clawbacks=[claw])
    [line] = r.person_lines(p, TERMS)
    assert (line.component, line.amount) == (r.CLAWBACK, D("-2500.00"))
    p.clawbacks = [r.Clawback(**{**claw.__dict__, "already": D("2500.00")})]
    assert r.person_lines(p, TERMS) == []
    assert r.person_lines(p, r.Terms(brackets=BRACKETS, clawback=False)) == []


def test_part_timer_without_base_pay_gets_an_explained_zero_line():
    p = r.PersonMonth(has_figures=True, employment_type="part_time", revenue=D(0))
    lines = r.person_lines(p, TERMS)
    assert lines[0].component == r.BASE and lines[0].amount == 0 and lines[0].inputs["none"]


def test_without_a_scheme_only_adjustments_are_paid():
    p = r.PersonMonth(has_figures=True, revenue=D(100), adjustments=[(1, D("50.00"), "补贴")])
    assert [(x.component, x.amount) for x in r.person_lines(p, None)] == [(r.ADJUSTMENT, D("50.00"))]


# --- properties ---------------------------------------------------------------------------------

money = st.decimals(
    min_value=D("-100000"), max_value=D("5000000"), places=2, allow_nan=False, allow_infinity=False
)
rate = st.decimals(min_value=D(0), max_value=D(1), places=4)


@st.composite
def bracket_sets(draw):
    edges = sorted(draw(st.sets(st.integers(1, 2_000_000), max_size=4)))
    lowers = [0, *edges]
    uppers = [*edges, None]
    return tuple(
        r.Bracket(D(lo), None if up is None else D(up), draw(rate))
        for lo, up in zip(lowers, uppers, strict=True)
    )


@st.composite
def people(draw):
    return r.PersonMonth(
        has_figures=draw(st.booleans()),
        base_pay=draw(st.none() | st.decimals(min_value=0, max_value=20000, places=2)),
        revenue=draw(money),
        avg_assets=draw(st.decimals(min_value=0, max_value=10**8, places=2)),
        new_accounts=[(f"C{i}", draw(money)) for i in range(draw(st.integers(0, 3)))],
        performance_score=draw(st.none() | st.decimals(min_value=0, max_value=100, places=2)),
        attendance=draw(
            st.none()
            | st.tuples(
                st.integers(0, 9), st.integers(0, 9), st.decimals(min_value=0, max_value=500, places=2)
            )
        ),
        led_teams=[("A", draw(money))] if draw(st.booleans()) else [],
        quarter_end=draw(st.booleans()),
        quarter_revenue=draw(money),
        earlier_holdbacks=[("2026-07-01", draw(st.decimals(min_value=0, max_value=5000, places=2)))],
        adjustments=[(1, draw(money), "x")] if draw(st.booleans()) else [],
    )


@settings(max_examples=200, deadline=None)
@given(people(), bracket_sets(), rate, rate, rate)
def test_pay_is_the_sum_of_its_rounded_lines(p, brackets, asset, override, holdback):
    terms = r.Terms(
        brackets=brackets,
        asset_rate=asset / 100,
        override_rate=override / 10,
        holdback_rate=holdback,
        new_account_bonus=D(200),
        min_performance_score=D(60),
        low_performance_factor=D("0.5"),
    )
    lines = r.person_lines(p, terms)
    t = r.totals(lines)
    assert t.total == sum((x.amount for x in lines), D("0.00"))
    assert t.total == t.gross - t.deductions - t.held_back
    assert all(x.amount == to_fen(x.amount) for x in lines)  # every line is whole fen


@settings(max_examples=300, deadline=None)
@given(bracket_sets(), money, money)
def test_commission_is_monotonic_in_revenue(brackets, a, b):
    low, high = sorted((a, b))
    assert r.progressive(low, brackets)[1] <= r.progressive(high, brackets)[1]
    assert r.commission(low, brackets) <= r.commission(high, brackets)


@settings(max_examples=200, deadline=None)
@given(bracket_sets())
def test_commission_is_continuous_at_every_bracket_edge(brackets):
    fen = D("0.01")
    for b in brackets[1:]:
        below = r.progressive(b.lower - fen, brackets)[1]
        at = r.progressive(b.lower, brackets)[1]
        above = r.progressive(b.lower + fen, brackets)[1]
        # One fen of revenue moves the commission by at most one fen × the highest rate.
        assert 0 <= at - below <= fen and 0 <= above - at <= fen


@settings(max_examples=300, deadline=None)
@given(st.integers(-(10**9), 10**9))
def test_rounding_is_half_up_to_the_fen(mills):
    value = D(mills) / 1000  # three decimals
    rounded = to_fen(value)
    diff = abs(value) - abs(rounded)
    assert -D("0.005") <= diff < D("0.005")
    if mills % 10 == 5:
        assert diff == D("-0.005")  # 四舍五入: the half goes up (away from zero), never to even


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_component_reads_as_a_sentence_and_a_formula(language):
    from django.utils import translation

    from brokerdesk.performance import explain_pay

    p = r.PersonMonth(
        has_figures=True,
        level="初级",
        employment_type="full_time",
        base_pay=D(4000),
        revenue=D("166913.46"),
        avg_assets=D(2512325),
        new_accounts=[("880090003", D(150000)), ("880090005", D(80000))],
        performance_score=D(55),
        attendance=(3, 2, D(40)),
        led_teams=[("金融街一部", D("197163.46"))],
        quarter_end=True,
        quarter_revenue=D(50000),
        earlier_holdbacks=[("2026-07-01", D(100))],
        clawbacks=[r.Clawback(dt.date(2026, 8, 1), D(60000), D("6500.00"), D(40000), BRACKETS, D(1), D(100))],
        adjustments=[(1, D(200), "9月驻点交通补贴")],
    )
    lines = r.person_lines(p, TERMS)
    assert {x.component for x in lines} == set(r.ORDER) - {r.LIABILITY}
    with translation.override(language):
        for line in lines:
            text = explain_pay.sentence(line.component, line.inputs)
            assert text and "%(" not in text, line.component
            assert explain_pay.formula(line.component, line.inputs, line.amount)
    release = next(x for x in lines if x.component == r.RELEASE)
    assert release.amount == 0 and release.inputs["released"] is False
