"""The pure rules, table first: the working calendar, missing days, what may be written when,
near-duplicates, what looks wrong, weights, sample sizes and the reproducible draw."""

import datetime as dt
from collections import Counter

import pytest

from brokerdesk.worklogs import rules
from brokerdesk.worklogs.rules import LogFacts

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 3, 2), True),  # a Monday
        (D(2026, 3, 7), False),  # a Saturday
        (D(2026, 10, 1), False),  # National Day, a Thursday
        (D(2026, 10, 5), False),  # National Day holiday, a Monday
        (D(2026, 10, 10), True),  # a Saturday made a working day (调休)
        (D(2026, 5, 1), False),  # Labour Day
        (D(2026, 2, 17), False),  # Spring Festival
        (D(2027, 1, 4), True),  # a year chinese_calendar does not know: Monday–Friday
        (D(2027, 1, 2), False),  # ... and its Saturday
        (D(2027, 10, 1), True),  # unknown year: a Friday is a working day, holidays or not
    ],
)
def test_working_days_follow_the_chinese_calendar_and_fall_back_to_weekdays(day, working):
    assert rules.is_working_day(day) is working


def test_working_days_of_national_day_week_2026():
    assert rules.working_days(D(2026, 9, 28), D(2026, 10, 11)) == [
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
        D(2026, 10, 8),
        D(2026, 10, 9),
        D(2026, 10, 10),
    ]
    assert rules.working_days(D(2026, 10, 2), D(2026, 10, 1)) == []


WEEKDAYS = lambda d: d.weekday() < 5  # noqa: E731 - a plain calendar for the table


@pytest.mark.parametrize(
    ("start", "end", "logged", "hired", "left", "expected"),
    [
        (D(2027, 3, 1), D(2027, 3, 5), [], None, None, [D(2027, 3, d) for d in range(1, 6)]),
        (
            D(2027, 3, 1),
            D(2027, 3, 5),
            [D(2027, 3, 2), D(2027, 3, 4)],
            None,
            None,
            [D(2027, 3, d) for d in (1, 3, 5)],
        ),
        (D(2027, 3, 1), D(2027, 3, 7), [D(2027, 3, 6)], None, None, [D(2027, 3, d) for d in range(1, 6)]),
        (D(2027, 3, 1), D(2027, 3, 5), [], D(2027, 3, 4), None, [D(2027, 3, 4), D(2027, 3, 5)]),
        (D(2027, 3, 1), D(2027, 3, 5), [], None, D(2027, 3, 2), [D(2027, 3, 1), D(2027, 3, 2)]),
        (D(2027, 3, 5), D(2027, 3, 4), [], None, None, []),
    ],
)
def test_missing_days_are_working_days_in_employment_without_a_log(start, end, logged, hired, left, expected):
    got = rules.missing_days(start, end, logged, hired_on=hired, left_on=left, is_workday=WEEKDAYS)
    assert got == expected


TODAY = D(2026, 11, 27)


@pytest.mark.parametrize(
    ("day", "error"),
    [
        (TODAY, None),
        (TODAY - dt.timedelta(days=1), None),
        (TODAY - dt.timedelta(days=rules.BACKFILL_DAYS), None),
        (TODAY - dt.timedelta(days=rules.BACKFILL_DAYS + 1), "too_old"),
        (TODAY + dt.timedelta(days=1), "future"),
    ],
)
def test_which_days_a_log_may_be_written_for(day, error):
    assert rules.day_error(day, TODAY) == error


@pytest.mark.parametrize(
    ("day", "under_check", "editable"),
    [
        (TODAY, False, True),
        (TODAY, True, False),  # drawn for a check: frozen
        (TODAY - dt.timedelta(days=1), False, False),  # its day is over
    ],
)
def test_a_log_is_editable_on_its_own_day_until_drawn(day, under_check, editable):
    assert rules.is_editable(day=day, today=TODAY, under_check=under_check) is editable


BASE = "上午在工商银行金融街支行驻点，为三位客户讲解两融业务；下午整理潜在客户名单并电话回访。"


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        (BASE, BASE, True),
        (BASE, BASE.replace("，", " ").replace("；", ""), True),  # punctuation and spaces only
        (BASE, BASE.replace("三位", "四位"), True),  # one word changed
        (BASE, "参加营业部晨会，学习新发行的集合资产管理计划；随后在网点开展投资者教育讲座。", False),
        (BASE, BASE[:20], False),  # a part of it is not the same log
        ("", "", False),  # nothing is not a copy
        ("Visited the bank branch", "visited the bank branch!", True),
    ],
)
def test_near_duplicates(a, b, near):
    assert (rules.similarity(a, b) >= rules.NEAR_DUPLICATE) is near


def facts(i, day, text="", names_client=True, claims_visit=False, has_outing=False):
    return LogFacts(
        i,
        day,
        text or f"独特的内容第{i}条：" + "甲乙丙丁戊己庚辛"[i % 8] * 3,
        names_client,
        claims_visit,
        has_outing,
    )


def codes(found, i):
    return [r.code for r in found[i]]


def test_a_copy_of_an_earlier_log_is_flagged_and_the_original_is_not():
    found = rules.suspicions([facts(1, D(2027, 3, 1), BASE), facts(2, D(2027, 3, 2), BASE + "。")])
    assert codes(found, 1) == []
    assert codes(found, 2) == ["near_duplicate"]
    assert found[2][0].detail["other_day"] == "2027-03-01"
    assert found[2][0].detail["similarity"] >= 0.8


@pytest.mark.parametrize(
    ("claims", "outing", "flagged"), [(True, False, True), (True, True, False), (False, False, False)]
)
def test_a_visit_needs_an_outing_form(claims, outing, flagged):
    found = rules.suspicions([facts(1, D(2027, 3, 1), claims_visit=claims, has_outing=outing)])
    assert ("visit_without_outing" in codes(found, 1)) is flagged


def test_no_client_named_for_three_logs_in_a_row():
    named = [True, False, False, False, False, True, False]
    found = rules.suspicions([facts(i, D(2027, 3, 1 + i), names_client=n) for i, n in enumerate(named)])
    flagged = {i for i in range(len(named)) if "no_client" in codes(found, i)}
    assert flagged == {3, 4}
    assert found[4][-1].detail == {"days": 4}


@pytest.mark.parametrize(
    ("text", "ticked", "claims"),
    [
        ("今天上门拜访客户", False, True),
        ("在网点接待客户", False, False),
        ("在网点", True, True),
        ("Visit to ACME", False, True),
    ],
)
def test_what_counts_as_claiming_a_visit(text, ticked, claims):
    assert rules.claims_visit(text, ticked) is claims


@pytest.mark.parametrize(
    ("reason_codes", "weight"),
    [
        ([], 1),
        (["no_client"], 3),
        (["near_duplicate"], 5),
        (["near_duplicate", "visit_without_outing", "no_client"], 11),
    ],
)
def test_weights(reason_codes, weight):
    assert rules.weight([rules.Reason(c) for c in reason_codes]) == weight


@pytest.mark.parametrize(
    ("pool", "size", "percent", "expected"),
    [
        (20, 5, None, 5),
        (20, 50, None, 20),
        (20, None, 10, 2),
        (21, None, 10, 3),  # rounded up
        (3, None, 1, 1),  # at least one
        (3, None, 100, 3),
        (0, 5, None, 0),
    ],
)
def test_sample_size(pool, size, percent, expected):
    assert rules.sample_size(pool, size=size, percent=percent) == expected


def test_sample_size_needs_a_size_or_a_percentage():
    with pytest.raises(ValueError):
        rules.sample_size(10)


POOL = [(i, 1) for i in range(1, 41)]


def test_the_same_seed_draws_the_same_logs_in_the_same_order():
    first = rules.draw(POOL, 6, seed=20261129)
    assert rules.draw(POOL, 6, seed=20261129) == first
    assert rules.draw(list(reversed(POOL)), 6, seed=20261129) == first  # the pool's order does not matter
    assert len(set(first)) == 6
    assert set(first) <= {i for i, _w in POOL}
    assert rules.draw(POOL, 6, seed=7) != first


def test_a_draw_never_takes_more_than_the_pool():
    assert sorted(rules.draw(POOL[:3], 10, seed=1)) == [1, 2, 3]
    assert rules.draw([], 3, seed=1) == []


def test_heavier_logs_are_drawn_more_often():
    pool = [(1, 9), *[(i, 1) for i in range(2, 21)]]
    hits = Counter(x for seed in range(2000) for x in rules.draw(pool, 2, seed))
    light = sum(hits[i] for i in range(2, 21)) / 19
    assert hits[1] > 3 * light
