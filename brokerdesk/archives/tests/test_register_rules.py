"""The register's pure rules, table first: serial numbers as typed, title words, months."""

import datetime as dt

import pytest

from brokerdesk.archives import rules_register as rules
from brokerdesk.archives.models_register import RegisterEntry


def test_every_kind_has_its_own_prefix_and_none_is_the_confirmation_forms():
    prefixes = [rules.prefix_for(k) for k in RegisterEntry.Kind.values]
    assert len(set(prefixes)) == len(prefixes)
    assert "QR" not in prefixes
    assert all(len(rules.counter_kind(k)) <= 30 for k in RegisterEntry.Kind.values)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("JH-BJ01-202611-0001", ("exact", "JH-BJ01-202611-0001")),
        ("jh-bj01-202611-0001", ("exact", "JH-BJ01-202611-0001")),
        (" ＪＨ－ＢＪ０１－２０２６１１ ", ("prefix", "JH-BJ01-202611")),
        ("JH—BJ01", ("prefix", "JH-BJ01")),
        ("XC", ("prefix", "XC")),
        ("工作计划", None),
        ("JH BJ01", ("prefix", "JHBJ01")),
        ("", None),
        ("a%b", None),
    ],
)
def test_a_typed_serial_number_is_read_as_exact_or_prefix(typed, expected):
    assert rules.serial_lookup(typed) == expected


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("工作计划", ["工作计划"]),
        ("薪酬 月报", ["薪酬", "月报"]),
        ("薪酬\u3000月报 薪酬", ["薪酬", "月报"]),
        ("a b c d e f g", ["a", "b", "c", "d", "e"]),
        ("   ", []),
    ],
)
def test_title_search_words(typed, words):
    assert rules.title_words(typed) == words


@pytest.mark.parametrize(
    ("month", "today", "file", "close"),
    [
        (dt.date(2026, 11, 1), dt.date(2026, 11, 29), True, False),
        (dt.date(2026, 10, 1), dt.date(2026, 11, 1), True, True),
        (dt.date(2026, 12, 1), dt.date(2026, 11, 30), False, False),
        (dt.date(2025, 1, 1), dt.date(2026, 11, 30), True, True),
    ],
)
def test_which_months_may_be_filed_into_and_closed(month, today, file, close):
    assert rules.may_file_into(month, today) is file
    assert rules.may_close(month, today) is close


@pytest.mark.parametrize(
    ("ref", "link"),
    [
        ("/performance/runs/12/", "/performance/runs/12/"),
        ("https://oa.example.com/doc/1", "https://oa.example.com/doc/1"),
        ("javascript:alert(1)", ""),
        ("//evil.example.com/", ""),
        ("OA审批单 2026-118", ""),
    ],
)
def test_only_paths_and_web_addresses_become_links(ref, link):
    assert rules.safe_source_link(ref) == link


@pytest.mark.parametrize(
    ("serial", "kind"), [("JH-BJ01", "work_plan"), ("XC", "pay_report"), ("X", None), ("ZZ-1", None)]
)
def test_a_serial_prefix_names_its_kind(serial, kind):
    assert rules.kind_of_serial(serial) == kind
