"""The assessment rules of 第十六、十七条 as pure functions: no database, no request.

- Duty (工作职责考核): each checklist item scores 0–100 from a count the system keeps
  (logs written on working days, spot-checked logs passed, clean attendance days, meetings
  attended, visit logs verified, follow-ups closed on time) or from the lead's mark; the
  duty score is the weighted mean of the items.
- Performance (业绩考核): clients developed, net revenue and client-asset growth against the
  person's targets for the period, each achievement ratio capped at ``RATIO_CAP``.
- Comprehensive score: duty and performance weighted by the policy.
- Quarterly and yearly results: level up from ``promote_from``, down below ``demote_below``,
  and down regardless after ``floor_months`` consecutive monthly performance scores below
  the monthly floor; the ladder's top and bottom rungs stay.
"""

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HUNDRED = Decimal("100")
ZERO = Decimal("0")
SCORE_PLACES = Decimal("0.01")

MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIODS = (MONTH, QUARTER, YEAR)
UP, STAY, DOWN, NONE = "up", "stay", "down", ""

# Performance metrics: (code, the ManagerMonth figure it reads, the TargetShare field).
# Client assets are judged by their growth over the period, because the plan's target is a
# growth (目标客户资产增长), not a level.
METRICS = ("new_accounts", "net_revenue", "asset_growth")
METRIC_LABELS = {
    "new_accounts": gettext_lazy("Clients developed"),
    "net_revenue": gettext_lazy("Net revenue"),
    "asset_growth": gettext_lazy("Client asset growth"),
}
# Each metric counts equally. (The policy has no field for these weights yet: see
# docs/performance-assessment.md.)
METRIC_WEIGHTS = {"new_accounts": Decimal(1), "net_revenue": Decimal(1), "asset_growth": Decimal(1)}
# An achievement ratio counts up to 120 %: beating one target makes up for part of another,
# never for all of it; the performance score itself never exceeds 100.
RATIO_CAP = Decimal("1.2")


def score(value) -> Decimal:
    """A score rounded half-up to two places and kept within 0–100."""
    value = Decimal(value)
    value = min(HUNDRED, max(ZERO, value))
    return value.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


# --- periods ---------------------------------------------------------------------------------


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The month, quarter or year that contains ``day``: (first day, last day)."""
    if period == MONTH:
        start = day.replace(day=1)
        return start, start.replace(day=calendar.monthrange(day.year, day.month)[1])
    if period == QUARTER:
        first = (day.month - 1) // 3 * 3 + 1
        start = dt.date(day.year, first, 1)
        last = first + 2
        return start, dt.date(day.year, last, calendar.monthrange(day.year, last)[1])
    if period == YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    raise ValueError(f"unknown period {period!r}")


def period_months(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from ``start`` to ``end``."""
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def next_period_start(end: dt.date) -> dt.date:
    """A result takes effect from the first day after the period it judged."""
    return end + dt.timedelta(days=1)


def period_error(start: dt.date, end: dt.date, today: dt.date) -> str | None:
    """``future``: the period has not begun; ``open``: it has not ended. An assessment judges
    a whole period, so it waits until the period is over."""
    if start > today:
        return "future"
    if end >= today:
        return "open"
    return None


def period_label(period: str, start: dt.date) -> str:
    """2026年3月, 2026年第1季度, 2026年度 (or 2026-03, 2026 Q1, 2026 in English)."""
    if period == MONTH:
        return _("%(year)s-%(month)02d") % {"year": start.year, "month": start.month}
    if period == QUARTER:
        return _("%(year)s Q%(quarter)s") % {"year": start.year, "quarter": (start.month - 1) // 3 + 1}
    return _("Year %(year)s") % {"year": start.year}


# --- duty ------------------------------------------------------------------------------------


def ratio_score(done: int, of: int) -> Decimal:
    """``done`` of ``of`` as a score. Nothing to count (``of`` = 0) scores full marks: there
    was nothing to fault (no follow-up fell due, no log was spot-checked)."""
    if of <= 0:
        return score(HUNDRED)
    return score(Decimal(done) * HUNDRED / Decimal(of))


# Which counts each automatic source reads: (numerator key, denominator key).
SOURCE_COUNTS = {
    "worklogs": ("written", "required"),
    "spotchecks": ("passed", "checked"),
    "attendance": ("clean", "counted"),
    "meetings": ("attended", "held"),
    "visits": ("verified", "logged"),
    "followups": ("on_time", "due"),
}


def item_score(source: str, inputs: Mapping) -> Decimal:
    """The score of an automatic item from its stored inputs."""
    done, of = SOURCE_COUNTS[source]
    return ratio_score(int(inputs.get(done, 0)), int(inputs.get(of, 0)))


def weighted_mean(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Σ weight × score / Σ weight, or None when the weights add up to nothing."""
    total_weight = ZERO
    total = ZERO
    for weight, value in pairs:
        total_weight += Decimal(weight)
        total += Decimal(weight) * Decimal(value)
    if total_weight <= 0:
        return None
    return score(total / total_weight)


def duty_score(items: Sequence[tuple[Decimal, Decimal | None]]) -> tuple[Decimal, bool]:
    """(score, complete) from (weight, score or None) of each active item.

    An item without a score yet (the lead has not marked) is left out, the others' weights
    count in full; ``complete`` says whether every item had its score. A checklist whose
    weights are all zero scores 0.
    """
    scored = [(w, s) for w, s in items if s is not None]
    mean = weighted_mean(scored)
    return (mean if mean is not None else score(ZERO)), len(scored) == len(items)


# --- performance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """One TargetShare row: the targets of one month (split by month) or quarter."""

    split: str  # "month" or "quarter" (planning.AnnualPlan.Split)
    period: int
    targets: Mapping[str, Decimal]


def share_months(share: Share) -> list[int]:
    if share.split == "month":
        return [share.period]
    return [3 * (share.period - 1) + i for i in (1, 2, 3)]


def targets_for_months(shares: Iterable[Share], months: Iterable[int]) -> dict[str, Decimal]:
    """The targets falling in ``months`` (numbers 1–12 of one year).

    A quarter's target counts pro rata by month (a third for each month), as planning's
    progress does; a month's target counts whole.
    """
    wanted = set(months)
    totals = dict.fromkeys(METRICS, ZERO)
    for share in shares:
        covered = share_months(share)
        inside = sum(1 for m in covered if m in wanted)
        if not inside:
            continue
        for metric in METRICS:
            value = Decimal(share.targets.get(metric) or 0)
            totals[metric] += value * inside / len(covered)
    return totals


@dataclass
class MetricResult:
    metric: str
    target: Decimal
    actual: Decimal
    ratio: Decimal | None  # None: no target, left out
    points: Decimal | None  # ratio × 100 after the cap


@dataclass
class PerformanceResult:
    score: Decimal
    metrics: list[MetricResult]
    no_targets: bool


def achievement(actual: Decimal, target: Decimal) -> Decimal | None:
    """actual ÷ target within 0 and the cap; None without a (positive) target."""
    if target <= 0:
        return None
    ratio = Decimal(actual) / Decimal(target)
    return min(RATIO_CAP, max(ZERO, ratio))


def performance_score(actuals: Mapping[str, Decimal], targets: Mapping[str, Decimal]) -> PerformanceResult:
    """Σ wᵢ × min(actualᵢ ÷ targetᵢ, 1.2) × 100 ÷ Σ wᵢ over the metrics that have a target,
    at most 100.

    A metric without a target is left out and the others count in full. With no target at
    all the score is 100 (``no_targets``): nobody forfeits a month's commission because no
    plan was decomposed to them, and a quarter without targets moves no level
    (:func:`decide`).
    """
    results = []
    pairs = []
    for metric in METRICS:
        target = Decimal(targets.get(metric) or 0)
        actual = Decimal(actuals.get(metric) or 0)
        ratio = achievement(actual, target)
        points = None if ratio is None else ratio * HUNDRED
        results.append(MetricResult(metric, target, actual, ratio, points))
        if points is not None:
            pairs.append((METRIC_WEIGHTS[metric], points))
    if not pairs:
        return PerformanceResult(score(HUNDRED), results, True)
    total_weight = sum((w for w, _p in pairs), ZERO)
    return PerformanceResult(score(sum((w * p for w, p in pairs), ZERO) / total_weight), results, False)


def comprehensive(duty: Decimal, performance: Decimal, duty_weight: Decimal, performance_weight: Decimal):
    """(duty × duty weight + performance × performance weight) ÷ (sum of the weights)."""
    mean = weighted_mean([(duty_weight, duty), (performance_weight, performance)])
    return mean if mean is not None else score(ZERO)


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    duty_weight: Decimal
    performance_weight: Decimal
    promote_from: Decimal
    demote_below: Decimal
    monthly_floor: Decimal
    floor_months: int


@dataclass
class Decision:
    outcome: str
    code: str
    params: dict = field(default_factory=dict)


def floor_run(
    monthly: Sequence[tuple[dt.date, Decimal | None]], floor: Decimal, months: int
) -> list[dt.date]:
    """The first run of ``months`` consecutive months whose performance score is below the
    floor ([] if none). A month without a monthly assessment breaks the run."""
    if months <= 0:
        return []
    run: list[dt.date] = []
    for month, value in sorted(monthly, key=lambda pair: pair[0]):
        if value is not None and Decimal(value) < floor:
            run.append(month)
            if len(run) >= months:
                return run[-months:]
        else:
            run = []
    return []


def decide(
    *,
    period: str,
    start: dt.date,
    total: Decimal,
    policy: Policy,
    monthly: Sequence[tuple[dt.date, Decimal | None]] = (),
    no_targets: bool = False,
) -> Decision:
    """The result of a quarter or a year (a month decides commission, not the level).

    In order: ``floor_months`` consecutive monthly performance scores below the floor inside
    the period → down, whatever the total; the fourth quarter leaves the level to the yearly
    evaluation (both would take effect on 1 January); no targets → stay; then the thresholds.
    """
    if period == MONTH:
        return Decision(NONE, "monthly")
    run = floor_run(monthly, policy.monthly_floor, policy.floor_months)
    if period == QUARTER and start.month == 10:
        hint = DOWN if run else _threshold(total, policy)[0]
        return Decision(NONE, "year_end", {"indicative": hint})
    if run:
        return Decision(
            DOWN,
            "floor",
            {
                "months": len(run),
                "floor": str(policy.monthly_floor),
                "from": run[0].isoformat(),
                "to": run[-1].isoformat(),
            },
        )
    if no_targets:
        return Decision(STAY, "no_targets")
    outcome, code = _threshold(total, policy)
    return Decision(
        outcome,
        code,
        {
            "total": str(total),
            "promote_from": str(policy.promote_from),
            "demote_below": str(policy.demote_below),
        },
    )


def _threshold(total: Decimal, policy: Policy) -> tuple[str, str]:
    if total >= policy.promote_from:
        return UP, "promote"
    if total < policy.demote_below:
        return DOWN, "demote"
    return STAY, "between"


@dataclass(frozen=True)
class Rung:
    id: int
    rank: int
    name: str


def next_rung(ladder: Sequence[Rung], current_id: int | None, outcome: str) -> tuple[Rung | None, str]:
    """The level an outcome moves a person to, by rank: (new rung or None, why not).

    Why not: ``no_level`` (the person has no level to move from), ``top`` or ``bottom`` (the
    ladder ends there: the person stays), ``stay`` (nothing to move).
    """
    if outcome not in (UP, DOWN):
        return None, "stay"
    ordered = sorted(ladder, key=lambda r: r.rank)
    index = next((i for i, r in enumerate(ordered) if r.id == current_id), None)
    if index is None:
        return None, "no_level"
    if outcome == UP:
        return (ordered[index + 1], "") if index + 1 < len(ordered) else (None, "top")
    return (ordered[index - 1], "") if index > 0 else (None, "bottom")


# --- words -----------------------------------------------------------------------------------


def _month_text(iso: str | None) -> str:
    return period_label(MONTH, dt.date.fromisoformat(iso)) if iso else ""


def _fmt(value) -> str:
    return f"{Decimal(value):.2f}"


def decision_text(code: str, params: Mapping) -> str:
    """Why the result is what it is, in the reader's language."""
    p = dict(params or {})
    if code == "monthly":
        return _("A monthly assessment decides the month's commission, not the level.")
    if code == "floor":
        return _(
            "%(n)s consecutive monthly performance scores below %(floor)s (%(start)s to %(end)s): "
            "level down whatever the comprehensive score."
        ) % {
            "n": p.get("months"),
            "floor": _fmt(p.get("floor", 0)),
            "start": _month_text(p.get("from")),
            "end": _month_text(p.get("to")),
        }
    if code == "year_end":
        hint = p.get("indicative")
        hint_text = {UP: _("level up"), DOWN: _("level down"), STAY: _("stay")}.get(hint, "")
        return _(
            "Fourth quarter: the yearly evaluation decides the level from 1 January "
            "(this quarter alone would mean: %(hint)s)."
        ) % {"hint": hint_text}
    if code == "no_targets":
        return _("No targets were set for the period: the level stays.")
    if code == "promote":
        return _("Comprehensive score %(total)s reaches the level-up line %(line)s.") % {
            "total": _fmt(p.get("total", 0)),
            "line": _fmt(p.get("promote_from", 0)),
        }
    if code == "demote":
        return _("Comprehensive score %(total)s is below the level-down line %(line)s.") % {
            "total": _fmt(p.get("total", 0)),
            "line": _fmt(p.get("demote_below", 0)),
        }
    if code == "between":
        return _("Comprehensive score %(total)s is between %(low)s and %(high)s: the level stays.") % {
            "total": _fmt(p.get("total", 0)),
            "low": _fmt(p.get("demote_below", 0)),
            "high": _fmt(p.get("promote_from", 0)),
        }
    return ""


def ladder_text(why: str, level_name: str) -> str:
    """Why an up or down result moved no level."""
    if why == "top":
        return _("%(level)s is the top level: the level stays.") % {"level": level_name}
    if why == "bottom":
        return _("%(level)s is the lowest level: the level stays.") % {"level": level_name}
    if why == "no_level":
        return _("The person has no level to move from: the level stays.")
    return ""


def item_text(source: str, inputs: Mapping) -> str:
    """What an item's score was counted from, in the reader's language."""
    i = dict(inputs or {})
    if source == "worklogs":
        text = _("%(done)s logs on %(of)s working days") % {
            "done": i.get("written", 0),
            "of": i.get("required", 0),
        }
        if i.get("leave_days"):
            text += _(" (%(n)s days on leave not counted)") % {"n": i["leave_days"]}
        return text
    if source == "spotchecks":
        return _("%(done)s of %(of)s spot-checked logs passed") % {
            "done": i.get("passed", 0),
            "of": i.get("checked", 0),
        }
    if source == "attendance":
        return _(
            "%(done)s of %(of)s working days without marks (late %(late)s, early %(early)s, "
            "missing punch %(missing)s, absent %(absent)s; leave %(leave)s days not counted)"
        ) % {
            "done": i.get("clean", 0),
            "of": i.get("counted", 0),
            "late": i.get("late", 0),
            "early": i.get("early", 0),
            "missing": i.get("missing_punch", 0),
            "absent": i.get("absent", 0),
            "leave": i.get("leave_days", 0),
        }
    if source == "meetings":
        return _("attended %(done)s of %(of)s team meetings") % {
            "done": i.get("attended", 0),
            "of": i.get("held", 0),
        }
    if source == "visits":
        return _("%(done)s of %(of)s visit logs verified") % {
            "done": i.get("verified", 0),
            "of": i.get("logged", 0),
        }
    if source == "followups":
        return _("%(done)s of %(of)s follow-ups due closed on time") % {
            "done": i.get("on_time", 0),
            "of": i.get("due", 0),
        }
    if source == "lead":
        return _("marked by %(name)s") % {"name": i.get("by_name", "")} if i.get("by_name") else ""
    return ""


NOTHING_TO_COUNT = gettext_lazy("Nothing to count in the period: full marks.")
