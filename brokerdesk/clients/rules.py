"""Pure rules of clients and service: no database, no request."""

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from brokerdesk.org.rules import name_syllables

CLIENT_NO_RE = re.compile(r"^\d{6,20}$")
QUARTER_DAYS = 91


def pinyin_keys(name: str) -> tuple[str, str]:
    """(initials, full) of a name's first reading: 张三 → ("zs", "zhangsan")."""
    syllables = [s[0] for s in name_syllables(name)]
    return "".join(s[0] for s in syllables)[:40], "".join(syllables)[:200]


@dataclass(frozen=True)
class TierRule:
    id: int
    rank: int
    min_assets: Decimal | None
    min_revenue: Decimal | None


def tier_for(assets: Decimal, revenue: Decimal, tiers: Sequence[TierRule]) -> int | None:
    """The id of the highest-ranked tier (rank 1 highest) whose rule the figures meet.

    A tier's rule is met when the assets reach its asset floor *or* the revenue reaches its
    revenue floor (a floor left empty is not a way in).
    """
    for t in sorted(tiers, key=lambda t: t.rank):
        if t.min_assets is not None and assets >= t.min_assets:
            return t.id
        if t.min_revenue is not None and revenue >= t.min_revenue:
            return t.id
    return None


def visit_due(last_visit: dt.date | None, every_days: int, today: dt.date) -> dt.date:
    """The day a key account's next visit is due: ``every_days`` after the last one, or today
    if it has never been visited."""
    if last_visit is None:
        return today
    return last_visit + dt.timedelta(days=every_days)


def visits_required(every_days: int, days: int = QUARTER_DAYS) -> int:
    """Visits a period of ``days`` needs under a standard of one visit every ``every_days``."""
    return max(1, math.ceil(days / every_days)) if every_days else 0


def overlapping(
    day: dt.date, others: Iterable[tuple[int, dt.date]], window_days: int
) -> list[tuple[int, int]]:
    """(other visit id, days apart) of the visits within ``window_days`` of ``day``."""
    found = []
    for other_id, other_day in others:
        apart = abs((other_day - day).days)
        if apart <= window_days:
            found.append((other_id, apart))
    return sorted(found, key=lambda pair: pair[1])


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter."""
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    end_month = start.month + 2
    nxt = dt.date(year + (end_month == 12), end_month % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1
