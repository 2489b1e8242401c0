"""How a pay line reads: "why is my commission ¥X".

A line stores its structured inputs (JSON); the sentence is made here at display time, in
the reader's language, so a slip computed in Chinese reads in English for an English user.
``formula`` is the language-neutral arithmetic stored on the line (``PayLine.explanation``)
for exports and the audit trail.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from brokerdesk.core.money import format_rmb
from brokerdesk.core.templatetags.bd import yearmonth
from brokerdesk.performance import rules_pay as r


def pct(rate) -> str:
    """A share as a percentage: 0.150000 → 15%, 0.000200 → 0.02%."""
    value = (Decimal(str(rate)) * 100).normalize()
    text = f"{value:f}"
    return f"{text}%"


def _d(value) -> Decimal:
    return Decimal(str(value))


def _plain(value) -> str:
    """A number without trailing zeros beyond the fen (for formulas)."""
    return f"{_d(value):f}"


def _month(iso: str) -> str:
    import datetime as dt

    return yearmonth(dt.date.fromisoformat(iso))


def _employment(value: str) -> str:
    from brokerdesk.org.models import Staff

    return dict(Staff.EmploymentType.choices).get(value, value)


def formula(component: str, inputs: dict, amount) -> str:
    """The arithmetic of a line in numbers only: ``50000.00×10% + 20000.00×15% = 8000.00``."""
    i = inputs
    if component == r.COMMISSION:
        parts = [f"{_plain(b['part'])}×{pct(b['rate'])}" for b in i.get("brackets", []) if _d(b["part"]) > 0]
        text = " + ".join(parts) or "0"
        if _d(i.get("factor", "1")) != 1:
            text = f"({text})×{_plain(i['factor'])}"
        return f"{text} = {amount}"
    if component == r.NEW_ACCOUNTS:
        return f"{i['qualified']}×{i['bonus']} = {amount}"
    if component == r.ASSETS:
        return f"{i['avg_assets']}×{pct(i['rate'])} = {amount}"
    if component == r.OVERRIDE:
        return f"{i['team_revenue']}×{pct(i['rate'])} = {amount}"
    if component == r.HOLDBACK:
        return f"-{i['commission']}×{pct(i['rate'])} = {amount}"
    if component == r.RELEASE:
        return (
            f"{i['held']} = {amount}"
            if i.get("released")
            else f"{i['quarter_revenue']} < {i['release_revenue']}: 0"
        )
    if component == r.CLAWBACK:
        return f"-({i['paid_commission']} - {i['commission_now']} - {i['already']}) = {amount}"
    return f"{amount}"


def sentence(component: str, inputs: dict) -> str:
    """The line in words, in the current language."""
    i = inputs
    if component == r.BASE:
        level = i.get("level") or _("no level")
        values = {"level": level, "type": _employment(i.get("employment_type", ""))}
        if i.get("none"):
            return _("The scheme has no base pay for level %(level)s (%(type)s).") % values
        return _("Base pay of level %(level)s (%(type)s).") % values
    if component == r.COMMISSION:
        text = _("Net revenue of your clients %(revenue)s, commission by the brackets below: %(amount)s.") % {
            "revenue": format_rmb(i["revenue"]),
            "amount": format_rmb(i["progressive"]),
        }
        if i.get("no_assessment"):
            text += " " + _("There is no confirmed monthly assessment, so the full commission is paid.")
        elif "score" in i and _d(i["factor"]) != 1:
            text += " " + _(
                "Your monthly performance score %(score)s is below %(min)s, so the commission is "
                "multiplied by %(factor)s."
            ) % {"score": i["score"], "min": i["min_score"], "factor": _plain(i["factor"])}
        elif "score" in i:
            text += " " + _("Your monthly performance score %(score)s reaches %(min)s: full commission.") % {
                "score": i["score"],
                "min": i["min_score"],
            }
        return text
    if component == r.NEW_ACCOUNTS:
        return _(
            "%(qualified)s of your %(new)s new accounts have month-end assets of at least %(min)s: "
            "%(qualified)s × %(bonus)s."
        ) % {
            "qualified": i["qualified"],
            "new": i["new"],
            "min": format_rmb(i["min_assets"]),
            "bonus": format_rmb(i["bonus"]),
        }
    if component == r.ASSETS:
        return _("Average daily assets of your clients %(assets)s × %(rate)s.") % {
            "assets": format_rmb(i["avg_assets"]),
            "rate": pct(i["rate"]),
        }
    if component == r.OVERRIDE:
        return _(
            "Override on team %(team)s: the team's net revenue without your own, %(revenue)s × %(rate)s."
        ) % {
            "team": i["team"],
            "revenue": format_rmb(i["team_revenue"]),
            "rate": pct(i["rate"]),
        }
    if component == r.HOLDBACK:
        return _(
            "%(rate)s of this month's commission %(commission)s is held back until the quarter's end."
        ) % {
            "rate": pct(i["rate"]),
            "commission": format_rmb(i["commission"]),
        }
    if component == r.RELEASE:
        values = {
            "revenue": format_rmb(i["quarter_revenue"]),
            "floor": format_rmb(i["release_revenue"]),
            "held": format_rmb(i["held"]),
        }
        if i.get("released"):
            return (
                _(
                    "The quarter's net revenue %(revenue)s reached %(floor)s: "
                    "the %(held)s held back this quarter is paid."
                )
                % values
            )
        return (
            _(
                "The quarter's net revenue %(revenue)s is below %(floor)s: "
                "the %(held)s held back this quarter is not paid."
            )
            % values
        )
    if component == r.CLAWBACK:
        text = _(
            "The net revenue of %(month)s was %(paid_revenue)s when it was paid and is now %(revenue_now)s: "
            "commission paid %(paid)s, due on the corrected revenue %(now)s."
        ) % {
            "month": _month(i["month"]),
            "paid_revenue": format_rmb(i["paid_revenue"]),
            "revenue_now": format_rmb(i["revenue_now"]),
            "paid": format_rmb(i["paid_commission"]),
            "now": format_rmb(i["commission_now"]),
        }
        if _d(i.get("already", "0")) > 0:
            text += " " + _("%(already)s of it was clawed back before.") % {
                "already": format_rmb(i["already"])
            }
        return text
    if component == r.ATTENDANCE:
        return _(
            "%(count)s late arrivals or early departures, %(excess)s beyond the free ones: "
            "%(amount)s deducted."
        ) % {
            "count": i["late_early"],
            "excess": i["excess"],
            "amount": format_rmb(i["amount"]),
        }
    if component == r.ADJUSTMENT:
        return i.get("reason", "")
    if component == r.LIABILITY:
        return i.get("reason", "")
    return ""


def exact(value) -> str:
    """An unrounded amount for display: thousands separated, at least two decimals, no trailing
    zeros beyond (16913.46 × 0.2 shows as 3,382.692)."""
    d = _d(value).normalize()
    if d.as_tuple().exponent > -2:
        d = d.quantize(Decimal("0.01"))
    return f"{d:,f}"


def bracket_rows(inputs: dict) -> list[dict]:
    """The commission line's brackets as table rows: from, up to, rate, part, amount."""
    return [
        {
            "lower": _d(b["lower"]),
            "upper": None if b["upper"] is None else _d(b["upper"]),
            "rate": pct(b["rate"]),
            "part": _d(b["part"]),
            "amount": _d(b["amount"]),
            "amount_text": exact(b["amount"]),
        }
        for b in inputs.get("brackets", [])
    ]
