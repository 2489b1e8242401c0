import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from brokerdesk.core.validators import (
    id_check_char,
    mask_id_number,
    mask_mobile,
    validate_id_number,
    validate_mobile,
)

# Check characters computed by hand with GB 11643-1999 weights.
KNOWN_VALID = ["11010519491231002X", "440524188001010014", "110101199003072316"]


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_known_valid_id_numbers_pass(number):
    validate_id_number(number)
    validate_id_number(number.lower())  # a lower-case x is accepted and normalised


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_checksum"),
        ("44052418800101001", "id_format"),
        ("4405241880010100141", "id_format"),
        ("44052418800101001A", "id_format"),
        ("", "id_format"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_reason(number, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(number)
    assert exc.value.code == code


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_first_17_digits_with_their_check_char_validate_and_others_do_not(first17):
    good = id_check_char(first17)
    validate_id_number(first17 + good)
    for wrong in "0123456789X":
        if wrong != good:
            with pytest.raises(ValidationError):
                validate_id_number(first17 + wrong)


@pytest.mark.parametrize("mobile", ["13812345678", "19912345678"])
def test_valid_mobiles(mobile):
    validate_mobile(mobile)


@pytest.mark.parametrize("mobile", ["12812345678", "1381234567", "138123456789", "1381234567a", ""])
def test_malformed_mobiles_are_refused(mobile):
    with pytest.raises(ValidationError):
        validate_mobile(mobile)


def test_masks_keep_only_prefix_and_last_four():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_id_number("") == ""
