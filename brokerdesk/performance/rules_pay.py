"""Pay rules as pure functions (第二条, 第十五条): commission brackets, their checks, which scheme
is in force, and one person's pay line by line. No database, no request: the pay service
collects the figures and hands them in as plain values, so every rule is table-testable.

Rounding: every component is rounded once, half-up to the fen (``core.money.to_fen``), after
all its multiplications; totals are sums of rounded lines, never rounded again.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from brokerdesk.core.money import ZERO, format_rmb, to_fen

ONE = Decimal(1)

# The components, in the order a slip lists them (the values of PayLine.Component).
BASE = "base"
COMMISSION = "commission"
NEW_ACCOUNTS = "new_accounts"
ASSETS = "assets"
OVERRIDE = "override"
HOLDBACK = "holdback"
RELEASE = "release"
CLAWBACK = "clawback"
ATTENDANCE = "attendance"
LIABILITY = "liability"
ADJUSTMENT = "adjustment"
ORDER = [
    BASE,
    COMMISSION,
    NEW_ACCOUNTS,
    ASSETS,
    OVERRIDE,
    HOLDBACK,
    RELEASE,
    CLAWBACK,
    ATTENDANCE,
    LIABILITY,
    ADJUSTMENT,
]
# Lines that take money away from what was earned (the slip's "deductions" column); the
# holdback has its own column ("held back").
DEDUCTING = {CLAWBACK, ATTENDANCE, LIABILITY}
# At most this many client numbers are listed on a new-account line (the count is always exact).
LISTED_ACCOUNTS = 50


def money(value) -> str:
    """A Decimal as the string stored in a line's inputs (JSON has no decimals)."""
    return str(value)


# --- Brackets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bracket:
    """Revenue from ``lower`` up to ``upper`` (exclusive; None = no limit) earns ``rate``."""

    lower: Decimal
    upper: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class BracketPart:
    lower: Decimal
    upper: Decimal | None
    rate: Decimal
    part: Decimal  # the share of the revenue that falls inside the bracket
    amount: Decimal  # part × rate, not rounded

    def as_inputs(self) -> dict:
        return {
            "lower": money(self.lower),
            "upper": None if self.upper is None else money(self.upper),
            "rate": money(self.rate),
            "part": money(self.part),
            "amount": money(self.amount),
        }


def bracket_errors(rows: Sequence[dict]) -> list[tuple[int | None, str, str]]:
    """What is wrong with a list of brackets, as (row index or None, field, message).

    Rows are dicts with ``lower``, ``upper`` (None: open-ended) and ``rate``, in the order the
    user gave them; the checks sort them by ``lower``. Brackets must start at 0, follow each
    other without gap or overlap, only the last may (and must) be open-ended, and every rate
    is a share from 0 to 1.
    """
    errors: list[tuple[int | None, str, str]] = []
    if not rows:
        return [(None, "", _("Give at least one commission bracket, starting at 0."))]
    usable = []
    for i, row in enumerate(rows):
        lower, upper, rate = row.get("lower"), row.get("upper"), row.get("rate")
        ok = True
        if lower is None:
            errors.append((i, "lower", _("Give the revenue this bracket starts from.")))
            ok = False
        elif lower < 0:
            errors.append((i, "lower", _("A bracket cannot start below 0.")))
            ok = False
        if rate is None:
            errors.append((i, "rate", _("Give the commission rate of this bracket.")))
        elif rate < 0 or rate > 1:
            errors.append((i, "rate", _("A rate is a share from 0 to 1 (0.10 means ten per cent).")))
        if ok and upper is not None and upper <= lower:
            errors.append((i, "upper", _("The upper limit must be above the lower one.")))
            ok = False
        if ok:
            usable.append((lower, i, upper))
    if errors:
        return errors
    usable.sort(key=lambda t: (t[0], t[1]))
    first_lower, first_i, _upper = usable[0]
    if first_lower != 0:
        errors.append((first_i, "lower", _("The first bracket must start at 0.")))
    for (_lower, prev_i, prev_upper), (lower, i, _u) in zip(usable, usable[1:], strict=False):
        if prev_upper is None:
            errors.append((prev_i, "upper", _("Only the last bracket may be open-ended.")))
        elif lower < prev_upper:
            errors.append(
                (
                    i,
                    "lower",
                    _("This bracket overlaps the one before it, which runs up to %(upper)s.")
                    % {"upper": format_rmb(prev_upper)},
                )
            )
        elif lower > prev_upper:
            errors.append(
                (
                    i,
                    "lower",
                    _("Gap: revenue from %(lower)s to %(upper)s falls in no bracket.")
                    % {"lower": format_rmb(prev_upper), "upper": format_rmb(lower)},
                )
            )
    last_lower, last_i, last_upper = usable[-1]
    if last_upper is not None:
        errors.append(
            (last_i, "upper", _("The last bracket must be open-ended: leave its upper limit empty."))
        )
    return errors


def progressive(revenue: Decimal, brackets: Iterable[Bracket]) -> tuple[list[BracketPart], Decimal]:
    """Progressive commission: each bracket's rate applies to the part of the revenue inside it.

    Returns the parts and their unrounded sum. Revenue of 0 or less earns nothing (a reversal
    is clawed back from the month it was paid in, never paid as negative commission).
    """
    parts = []
    total = ZERO
    for b in sorted(brackets, key=lambda b: b.lower):
        top = revenue if b.upper is None else min(revenue, b.upper)
        part = max(ZERO, top - b.lower)
        amount = part * b.rate
        parts.append(BracketPart(b.lower, b.upper, b.rate, part, amount))
        total += amount
    return parts, total


def commission(revenue: Decimal, brackets: Iterable[Bracket], factor: Decimal = ONE) -> Decimal:
    """The commission component: progressive amount × factor, rounded once."""
    return to_fen(progressive(revenue, brackets)[1] * factor)


# --- Which scheme is in force --------------------------------------------------------------


def pick_scheme(schemes: Iterable, team_id: int | None, month: dt.date):
    """The approved scheme in force for a team in a month, from the branch's approved schemes.

    In force: ``effective_from`` on or before the month. A scheme of the person's own team
    wins over the branch's scheme; among those, the latest ``effective_from``, then the
    highest version. None when nothing is in force.
    """
    best = None
    best_key = None
    for s in schemes:
        if s.effective_from > month:
            continue
        if s.team_id is not None and s.team_id != team_id:
            continue
        key = (s.team_id is not None, s.effective_from, s.version, s.pk or 0)
        if best_key is None or key > best_key:
            best, best_key = s, key
    return best


# --- One person's month ----------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """The components of a scheme, as plain values."""

    brackets: tuple[Bracket, ...]
    min_performance_score: Decimal = ZERO
    low_performance_factor: Decimal = ONE
    new_account_bonus: Decimal = ZERO
    new_account_min_assets: Decimal = ZERO
    asset_rate: Decimal = ZERO
    attendance_deductions: bool = True
    override_rate: Decimal = ZERO
    holdback_rate: Decimal = ZERO
    holdback_release_revenue: Decimal = ZERO
    clawback: bool = True


@dataclass(frozen=True)
class Clawback:
    """An earlier month already paid whose revenue is lower in its current import."""

    month: dt.date
    paid_revenue: Decimal
    paid_commission: Decimal  # the signed run's commission line
    revenue_now: Decimal
    brackets: tuple[Bracket, ...]  # of the scheme that applied then
    factor: Decimal  # the low-performance factor that applied then (1 when none)
    already: Decimal = ZERO  # clawed back for that month by signed runs since


@dataclass
class PersonMonth:
    """Everything one person's pay of a month depends on."""

    has_figures: bool = False
    level: str = ""
    employment_type: str = ""
    base_pay: Decimal | None = None  # None: the scheme has no base pay for their level and type
    revenue: Decimal = ZERO
    avg_assets: Decimal = ZERO
    new_accounts: list[tuple[str, Decimal]] = field(default_factory=list)  # (client no, month-end assets)
    performance_score: Decimal | None = None  # the month's confirmed assessment, if any
    attendance: tuple[int, int, Decimal] | None = None  # (late/early count, beyond quota, deduction)
    led_teams: list[tuple[str, Decimal]] = field(default_factory=list)  # (team, revenue without own)
    quarter_end: bool = False
    quarter_revenue: Decimal = ZERO
    quarter_months: list[str] = field(default_factory=list)
    earlier_holdbacks: list[tuple[str, Decimal]] = field(default_factory=list)  # (month, amount withheld)
    clawbacks: list[Clawback] = field(default_factory=list)
    adjustments: list[tuple[int, Decimal, str]] = field(default_factory=list)  # (id, amount, reason)
    # Approved asset incident charges deducted this month (第十四条): (incident id, amount, reason).
    liabilities: list[tuple[int, Decimal, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Line:
    component: str
    amount: Decimal
    inputs: dict


def person_lines(p: PersonMonth, terms: Terms | None) -> list[Line]:
    """One person's pay lines (in slip order). Each amount is rounded once; nothing else is."""
    lines: list[Line] = []
    if terms is None:
        # No scheme in force: only the manual adjustments can be paid (and charges deducted).
        lines += _liabilities(p)
        lines += _adjustments(p)
        return lines
    if p.base_pay is not None:
        lines.append(Line(BASE, to_fen(p.base_pay), {"level": p.level, "employment_type": p.employment_type}))
    elif p.has_figures:
        lines.append(
            Line(BASE, to_fen(0), {"level": p.level, "employment_type": p.employment_type, "none": True})
        )
    paid_commission = None
    if p.has_figures:
        parts, gross = progressive(p.revenue, terms.brackets)
        factor = ONE
        inputs = {
            "revenue": money(p.revenue),
            "brackets": [x.as_inputs() for x in parts],
            "progressive": money(gross),
        }
        if terms.min_performance_score > 0 and terms.low_performance_factor != ONE:
            inputs["min_score"] = money(terms.min_performance_score)
            if p.performance_score is None:
                inputs["no_assessment"] = True
            else:
                inputs["score"] = money(p.performance_score)
                if p.performance_score < terms.min_performance_score:
                    factor = terms.low_performance_factor
        inputs["factor"] = money(factor)
        paid_commission = to_fen(gross * factor)
        lines.append(Line(COMMISSION, paid_commission, inputs))
    if p.new_accounts and terms.new_account_bonus > 0:
        qualified = [(no, a) for no, a in p.new_accounts if a >= terms.new_account_min_assets]
        others = [(no, a) for no, a in p.new_accounts if a < terms.new_account_min_assets]
        lines.append(
            Line(
                NEW_ACCOUNTS,
                to_fen(terms.new_account_bonus * len(qualified)),
                {
                    "new": len(p.new_accounts),
                    "qualified": len(qualified),
                    "bonus": money(terms.new_account_bonus),
                    "min_assets": money(terms.new_account_min_assets),
                    "qualified_accounts": [[no, money(a)] for no, a in qualified[:LISTED_ACCOUNTS]],
                    "other_accounts": [[no, money(a)] for no, a in others[:LISTED_ACCOUNTS]],
                },
            )
        )
    if p.has_figures and terms.asset_rate > 0:
        lines.append(
            Line(
                ASSETS,
                to_fen(p.avg_assets * terms.asset_rate),
                {"avg_assets": money(p.avg_assets), "rate": money(terms.asset_rate)},
            )
        )
    if terms.override_rate > 0:
        for team, team_revenue in p.led_teams:
            lines.append(
                Line(
                    OVERRIDE,
                    to_fen(max(ZERO, team_revenue) * terms.override_rate),
                    {"team": team, "team_revenue": money(team_revenue), "rate": money(terms.override_rate)},
                )
            )
    lines += _holdback(p, terms, paid_commission)
    if terms.clawback:
        lines += _clawbacks(p)
    if terms.attendance_deductions and p.attendance and p.attendance[2] > 0:
        count, excess, amount = p.attendance
        lines.append(
            Line(
                ATTENDANCE, -to_fen(amount), {"late_early": count, "excess": excess, "amount": money(amount)}
            )
        )
    lines += _liabilities(p)
    lines += _adjustments(p)
    return lines


def _holdback(p: PersonMonth, terms: Terms, paid_commission: Decimal | None) -> list[Line]:
    lines = []
    withheld = ZERO
    if terms.holdback_rate > 0 and paid_commission and paid_commission > 0:
        withheld = to_fen(paid_commission * terms.holdback_rate)
        lines.append(
            Line(
                HOLDBACK,
                -withheld,
                {"commission": money(paid_commission), "rate": money(terms.holdback_rate)},
            )
        )
    if not p.quarter_end:
        return lines
    earlier = sum((a for _m, a in p.earlier_holdbacks), ZERO)
    held = earlier + withheld
    if held <= 0:
        return lines
    released = p.quarter_revenue >= terms.holdback_release_revenue
    lines.append(
        Line(
            RELEASE,
            to_fen(held) if released else to_fen(0),
            {
                "held": money(held),
                "earlier": [[m, money(a)] for m, a in p.earlier_holdbacks],
                "this_month": money(withheld),
                "quarter_revenue": money(p.quarter_revenue),
                "quarter_months": p.quarter_months,
                "release_revenue": money(terms.holdback_release_revenue),
                "released": released,
            },
        )
    )
    return lines


def _clawbacks(p: PersonMonth) -> list[Line]:
    lines = []
    for c in sorted(p.clawbacks, key=lambda c: c.month):
        if c.revenue_now >= c.paid_revenue:
            continue
        corrected = commission(c.revenue_now, c.brackets, c.factor)
        due = c.paid_commission - corrected - c.already
        if due <= 0:
            continue
        lines.append(
            Line(
                CLAWBACK,
                -to_fen(due),
                {
                    "month": c.month.isoformat(),
                    "paid_revenue": money(c.paid_revenue),
                    "paid_commission": money(c.paid_commission),
                    "revenue_now": money(c.revenue_now),
                    "commission_now": money(corrected),
                    "factor": money(c.factor),
                    "already": money(c.already),
                },
            )
        )
    return lines


def _liabilities(p: PersonMonth) -> list[Line]:
    """One deduction line per approved asset charge (the assets module's incidents, 第十四条)."""
    return [
        Line(LIABILITY, -to_fen(amount), {"incident": pk, "amount": money(to_fen(amount)), "reason": reason})
        for pk, amount, reason in p.liabilities
        if amount > 0
    ]


def _adjustments(p: PersonMonth) -> list[Line]:
    return [
        Line(ADJUSTMENT, to_fen(amount), {"adjustment": pk, "reason": reason})
        for pk, amount, reason in p.adjustments
    ]


@dataclass(frozen=True)
class Totals:
    gross: Decimal  # earned: every positive component
    deductions: Decimal  # clawbacks, attendance, liability and negative adjustments (positive number)
    held_back: Decimal  # withheld until the quarter's end (positive number)
    total: Decimal  # what is paid: the sum of the lines


def totals(lines: Iterable[Line]) -> Totals:
    """The slip's columns from its rounded lines; ``total`` is always their plain sum."""
    gross = deductions = held = total = ZERO
    for line in lines:
        total += line.amount
        if line.component == HOLDBACK:
            held -= line.amount
        elif line.component in DEDUCTING or line.amount < 0:
            deductions -= line.amount
        else:
            gross += line.amount
    return Totals(gross, deductions, held, total)
