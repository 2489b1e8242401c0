"""Every write of work logs: a person's own log of a day, a lead's spot-check drawn at random
(weighted toward logs that look wrong, recorded with its seed), and each drawn log's result.

Two promises hold here and nowhere else: a log drawn into a check never changes, and a
result once recorded never changes (第五条(一): the check and its result are the record).
"""

import datetime as dt
import secrets
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.attendance.models import Outing
from brokerdesk.clients.models import Visit
from brokerdesk.org.models import Staff, Team
from brokerdesk.worklogs import rules
from brokerdesk.worklogs.models import Result, SpotCheck, SpotCheckItem, WorkLog

MAX_PERIOD_DAYS = 92  # a spot-check looks at recent logs: at most a quarter
# The person's earlier logs are compared too; COMPARE_WITH working days go back about this far.
LOOKBACK_DAYS = 45


def staff_of(user) -> Staff | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Staff.objects.filter(user=user).first()


# --- a person's own log ------------------------------------------------------------------------


@transaction.atomic
def worklog_save(
    *,
    actor,
    day: dt.date,
    work_done: str,
    tomorrow_plan: str,
    clients_contacted: str = "",
    visited: bool = False,
    staff: Staff | None = None,
) -> WorkLog:
    """Write the actor's log of ``day``, or change it if it exists and may still change.

    One log per person and day: a second log of a day edits the first (on its own day only,
    and never once it is drawn into a spot-check). Nobody writes someone else's log.
    """
    me = staff_of(actor)
    if me is None:
        raise PermissionDenied(_("Your login has no staff record, so you have no work log."))
    if staff is not None and staff.pk != me.pk:
        raise PermissionDenied(_("You may write only your own work log."))
    today = timezone.localdate()
    problem = rules.day_error(day, today)
    if problem == "future":
        raise ValidationError({"day": _("A work log cannot be written for a day that has not come yet.")})
    if problem == "too_old":
        raise ValidationError(
            {"day": _("A missed day can be written up to %(n)s days late.") % {"n": rules.BACKFILL_DAYS}}
        )
    values = {
        "work_done": (work_done or "").strip(),
        "tomorrow_plan": (tomorrow_plan or "").strip(),
        "clients_contacted": (clients_contacted or "").strip(),
        "visited": bool(visited),
    }
    # The row lock makes a concurrent draw wait (its new item references this row) or makes
    # us see the item it committed: a log is never changed after it has been drawn.
    log = WorkLog.objects.select_for_update(of=("self",)).filter(staff=me, day=day).first()
    if log is None:
        log = WorkLog(staff=me, day=day, **values)
        log.full_clean()
        try:
            with transaction.atomic():
                log.save()
            return log
        except IntegrityError:
            # A double-click: the first request wrote the day's log; this one edits it.
            log = WorkLog.objects.select_for_update(of=("self",)).get(staff=me, day=day)
    under_check = SpotCheckItem.objects.filter(log=log).exists()
    if not rules.is_editable(day=log.day, today=today, under_check=under_check):
        raise ValidationError(
            {
                "day": _("Your log of %(day)s has been drawn for a spot-check and can no longer be changed.")
                % {"day": log.day}
                if under_check
                else _("Your log of %(day)s was written already and can be changed only on its own day.")
                % {"day": log.day}
            }
        )
    for key, value in values.items():
        setattr(log, key, value)
    log.full_clean()
    log.save(update_fields=[*values, "updated_at"])
    return log


def log_may_change(log: WorkLog, *, user, today: dt.date | None = None) -> bool:
    """Whether ``user`` may still edit ``log`` (for the page's Edit button)."""
    if log.staff.user_id != getattr(user, "pk", None):
        return False
    under_check = any(True for _ in log.checks.all())
    return rules.is_editable(day=log.day, today=today or timezone.localdate(), under_check=under_check)


# --- spot-checks ------------------------------------------------------------------------------


def _check_team(actor, team: Team) -> None:
    if not visible(actor, Team, roles.SPOTCHECK).filter(pk=team.pk).exists():
        raise PermissionDenied(_("You may not spot-check this team's work logs."))


def _covered_days(outings) -> set[tuple[int, dt.date]]:
    """(person, day) pairs an approved outing form covers, by Beijing date."""
    covered = set()
    for staff_id, starts_at, ends_at in outings:
        day, last = timezone.localdate(starts_at), timezone.localdate(ends_at)
        while day <= last:
            covered.add((staff_id, day))
            day += dt.timedelta(days=1)
    return covered


def pool_for(*, team: Team, start: dt.date, end: dt.date, exclude_staff_id: int | None = None):
    """What a check of ``team``'s logs from ``start`` to ``end`` draws from.

    Returns ({log id: weight}, {log id: [reason dicts]}). Logs already drawn into a check
    and the checker's own logs are left out. Five queries whatever the team's size.
    """
    since = start - dt.timedelta(days=LOOKBACK_DAYS)
    logs = list(
        WorkLog.objects.filter(staff__team=team, day__range=(since, end))
        .values_list("id", "staff_id", "day", "work_done", "clients_contacted", "visited")
        .order_by("staff_id", "day")
    )
    people = {row[1] for row in logs}
    covered = _covered_days(
        Outing.objects.filter(
            staff_id__in=people,
            status="approved",
            starts_at__date__lte=end + dt.timedelta(days=1),
            ends_at__date__gte=since - dt.timedelta(days=1),
        ).values_list("staff_id", "starts_at", "ends_at")
    )
    # A visit logged in the client module names a client and records the visit of its day.
    visits = set(
        Visit.objects.filter(author_id__in=people, status=Visit.Status.DONE, visited_on__range=(since, end))
        .values_list("author_id", "visited_on")
        .distinct()
    )
    drawn = set(
        SpotCheckItem.objects.filter(log__staff__team=team, log__day__range=(start, end)).values_list(
            "log_id", flat=True
        )
    )
    by_person: dict[int, list[rules.LogFacts]] = defaultdict(list)
    for log_id, staff_id, day, text, clients, ticked in logs:
        by_person[staff_id].append(
            rules.LogFacts(
                id=log_id,
                day=day,
                text=text,
                names_client=bool(clients.strip()) or (staff_id, day) in visits,
                claims_visit=rules.claims_visit(text, ticked),
                has_outing=(staff_id, day) in covered or (staff_id, day) in visits,
            )
        )
    weights, reasons = {}, {}
    for staff_id, history in by_person.items():
        if staff_id == exclude_staff_id:
            continue
        found = rules.suspicions(history)
        for facts in history:
            if start <= facts.day <= end and facts.id not in drawn:
                weights[facts.id] = rules.weight(found[facts.id])
                reasons[facts.id] = [r.as_dict() for r in found[facts.id]]
    return weights, reasons


@transaction.atomic
def spotcheck_create(
    *,
    actor,
    team: Team,
    period_start: dt.date,
    period_end: dt.date,
    size: int | None = None,
    percent: int | None = None,
    seed: int | None = None,
) -> SpotCheck:
    """Draw a random sample of a team's logs of a period, by number or by percentage.

    The draw is weighted toward logs that look wrong (rules.suspicions); the seed and the
    pool are stored, so ``spotcheck_redraw`` repeats the draw exactly.
    """
    _check_team(actor, team)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if (size is None) == (percent is None):
        errors["size"] = _("Give either a number of logs or a percentage, not both.")
    elif size is not None and size < 1:
        errors["size"] = _("Draw at least one log.")
    elif percent is not None and not 1 <= percent <= 100:
        errors["percent"] = _("A percentage is between 1 and 100.")
    if period_end > today:
        errors["period_end"] = _("A check looks at logs already written: the period cannot end after today.")
    elif period_end < period_start:
        errors["period_end"] = _("The period ends before it starts.")
    elif (period_end - period_start).days >= MAX_PERIOD_DAYS:
        errors["period_start"] = _("A check looks at recent logs: at most %(n)s days.") % {
            "n": MAX_PERIOD_DAYS
        }
    if errors:
        raise ValidationError(errors)
    me = staff_of(actor)
    weights, reasons = pool_for(
        team=team, start=period_start, end=period_end, exclude_staff_id=me.pk if me else None
    )
    if not weights:
        raise ValidationError(
            {"period_start": _("This team has no unchecked logs in this period to draw from.")}
        )
    if size is not None and size > len(weights):
        raise ValidationError(
            {"size": _("Only %(n)s unchecked logs can be drawn in this period.") % {"n": len(weights)}}
        )
    k = rules.sample_size(len(weights), size=size, percent=percent)
    seed = secrets.randbelow(10**9) if seed is None else seed
    pool = sorted(weights.items())
    chosen = rules.draw(pool, k, seed)
    check = SpotCheck.objects.create(
        team=team,
        period_start=period_start,
        period_end=period_end,
        size=size,
        percent=percent,
        seed=seed,
        pool=[list(p) for p in pool],
        created_by=actor,
    )
    try:
        with transaction.atomic():
            SpotCheckItem.objects.bulk_create(
                SpotCheckItem(
                    spot_check=check,
                    log_id=log_id,
                    position=i,
                    weight=weights[log_id],
                    reasons=reasons[log_id],
                )
                for i, log_id in enumerate(chosen, start=1)
            )
    except IntegrityError:
        raise ValidationError(
            _("Another check drew some of these logs at the same moment. Draw again.")
        ) from None
    return check


def spotcheck_redraw(check: SpotCheck) -> list[int]:
    """The draw repeated from the stored pool and seed: the log ids in the order drawn."""
    pool = [(int(log_id), int(w)) for log_id, w in check.pool]
    return rules.draw(pool, check.items.count(), check.seed)


@transaction.atomic
def spotcheck_record(*, actor, item: SpotCheckItem, result: str, comment: str) -> SpotCheckItem:
    """Record the result of one drawn log (合格 / 不合格) with a comment. Once recorded, it stays."""
    if not visible(actor, SpotCheck, roles.SPOTCHECK).filter(pk=item.spot_check_id).exists():
        raise PermissionDenied(_("You may not record results of this spot-check."))
    if WorkLog.objects.filter(pk=item.log_id, staff__user=actor).exists():
        raise PermissionDenied(_("Nobody checks their own work log."))
    errors = {}
    if result not in Result.values:
        errors["result"] = _("Choose pass or fail.")
    if not (comment or "").strip():
        errors["comment"] = _("Write a comment: the author reads it.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # A conditional update, not read-then-save: two leads recording at once cannot both win.
    updated = SpotCheckItem.objects.filter(pk=item.pk, result="").update(
        result=result, comment=comment.strip(), checked_by=actor, checked_at=now
    )
    if updated != 1:
        raise ValidationError(_("This log's result is already recorded and does not change."))
    if not SpotCheckItem.objects.filter(spot_check_id=item.spot_check_id, result="").exists():
        SpotCheck.objects.filter(pk=item.spot_check_id, completed_at__isnull=True).update(completed_at=now)
    item.refresh_from_db()
    return item
