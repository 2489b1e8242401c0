"""Pure rules of work logs (第五条(一)): working days, missing days, which logs look wrong,
and the reproducible weighted draw of a spot-check. No database, no request."""

import datetime as dt
import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# --- the working calendar --------------------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    """Weekdays minus Chinese public holidays, plus the make-up working days (调休).

    ``chinese_calendar`` only knows the years the State Council has published; for any other
    year it raises NotImplementedError and we fall back to Monday–Friday. The attendance
    calendar (with a branch's own exceptions) is meant to replace this function.
    """
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def working_days(start: dt.date, end: dt.date, is_workday=is_working_day) -> list[dt.date]:
    """The working days from ``start`` to ``end``, both included (none if end < start)."""
    days = []
    day = start
    while day <= end:
        if is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def missing_days(
    start: dt.date,
    end: dt.date,
    logged: Iterable[dt.date],
    *,
    hired_on: dt.date | None = None,
    left_on: dt.date | None = None,
    is_workday=is_working_day,
) -> list[dt.date]:
    """Working days in [start, end] inside the person's employment with no log."""
    if hired_on and hired_on > start:
        start = hired_on
    if left_on and left_on < end:
        end = left_on
    have = set(logged)
    return [d for d in working_days(start, end, is_workday) if d not in have]


# --- what may be written when ---------------------------------------------------------------

BACKFILL_DAYS = 7  # a missed day may be written up to a week late (and shows as late)


def day_error(day: dt.date, today: dt.date) -> str | None:
    """Why a log cannot be written for ``day`` (a code), or None."""
    if day > today:
        return "future"
    if (today - day).days > BACKFILL_DAYS:
        return "too_old"
    return None


def is_editable(*, day: dt.date, today: dt.date, under_check: bool) -> bool:
    """The author edits a log on its own day only, and never once it is drawn for a check."""
    return not under_check and day == today


# --- what looks wrong ------------------------------------------------------------------------

NEAR_DUPLICATE = 0.8  # Jaccard similarity of character bigrams at or above which two logs are "the same"
NO_CLIENT_DAYS = 3  # this many logs in a row without a client named
COMPARE_WITH = 20  # a log is compared with the person's previous this-many logs

WEIGHT_BASE = 1
WEIGHTS = {"near_duplicate": 4, "visit_without_outing": 4, "no_client": 2}

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
VISIT_WORDS = ("拜访", "走访", "上门", "外出", "外访", "visit")


def normalise(text: str) -> str:
    """Lower case, without spaces and punctuation (so copy-and-tidy is still a copy)."""
    return _NOISE.sub("", (text or "").lower())


def shingles(text: str, k: int = 2) -> frozenset[str]:
    """Overlapping k-character pieces; character bigrams suit Chinese, which has no spaces."""
    t = normalise(text)
    if len(t) <= k:
        return frozenset([t]) if t else frozenset()
    return frozenset(t[i : i + k] for i in range(len(t) - k + 1))


def similarity(a: str | frozenset, b: str | frozenset) -> float:
    """Jaccard similarity of two texts' shingles: 1.0 identical, 0.0 nothing in common."""
    sa = a if isinstance(a, frozenset) else shingles(a)
    sb = b if isinstance(b, frozenset) else shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def claims_visit(text: str, ticked: bool = False) -> bool:
    """Whether the log says its author went out to see clients."""
    low = (text or "").lower()
    return ticked or any(w in low for w in VISIT_WORDS)


@dataclass(frozen=True)
class LogFacts:
    """What the rules need to know about one log."""

    id: int
    day: dt.date
    text: str  # what was done
    names_client: bool
    claims_visit: bool
    has_outing: bool  # an approved outing form or a logged client visit covers the day


@dataclass(frozen=True)
class Reason:
    code: str  # near_duplicate, visit_without_outing, no_client
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, **self.detail}


def suspicions(history: Sequence[LogFacts]) -> dict[int, list[Reason]]:
    """For each log of ONE person (in any order): the reasons it looks wrong.

    - near_duplicate: its text is at least ``NEAR_DUPLICATE`` similar to one of the person's
      previous ``COMPARE_WITH`` logs (the most similar is named);
    - visit_without_outing: it claims a visit but no outing form covers the day;
    - no_client: it is the ``NO_CLIENT_DAYS``-th (or later) log in a row naming no client.
    """
    logs = sorted(history, key=lambda f: (f.day, f.id))
    prints = [shingles(f.text) for f in logs]
    out: dict[int, list[Reason]] = {}
    streak = 0
    for i, facts in enumerate(logs):
        reasons: list[Reason] = []
        best, best_day = 0.0, None
        for j in range(max(0, i - COMPARE_WITH), i):
            s = similarity(prints[i], prints[j])
            if s > best:
                best, best_day = s, logs[j].day
        if best >= NEAR_DUPLICATE:
            reasons.append(
                Reason("near_duplicate", {"similarity": round(best, 2), "other_day": str(best_day)})
            )
        if facts.claims_visit and not facts.has_outing:
            reasons.append(Reason("visit_without_outing"))
        streak = 0 if facts.names_client else streak + 1
        if streak >= NO_CLIENT_DAYS:
            reasons.append(Reason("no_client", {"days": streak}))
        out[facts.id] = reasons
    return out


def weight(reasons: Sequence[Reason]) -> int:
    """A log's chance in the draw: 1, plus the weight of each reason it looks wrong."""
    return WEIGHT_BASE + sum(WEIGHTS.get(r.code, 0) for r in reasons)


# --- the draw --------------------------------------------------------------------------------


def sample_size(pool: int, *, size: int | None = None, percent: int | None = None) -> int:
    """How many logs to draw from a pool: a number, or a percentage rounded up (at least one)."""
    if pool <= 0:
        return 0
    if size is not None:
        return max(0, min(size, pool))
    if percent is not None:
        return max(1, min(pool, math.ceil(pool * percent / 100)))
    raise ValueError("give a size or a percentage")


def draw(pool: Sequence[tuple[int, int]], k: int, seed: int) -> list[int]:
    """Draw ``k`` distinct ids from ``pool`` [(id, weight)…], heavier ones more likely.

    Weighted sampling without replacement (Efraimidis–Spirakis: each id gets the key
    u ** (1 / weight) with u from ``random.Random(seed)``, the k largest keys win). The pool
    is taken in id order, so the same pool and seed always give the same ids, in draw order.
    """
    rng = random.Random(seed)
    keyed = []
    for log_id, w in sorted(pool):
        u = rng.random()
        keyed.append((u ** (1.0 / max(w, 1)), log_id))
    keyed.sort(reverse=True)
    return [log_id for _key, log_id in keyed[:k]]
