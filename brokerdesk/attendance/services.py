"""Every write of attendance: punches (idempotent, server time), the recorder's hand entries,
leave, missed-punch corrections and outing forms through the approval engine, outing
checks and patrols."""

import datetime as dt
import random
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import can, visible
from brokerdesk.approvals.models import Request
from brokerdesk.approvals.registry import SUBJECT_STATUS, on_status_change
from brokerdesk.approvals.services import request_submit
from brokerdesk.attendance.calendar import exceptions_for, working_days_between
from brokerdesk.attendance.models import (
    DailyRecord,
    LeaveRequest,
    LeaveType,
    Outing,
    Patrol,
    Policy,
    PunchCorrection,
    Workflow,
)
from brokerdesk.org.models import Staff

ACTIVE = (Workflow.IN_APPROVAL, Workflow.APPROVED)


def staff_of(user) -> Staff:
    staff = Staff.objects.filter(user=user).select_related("team", "branch", "outlet").first()
    if staff is None:
        raise PermissionDenied(_("Your login has no staff record."))
    return staff


def policy_for(branch_id: int | None) -> Policy:
    return (
        Policy.objects.filter(branch_id=branch_id).first()
        or Policy.objects.filter(branch__isnull=True).first()
        or Policy()
    )


# --- punches --------------------------------------------------------------------------------


@transaction.atomic
def check_in(*, actor, now: dt.datetime | None = None) -> DailyRecord:
    """One tap: the server's time, the person's outlet. A second tap changes nothing."""
    staff = staff_of(actor)
    now = now or timezone.now()
    day = timezone.localdate(now)
    try:
        with transaction.atomic():
            record, created = DailyRecord.objects.get_or_create(
                staff=staff,
                day=day,
                defaults={"outlet_id": staff.outlet_id, "check_in": now, "updated_by": actor},
            )
    except IntegrityError:  # a simultaneous first tap created it
        record, created = DailyRecord.objects.get(staff=staff, day=day), False
    # The day may exist without a check-in (e.g. entered by hand): only the first tap counts,
    # even under a burst, hence the conditional update; then one save for the trail.
    first_tap = not created and record.check_in is None
    pending = DailyRecord.objects.filter(pk=record.pk, check_in__isnull=True)
    if first_tap and pending.update(check_in=now, updated_by=actor):
        record.refresh_from_db()
        record._history_user = actor
        record.save(update_fields=["updated_at"])
    return record


@transaction.atomic
def check_out(*, actor, now: dt.datetime | None = None) -> DailyRecord:
    """Check-out needs a check-in first; a later check-out replaces an earlier one (the last
    one counts, so leaving after a short errand still ends the day right)."""
    staff = staff_of(actor)
    now = now or timezone.now()
    record = DailyRecord.objects.filter(staff=staff, day=timezone.localdate(now)).first()
    if record is None or record.check_in is None:
        raise ValidationError(_("Check in first: there is no check-in today."))
    record.check_out = now
    record.updated_by = actor
    record._history_user = actor
    record.save(update_fields=["check_out", "updated_by", "updated_at"])
    return record


@transaction.atomic
def record_by_hand(
    *, actor, staff: Staff, day: dt.date, check_in: dt.time | None, check_out: dt.time | None, note: str
) -> DailyRecord:
    """The attendance recorder keeps the daily sheet by hand; the trail keeps every version."""
    if not can(actor, roles.ATTENDANCE_RECORD, staff):
        raise PermissionDenied(_("You may not keep this person's attendance."))
    if not note.strip():
        raise ValidationError({"note": _("Say why the record is entered by hand.")})
    if day > timezone.localdate():
        raise ValidationError({"day": _("Attendance cannot be recorded for a future day.")})
    tz = timezone.get_current_timezone()
    cin = dt.datetime.combine(day, check_in, tzinfo=tz) if check_in else None
    cout = dt.datetime.combine(day, check_out, tzinfo=tz) if check_out else None
    if cin and cout and cout < cin:
        raise ValidationError({"check_out": _("Check-out cannot be before check-in.")})
    record = DailyRecord.objects.filter(staff=staff, day=day).first() or DailyRecord(staff=staff, day=day)
    record.outlet_id = record.outlet_id or staff.outlet_id
    record.check_in, record.check_out = cin, cout
    record.source = DailyRecord.Source.RECORDER
    record.note = note
    record.updated_by = actor
    record._history_user = actor
    record.save()
    return record


# --- leave ------------------------------------------------------------------------------------


@transaction.atomic
def leave_request(
    *, actor, leave_type: LeaveType, starts_on: dt.date, ends_on: dt.date, reason: str
) -> LeaveRequest:
    """Ask for leave before it starts (第八条(五)); asked later or with less notice than the type
    needs, it is still possible but marked late. Approved by the team lead; longer leave
    adds steps (the flow decides)."""
    staff = staff_of(actor)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    overlapping = LeaveRequest.objects.filter(
        staff=staff, status__in=ACTIVE, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if overlapping:
        raise ValidationError(
            {
                "starts_on": _("This overlaps your leave from %(a)s to %(b)s.")
                % {"a": overlapping.starts_on, "b": overlapping.ends_on}
            }
        )
    days = Decimal(
        working_days_between(starts_on, ends_on, exceptions_for(staff.branch_id, starts_on, ends_on))
    )
    if days <= 0:
        raise ValidationError({"ends_on": _("These dates hold no working day.")})
    if leave_type.annual_days is not None:
        used = sum(
            (
                lr.days
                for lr in LeaveRequest.objects.filter(
                    staff=staff, leave_type=leave_type, status__in=ACTIVE, starts_on__year=starts_on.year
                )
            ),
            Decimal(0),
        )
        if used + days > leave_type.annual_days:
            raise ValidationError(
                {
                    "leave_type": _("Only %(left)s days of %(type)s are left this year.")
                    % {"left": leave_type.annual_days - used, "type": leave_type.name}
                }
            )
    today = timezone.localdate()
    leave = LeaveRequest.objects.create(
        staff=staff,
        leave_type=leave_type,
        starts_on=starts_on,
        ends_on=ends_on,
        days=days,
        reason=reason,
        is_late=(starts_on - today).days < leave_type.notice_days,
    )
    flow = "leave_lead" if staff.position == Staff.Position.TEAM_LEAD else leave_type.flow_code
    leave.approval = request_submit(
        actor=actor,
        flow_code=flow,
        subject=leave,
        title=_("%(name)s: %(type)s %(a)s–%(b)s (%(days)s days)")
        % {"name": staff.name, "type": leave_type.name, "a": starts_on, "b": ends_on, "days": days},
        branch=staff.branch,
        team=staff.team,
        figures={"days": days},
    )
    leave.save(update_fields=["approval"])
    return leave


def _follow(model):
    def handler(*, request: Request, status: str) -> None:
        new = SUBJECT_STATUS[status]
        model.objects.filter(pk=request.subject_id).update(status=new)
        if model is PunchCorrection and new == Workflow.APPROVED:
            _apply_correction(PunchCorrection.objects.get(pk=request.subject_id), request)

    return handler


on_status_change("attendance.LeaveRequest")(_follow(LeaveRequest))
on_status_change("attendance.Outing")(_follow(Outing))
on_status_change("attendance.PunchCorrection")(_follow(PunchCorrection))


# --- missed punches ----------------------------------------------------------------------------


@transaction.atomic
def correction_request(*, actor, day: dt.date, kind: str, at: dt.time, reason: str) -> PunchCorrection:
    staff = staff_of(actor)
    if day > timezone.localdate():
        raise ValidationError({"day": _("A missed punch cannot be in the future.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the missed punch.")})
    limit = policy_for(staff.branch_id).corrections_per_month
    used = PunchCorrection.objects.filter(
        staff=staff, day__year=day.year, day__month=day.month, status__in=ACTIVE
    ).count()
    if used >= limit:
        raise ValidationError(_("You have used all %(n)s corrections for this month.") % {"n": limit})
    record = DailyRecord.objects.filter(staff=staff, day=day).first()
    original = getattr(record, "check_in" if kind == PunchCorrection.Kind.CHECK_IN else "check_out", None)
    correction = PunchCorrection.objects.create(
        staff=staff, day=day, kind=kind, at=at, reason=reason, original=original
    )
    correction.approval = request_submit(
        actor=actor,
        flow_code="punch_correction",
        subject=correction,
        title=_("%(name)s: missed punch on %(day)s") % {"name": staff.name, "day": day},
        branch=staff.branch,
        team=staff.team,
    )
    correction.save(update_fields=["approval"])
    return correction


def _apply_correction(correction: PunchCorrection, request: Request) -> None:
    tz = timezone.get_current_timezone()
    moment = dt.datetime.combine(correction.day, correction.at, tzinfo=tz)
    record = DailyRecord.objects.filter(staff=correction.staff, day=correction.day).first()
    if record is None:
        record = DailyRecord(staff=correction.staff, day=correction.day, outlet_id=correction.staff.outlet_id)
    setattr(record, "check_in" if correction.kind == PunchCorrection.Kind.CHECK_IN else "check_out", moment)
    record.source = DailyRecord.Source.CORRECTION
    record.note = _("Missed punch approved: %(reason)s") % {"reason": correction.reason}
    record._history_user = request.actions.order_by("-at").first().actor
    record.save()


# --- outings ------------------------------------------------------------------------------------


@transaction.atomic
def outing_submit(
    *, actor, destination: str, person_visited: str, contact: str, purpose: str, starts_at, ends_at
) -> Outing:
    """An outing form for oneself (never for someone else), submitted to the team lead."""
    staff = staff_of(actor)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The return time must be after the departure.")})
    outing = Outing(
        staff=staff,
        destination=destination,
        person_visited=person_visited,
        contact=contact,
        purpose=purpose,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    outing.full_clean()
    outing.save()
    outing.approval = request_submit(
        actor=actor,
        flow_code="outing",
        subject=outing,
        title=_("%(name)s: outing to %(place)s") % {"name": staff.name, "place": destination},
        branch=staff.branch,
        team=staff.team,
    )
    outing.save(update_fields=["approval"])
    return outing


def outing_sample(*, actor, size: int, seed: int | None = None) -> tuple[int, list[Outing]]:
    """A random sample of the team's finished, unchecked outings for the lead to check."""
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 10**9)
    pool = list(
        visible(actor, Outing, roles.OUTING_CHECK)
        .filter(status=Workflow.APPROVED, check_result="", ends_at__lte=timezone.now())
        .order_by("pk")
    )
    rng = random.Random(seed)
    return seed, sorted(rng.sample(pool, min(size, len(pool))), key=lambda o: o.starts_at)


@transaction.atomic
def outing_check(*, actor, outing: Outing, result: str, remark: str) -> Outing:
    """The lead records afterwards whether the visit took place (第八条(三): 事后抽查或全查)."""
    if not can(actor, roles.OUTING_CHECK, outing):
        raise PermissionDenied(_("You may not check this outing."))
    if outing.staff.user_id == actor.pk:
        raise PermissionDenied(_("You cannot check your own outing."))
    if result not in (Outing.Check.CONFIRMED, Outing.Check.NOT_CONFIRMED):
        raise ValidationError({"check_result": _("Choose the result of the check.")})
    if result == Outing.Check.NOT_CONFIRMED and not remark.strip():
        raise ValidationError({"check_remark": _("Say what was found.")})
    updated = Outing.objects.filter(pk=outing.pk, status=Workflow.APPROVED, check_result="").update(
        check_result=result, check_remark=remark, checked_by=actor, checked_at=timezone.now()
    )
    if updated != 1:
        raise ValidationError(_("This outing is not approved or was already checked."))
    outing.refresh_from_db()
    return outing


# --- patrols ---------------------------------------------------------------------------------------


@transaction.atomic
def patrol_record(*, actor, day: dt.date, outlet, present: list[Staff], findings: str) -> Patrol:
    lead = staff_of(actor)
    if not visible(actor, type(outlet)).filter(pk=outlet.pk).exists() or not can(
        actor, roles.OUTING_CHECK, lead
    ):
        raise PermissionDenied(_("You may not patrol this outlet."))
    if day > timezone.localdate():
        raise ValidationError({"day": _("A patrol cannot be recorded for a future day.")})
    strangers = [s.name for s in present if not can(actor, roles.VIEW, s)]
    if strangers:
        raise ValidationError({"present": _("Outside your scope: %s") % "、".join(strangers)})
    patrol = Patrol.objects.create(lead=lead, day=day, outlet=outlet, findings=findings)
    patrol.present.set(present)
    return patrol


def people_on_leave(staff_ids, start: dt.date, end: dt.date):
    return LeaveRequest.objects.filter(
        staff_id__in=staff_ids, status=Workflow.APPROVED, starts_on__lte=end, ends_on__gte=start
    ).select_related("leave_type")


def outings_between(staff_ids, start: dt.date, end: dt.date):
    return Outing.objects.filter(
        Q(starts_at__date__lte=end) & Q(ends_at__date__gte=start),
        staff_id__in=staff_ids,
        status=Workflow.APPROVED,
    )
