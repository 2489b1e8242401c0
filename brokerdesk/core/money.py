"""Money: Decimal only, rounded half-up to the fen (四舍五入) at the points the caller names.

Python's decimal rounds half-even by default; RMB amounts are rounded half-up, so every
rounding goes through :func:`to_fen`.
"""

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_fen(value: Decimal | int | str) -> Decimal:
    """Round an amount half-up to the fen. Refuses floats: they cannot hold RMB exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a Decimal, int or str")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def format_rmb(value: Decimal | int | str | None) -> str:
    """¥1,234.56 — the way a Chinese finance user reads an amount."""
    if value is None or value == "":
        return ""
    amount = to_fen(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
