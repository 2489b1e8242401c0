from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brokerdesk.core.money import format_rmb, to_fen


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),
        ("-0.005", "-0.01"),
        ("2.344", "2.34"),
        (3, "3.00"),
    ],
)
def test_rounds_half_up_to_the_fen_not_bankers_rounding(raw, expected):
    assert to_fen(Decimal(raw) if isinstance(raw, str) else raw) == Decimal(expected)


def test_refuses_float():
    with pytest.raises(TypeError):
        to_fen(0.1)


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False, allow_infinity=False))
def test_rounding_moves_at_most_half_a_fen_and_is_idempotent(value):
    rounded = to_fen(value)
    assert abs(rounded - value) <= Decimal("0.005")
    assert to_fen(rounded) == rounded
    assert rounded.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234.5"), "¥1,234.50"),
        (Decimal("-0.5"), "-¥0.50"),
        (Decimal("1234567.891"), "¥1,234,567.89"),
        (None, ""),
    ],
)
def test_amounts_are_shown_as_a_chinese_finance_user_reads_them(value, shown):
    assert format_rmb(value) == shown
