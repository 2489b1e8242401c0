"""Pay runs (第十五条): compute a branch's month from the statistics and the scheme in force.

``run_compute`` reads everything a month's pay depends on in a fixed number of queries (the
current import's statistics, people, levels, schemes, assessments, new accounts, attendance,
the quarter's holdbacks, earlier signed months for clawbacks, adjustments), hands each person's
figures to the pure rules (``rules_pay.person_lines``) and writes the run, one slip per person
and their lines in bulk. The query count does not grow with the number of people.

Recomputing a month that is only computed, reviewed or returned marks that run SUPERSEDED and
creates the next version (the old one is kept for the trail). A month being signed cannot be
recomputed; a signed month only through a correction (``corrects`` = the signed run, with a
reason), which is a new version too.
"""

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.core.money import ZERO, to_fen
from brokerdesk.core.templatetags.bd import yearmonth
from brokerdesk.org.models import Branch, Level, Staff, Team
from brokerdesk.performance import explain_pay, rules_pay
from brokerdesk.performance.models import (
    Assessment,
    ClientMonth,
    ManagerMonth,
    PayAdjustment,
    PayLine,
    PayRun,
    PayScheme,
    PaySlip,
)
from brokerdesk.performance.selectors import (
    add_months,
    current_import,
    levels_on,
    month_end,
    month_start,
    quarter_months,
)
from brokerdesk.performance.services_schemes import terms_of, with_terms

# Who can be paid without figures: the field positions (第十五条 pays client managers; team
# leads and regional managers are paid on the same scheme when they have figures, base pay or
# an override).
PAID_POSITIONS = (Staff.Position.CLIENT_MANAGER, Staff.Position.REGIONAL_MANAGER, Staff.Position.TEAM_LEAD)
# How far back a reversal of revenue already paid on is clawed back.
CLAWBACK_MONTHS = 12
BATCH = 1000
REPLACEABLE = (PayRun.Status.COMPUTED, PayRun.Status.REVIEWED, PayRun.Status.RETURNED)


def _check_branch(actor, branch: Branch, perm: str = roles.PAY_RUN) -> None:
    if not visible(actor, Branch, perm).filter(pk=branch.pk).exists():
        raise PermissionDenied(_("You may not run pay for this branch."))


def _month_label(month: dt.date) -> str:
    return yearmonth(month)


# --- versions ---------------------------------------------------------------------------------


def _next_version(branch, month, corrects, reason: str) -> tuple[int, int | None, str]:
    """Which version the new run gets, what it corrects and why; supersedes a replaceable run."""
    runs = list(
        PayRun.objects.filter(branch=branch, month=month)
        .order_by("-version")
        .values("pk", "version", "status", "corrects_id", "correction_reason")
    )
    live = [r for r in runs if r["status"] != PayRun.Status.SUPERSEDED]
    latest = live[0] if live else None
    if any(r["status"] == PayRun.Status.SIGNING for r in live):
        raise ValidationError(
            _(
                "The pay report of %(month)s is being signed; it cannot be recomputed unless a "
                "signer returns it."
            )
            % {"month": _month_label(month)}
        )
    corrects_id = getattr(corrects, "pk", corrects)
    reason = (reason or "").strip()
    if latest is None:
        if corrects_id:
            raise ValidationError({"corrects": _("Only a signed pay report can be corrected.")})
        return 1, None, ""
    if latest["status"] == PayRun.Status.SIGNED:
        if corrects_id != latest["pk"]:
            raise ValidationError(
                _(
                    "The pay report of %(month)s is signed and never changes; compute a correction "
                    "of it (with the reason) instead."
                )
                % {"month": _month_label(month)}
            )
        if not reason:
            raise ValidationError({"reason": _("Give the reason for the correction.")})
        return runs[0]["version"] + 1, latest["pk"], reason
    # Computed, reviewed or returned: the new version replaces it.
    expected = latest["corrects_id"]
    if corrects_id and corrects_id != expected:
        raise ValidationError(
            {"corrects": _("Only the latest signed pay report of the month can be corrected.")}
        )
    reason = reason or latest["correction_reason"]
    if expected and not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    moved = PayRun.objects.filter(pk=latest["pk"], status=latest["status"]).update(
        status=PayRun.Status.SUPERSEDED
    )
    if moved != 1:
        raise ValidationError(_("Someone else changed this pay run at the same time; reload and try again."))
    return runs[0]["version"] + 1, expected, reason


# --- collecting the month ------------------------------------------------------------------


@dataclass
class Person:
    pk: int
    name: str
    team_id: int | None
    employment_type: str
    position: str
    level_id: int | None  # their current level (a level change in force may differ)


def _latest_signed(branch, months) -> dict[dt.date, int]:
    """The latest signed run of each month: the basis of payment for that month."""
    found: dict[dt.date, int] = {}
    rows = (
        PayRun.objects.filter(branch=branch, month__in=months, status=PayRun.Status.SIGNED)
        .order_by("month", "-version")
        .values_list("month", "pk")
    )
    for m, pk in rows:
        found.setdefault(m, pk)
    return found


def _people(branch, month, stat_ids, other_ids) -> dict[int, Person]:
    first, last = month, month_end(month)
    fields = ("pk", "name", "team_id", "employment_type", "position", "level_id")
    active = (
        Staff.objects.filter(branch=branch, position__in=PAID_POSITIONS)
        .exclude(status=Staff.Status.CANDIDATE)
        .filter(Q(hired_on__isnull=True) | Q(hired_on__lte=last))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .values_list(*fields)
    )
    people = {row[0]: Person(*row) for row in active}
    missing = (set(stat_ids) | set(other_ids)) - set(people)
    if missing:
        people.update(
            {row[0]: Person(*row) for row in Staff.objects.filter(pk__in=missing).values_list(*fields)}
        )
    return people


def _attendance(branch, month, ids) -> dict[int, tuple[int, int, Decimal]]:
    # The attendance module's own late/early figures (those of its month sheet), for exactly
    # the people being paid. Its scoped ``deductions(user=…)`` is not used: the chief accountant
    # who runs pay holds no attendance scope, so it would silently return nothing and nobody
    # would be deducted.
    from brokerdesk.attendance.selectors import late_early

    found = late_early(staff_ids=ids, month=month, branch_id=branch.pk)
    return {pk: figures for pk, figures in found.items() if figures[2]}


def _collect(branch, month: dt.date, imp) -> dict:
    """Every person's month: {staff_id: (Person, PersonMonth, scheme, level_id, Terms, team_id)}."""
    stats = {
        row["staff_id"]: row
        for row in ManagerMonth.objects.filter(branch=branch, month=month).values(
            "staff_id", "team_id", "net_revenue", "avg_assets"
        )
    }
    adjustments = defaultdict(list)
    for pk, staff_id, amount, reason in (
        PayAdjustment.objects.filter(branch=branch, month=month)
        .order_by("id")
        .values_list("pk", "staff_id", "amount", "reason")
    ):
        adjustments[staff_id].append((pk, amount, reason))
    # Approved asset charges of the month (第十四条), for the branch's people.
    from brokerdesk.assets.services_assets import charge_lines_for

    liabilities = charge_lines_for(Staff.objects.filter(branch=branch).values("pk"), month)
    people = _people(branch, month, stats, set(adjustments) | set(liabilities))
    ids = list(people)
    levels = levels_on(ids, month, current={pk: p.level_id for pk, p in people.items()})
    level_names = dict(Level.objects.values_list("pk", "name"))
    schemes = list(with_terms(PayScheme.objects.filter(branch=branch, status=PayScheme.Status.APPROVED)))
    by_id = {s.pk: s for s in schemes}
    in_force = [s for s in schemes if s.effective_from <= month]
    scores = dict(
        Assessment.objects.filter(
            branch=branch,
            period=Assessment.Period.MONTH,
            starts_on=month,
            status=Assessment.Status.CONFIRMED,
        ).values_list("staff_id", "performance_score")
    )
    new_accounts = defaultdict(list)
    for opener_id, client_no, end_assets in (
        ClientMonth.objects.filter(crm_import=imp, branch=branch, is_new=True, opener__isnull=False)
        .order_by("line")
        .values_list("opener_id", "client__client_no", "end_assets")
    ):
        new_accounts[opener_id].append((client_no, end_assets))
    team_revenue: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for s in stats.values():
        team_revenue[s["team_id"]] += s["net_revenue"]
    led = defaultdict(list)
    for team_id, team_name, lead_id in Team.objects.filter(branch=branch, lead__isnull=False).values_list(
        "pk", "name", "lead_id"
    ):
        own = stats.get(lead_id)
        own_revenue = own["net_revenue"] if own and own["team_id"] == team_id else ZERO
        led[lead_id].append((team_name, team_revenue[team_id] - own_revenue))
    quarter = _quarter(branch, month, stats)
    clawbacks = _clawbacks(branch, month, by_id)

    scheme_of = {}
    for pk, person in people.items():
        stat = stats.get(pk)
        team_id = stat["team_id"] if stat else person.team_id
        scheme_of[pk] = rules_pay.pick_scheme(in_force, team_id, month)
    unschemed = [people[pk].name for pk in stats if scheme_of.get(pk) is None]
    if unschemed:
        raise ValidationError(
            _(
                "No approved pay scheme is in force in %(month)s for: %(names)s. Approve a scheme for "
                "their team or branch first."
            )
            % {"month": _month_label(month), "names": "、".join(unschemed[:10])}
        )
    attendance = {}
    if any(s is not None and s.attendance_deductions for s in scheme_of.values()):
        attendance = _attendance(branch, month, ids)
    terms_cache = {}
    base_pays: dict[int, dict[tuple[int, str], Decimal]] = {}
    result = {}
    for pk, person in people.items():
        scheme = scheme_of[pk]
        if scheme is not None and scheme.pk not in terms_cache:
            terms_cache[scheme.pk] = terms_of(scheme)
            amounts = base_pays[scheme.pk] = {}
            for b in scheme.base_pays.all():  # the first one of a level and type counts
                amounts.setdefault((b.level_id, b.employment_type), b.amount)
        terms = terms_cache.get(scheme.pk) if scheme else None
        stat = stats.get(pk)
        level_id = levels.get(pk)
        base = None
        if scheme is not None and level_id:
            base = base_pays[scheme.pk].get((level_id, person.employment_type))
        q_revenue, q_months, q_held = quarter.get(pk, (ZERO, [], []))
        p = rules_pay.PersonMonth(
            has_figures=stat is not None,
            level=level_names.get(level_id, ""),
            employment_type=person.employment_type,
            base_pay=base if base else None,
            revenue=stat["net_revenue"] if stat else ZERO,
            avg_assets=stat["avg_assets"] if stat else ZERO,
            new_accounts=new_accounts.get(pk, []),
            performance_score=scores.get(pk),
            attendance=attendance.get(pk),
            led_teams=led.get(pk, []),
            quarter_end=month == quarter_months(month)[-1],
            quarter_revenue=q_revenue + (stat["net_revenue"] if stat else ZERO),
            quarter_months=[*q_months, month.isoformat()] if stat else q_months,
            earlier_holdbacks=q_held,
            clawbacks=clawbacks.get(pk, []),
            adjustments=adjustments.get(pk, []),
            liabilities=liabilities.get(pk, []),
        )
        result[pk] = (person, p, scheme, level_id, terms, stat["team_id"] if stat else person.team_id)
    return result


def _quarter(branch, month, stats) -> dict[int, tuple[Decimal, list[str], list[tuple[str, Decimal]]]]:
    """For the quarter's last month: each person's revenue of the quarter's earlier months (current
    imports) and what earlier signed runs of the quarter held back."""
    months = quarter_months(month)
    if month != months[-1]:
        return {}
    earlier = months[:-1]
    found: dict[int, list] = defaultdict(lambda: [ZERO, [], []])
    for staff_id, m, revenue in ManagerMonth.objects.filter(branch=branch, month__in=earlier).values_list(
        "staff_id", "month", "net_revenue"
    ):
        found[staff_id][0] += revenue
        found[staff_id][1].append(m.isoformat())
    signed = _latest_signed(branch, earlier)
    if signed:
        for staff_id, m, amount in (
            PayLine.objects.filter(run_id__in=signed.values(), component=PayLine.Component.HOLDBACK)
            .order_by("run__month", "id")
            .values_list("staff_id", "run__month", "amount")
        ):
            found[staff_id][2].append((m.isoformat(), -amount))
    return {k: (v[0], sorted(v[1]), v[2]) for k, v in found.items()}


def _clawbacks(branch, month, schemes_by_id) -> dict[int, list[rules_pay.Clawback]]:
    """Earlier months already paid (their latest signed run) whose revenue is now lower."""
    window = [add_months(month, -i) for i in range(CLAWBACK_MONTHS, 0, -1)]
    signed = _latest_signed(branch, window)
    if not signed:
        return {}
    paid = list(
        PayLine.objects.filter(
            run_id__in=signed.values(), component=PayLine.Component.COMMISSION
        ).values_list("staff_id", "run__month", "amount", "inputs", "slip__scheme_id")
    )
    already: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for staff_id, inputs, amount in PayLine.objects.filter(
        run_id__in=signed.values(), component=PayLine.Component.CLAWBACK
    ).values_list("staff_id", "inputs", "amount"):
        already[(staff_id, inputs.get("month"))] += -amount
    now = {
        (staff_id, m): revenue
        for staff_id, m, revenue in ManagerMonth.objects.filter(
            branch=branch, month__in=list(signed)
        ).values_list("staff_id", "month", "net_revenue")
    }
    missing = {sid for *_x, sid in paid if sid and sid not in schemes_by_id}
    if missing:
        schemes_by_id.update({s.pk: s for s in with_terms(PayScheme.objects.filter(pk__in=missing))})
    found = defaultdict(list)
    for staff_id, m, amount, inputs, scheme_id in paid:
        paid_revenue = Decimal(inputs.get("revenue", "0"))
        revenue_now = now.get((staff_id, m), ZERO)
        if revenue_now >= paid_revenue or scheme_id not in schemes_by_id:
            continue
        found[staff_id].append(
            rules_pay.Clawback(
                month=m,
                paid_revenue=paid_revenue,
                paid_commission=amount,
                revenue_now=revenue_now,
                brackets=terms_of(schemes_by_id[scheme_id]).brackets,
                factor=Decimal(inputs.get("factor", "1")),
                already=already[(staff_id, m.isoformat())],
            )
        )
    return found


def _refuse_if_clawed_back(branch, month) -> None:
    """A reversal is settled once: either a later signed month clawed it back, or the month is
    corrected — never both, or the reversed revenue would be taken back twice."""
    later = (
        PayLine.objects.filter(
            run__branch=branch,
            run__status=PayRun.Status.SIGNED,
            run__month__gt=month,
            component=PayLine.Component.CLAWBACK,
            inputs__month=month.isoformat(),
        )
        .values_list("run__month", flat=True)
        .first()
    )
    if later is not None:
        raise ValidationError(
            _(
                "The reversed revenue of %(month)s was already clawed back in the signed pay of "
                "%(later)s; correcting %(month)s as well would take it back twice."
            )
            % {"month": _month_label(month), "later": _month_label(later)}
        )


# --- the run ---------------------------------------------------------------------------------


def run_compute(*, actor, branch, month: dt.date, corrects=None, reason: str = "") -> PayRun:
    """Compute the branch's pay of ``month`` (a new run version) from its current import.

    Refused: without ``pay.run`` on the branch; without imported figures for the month; while
    the month's report is being signed; for a signed month unless ``corrects`` is its signed
    run and a reason is given; when someone with figures has no approved scheme in force.
    """
    _check_branch(actor, branch)
    month = month_start(month)
    imp = current_import(branch, month)
    if imp is None:
        raise ValidationError(
            {
                "month": _(
                    "No CRM figures are imported for %(branch)s in %(month)s; import the month's file "
                    "before running pay."
                )
                % {"branch": branch.name, "month": _month_label(month)}
            }
        )
    try:
        with transaction.atomic():
            version, corrects_id, reason = _next_version(branch, month, corrects, reason)
            if corrects_id:
                _refuse_if_clawed_back(branch, month)
            slips, lines_of = _compute(_collect(branch, month, imp))
            run = PayRun.objects.create(
                branch=branch,
                month=month,
                version=version,
                corrects_id=corrects_id,
                correction_reason=reason[:300],
                status=PayRun.Status.COMPUTED,
                crm_import=imp,
                computed_by=actor,
                computed_at=timezone.now(),
                total=sum((s[6] for s in slips), ZERO),
                people=len(slips),
            )
            _write(run, slips, lines_of)
    except IntegrityError:
        raise ValidationError(
            _("Someone else computed this month at the same time; reload to see their run.")
        ) from None
    return run


SLIP_COLUMNS = (
    "run_id",
    "staff_id",
    "team_id",
    "scheme_id",
    "level_id",
    "gross",
    "deductions",
    "total",
    "held_back",
)
LINE_COLUMNS = ("run_id", "slip_id", "staff_id", "order", "component", "inputs", "explanation", "amount")


# The stored text of JSON (json.dumps with an option builds a new encoder on every call).
_json = json.JSONEncoder(ensure_ascii=False).encode


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Many rows in one statement per batch of BATCH rows (building 30,000 model instances for
    bulk_create and adapting each value took most of a 5,000-person run).

    The values are plain JSON values: money as strings, a JSON column's value as a dict.
    PostgreSQL: the batch goes as one JSON array that the server turns into rows of the table's
    own column types (``jsonb_populate_recordset``); executemany, even pipelined, sent a
    statement per row and took three times as long. Elsewhere (SQLite): executemany, the JSON
    columns dumped to text.
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    table, names = qn(model._meta.db_table), ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (
                f"INSERT INTO {table} ({names}) "  # noqa: S608
                f"SELECT {names} FROM jsonb_populate_recordset(NULL::{table}, %s)"
            )
            for start in range(0, len(rows), BATCH):
                batch = [dict(zip(columns, row, strict=True)) for row in rows[start : start + BATCH]]
                cursor.execute(sql, [_json(batch)])
            return
        dumped = [i for i, c in enumerate(columns) if isinstance(model._meta.get_field(c), JSONField)]
        for i in dumped:
            rows = [(*row[:i], _json(row[i]), *row[i + 1 :]) for row in rows]
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _compute(collected: dict) -> tuple[list[tuple], dict[int, list[rules_pay.Line]]]:
    """Every person's lines by the rules, and their slip's columns (without the run): the
    slips with lines, in staff order, and {staff_id: lines}."""
    slips, lines_of = [], {}
    for pk, (_person, p, scheme, level_id, terms, team_id) in sorted(collected.items()):
        lines = rules_pay.person_lines(p, terms)
        if not lines:
            continue
        t = rules_pay.totals(lines)
        slips.append(
            (
                pk,
                team_id,
                scheme.pk if scheme else None,
                level_id,
                t.gross,
                t.deductions,
                t.total,
                t.held_back,
            )
        )
        lines_of[pk] = lines
    return slips, lines_of


def _write(run: PayRun, slips: list[tuple], lines_of: dict[int, list[rules_pay.Line]]) -> None:
    run_id = run.pk
    _insert(PaySlip, SLIP_COLUMNS, [(run_id, *slip[:4], *map(str, slip[4:])) for slip in slips])
    slip_ids = dict(PaySlip.objects.filter(run=run).values_list("staff_id", "pk"))
    formula = explain_pay.formula
    rows = []
    for staff_id, lines in lines_of.items():
        slip_id = slip_ids[staff_id]
        for order, line in enumerate(lines, start=1):
            rows.append(
                (
                    run_id,
                    slip_id,
                    staff_id,
                    order,
                    line.component,
                    line.inputs,
                    formula(line.component, line.inputs, line.amount)[:500],
                    str(line.amount),
                )
            )
    _insert(PayLine, LINE_COLUMNS, rows)


# --- adjustments ----------------------------------------------------------------------------


@transaction.atomic
def adjustment_add(*, actor, branch, month: dt.date, staff, amount, reason: str) -> PayAdjustment:
    """A manual adjustment with its reason (not zero), applied by the month's next computation."""
    _check_branch(actor, branch)
    errors: dict[str, list[str]] = {}
    if staff is None:
        errors["staff"] = [_("Choose the person.")]
    elif staff.branch_id != branch.pk:
        errors["staff"] = [_("This person does not work in this branch.")]
    if amount is None:
        errors["amount"] = [_("Give the amount.")]
    else:
        amount = Decimal(str(amount))
        if amount == 0:
            errors["amount"] = [_("An adjustment of zero changes nothing; give an amount.")]
        elif to_fen(amount) != amount:
            errors["amount"] = [_("Give the amount in yuan and fen (two decimals at most).")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the adjustment.")]
    if errors:
        raise ValidationError(errors)
    adjustment = PayAdjustment(
        branch=branch,
        month=month_start(month),
        staff=staff,
        amount=amount,
        reason=reason.strip(),
        created_by=actor,
    )
    adjustment.full_clean(exclude=["created_by"])
    adjustment.save()
    return adjustment


# --- reads -------------------------------------------------------------------------------------


def slip_list(*, user) -> QuerySet[PaySlip]:
    """Slips the user may see: their own, and the branch's for ``pay.view`` holders."""
    return visible(user, PaySlip).select_related("run", "staff", "team")


def my_slips(*, user) -> QuerySet[PaySlip]:
    """The user's own slips of runs still in force (superseded computations left out)."""
    return (
        PaySlip.objects.filter(staff__user=user)
        .exclude(run__status=PayRun.Status.SUPERSEDED)
        .select_related("run", "run__branch")
        .order_by("-run__month", "-run__version")
    )


def slip_get(*, user, pk) -> PaySlip:
    qs = slip_list(user=user).select_related("run__branch", "scheme", "level", "run__corrects")
    return get_for_user(user, qs, pk)


def slip_lines(slip: PaySlip) -> list[PayLine]:
    return list(slip.lines.order_by("order", "id"))


def adjustment_list(*, user) -> QuerySet[PayAdjustment]:
    return visible(user, PayAdjustment).select_related("staff", "branch", "created_by__staff")
