"""Pure rules of planning: periods, adding up, and progress against targets."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from brokerdesk.core.money import to_fen


def period_of_month(month: int, split: str) -> int:
    """The month (1–12) → its period: itself when split by month, else its quarter."""
    return month if split == "month" else (month - 1) // 3 + 1


def months_of_period(period: int, split: str) -> list[int]:
    return [period] if split == "month" else [3 * (period - 1) + i for i in (1, 2, 3)]


def shortfall(total: Decimal | int, parts: list[Decimal | int]) -> Decimal:
    """How much the parts miss the whole by (negative: they exceed it)."""
    return Decimal(total) - sum((Decimal(p) for p in parts), Decimal(0))


def target_to_date(targets_by_period: dict[int, Decimal], split: str, as_of_month: int) -> Decimal:
    """The part of the targets due by the end of ``as_of_month``: whole periods already over,
    plus the elapsed share of the period in progress (pro rata by month)."""
    due = Decimal(0)
    for period, target in targets_by_period.items():
        months = months_of_period(period, split)
        elapsed = sum(1 for m in months if m <= as_of_month)
        if elapsed:
            due += Decimal(target) * Decimal(elapsed) / Decimal(len(months))
    return due


@dataclass(frozen=True)
class Progress:
    target_year: Decimal
    target_to_date: Decimal
    actual_to_date: Decimal
    rate: Decimal | None  # actual / target to date, as a percentage with one decimal
    behind: bool


def progress(
    targets_by_period: dict[int, Decimal],
    actuals_by_month: dict[int, Decimal],
    split: str,
    as_of_month: int,
    *,
    money: bool,
) -> Progress:
    """Progress of one metric: behind when the actual to date is below the target to date."""
    year = sum((Decimal(v) for v in targets_by_period.values()), Decimal(0))
    due = target_to_date(targets_by_period, split, as_of_month)
    actual = sum((Decimal(v) for m, v in actuals_by_month.items() if m <= as_of_month), Decimal(0))
    if money:
        year, due, actual = to_fen(year), to_fen(due), to_fen(actual)
    else:
        due = due.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    rate = None
    if due > 0:
        rate = (actual * 100 / due).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Progress(year, due, actual, rate, behind=due > 0 and actual < due)
