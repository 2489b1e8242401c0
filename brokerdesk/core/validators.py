"""Validators for Chinese identity data: resident ID numbers and mobile numbers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    value = normalize_id_number(value)
    if not ID_RE.match(value):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a digit or X."), code="id_format"
        )
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("This ID number's check digit is wrong; please check it."), code="id_checksum"
        )


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match((value or "").strip()):
        raise ValidationError(_("A mobile number has 11 digits and starts with 13–19."), code="mobile_format")


def mask_id_number(value: str) -> str:
    """1101**********1234: region prefix and last four only."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_mobile(value: str) -> str:
    """138****1234."""
    if not value:
        return ""
    return value[:3] + "****" + value[-4:]


# Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from this set,
# the last a check character over the first 17.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    value = (value or "").strip().upper()
    if not CREDIT_CODE_RE.match(value):
        raise ValidationError(
            _("A credit code has 18 characters: digits and capital letters (no I, O, S, V, Z)."),
            code="credit_code_format",
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("This credit code's check character is wrong; please check it."), code="credit_code_checksum"
        )
