"""Every write to the organisation goes through here: permission first, then validation,
then the save with its history row."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import EVERYTHING, can, scope_filter, visible
from brokerdesk.org.models import (
    Branch,
    CooperationAgreement,
    Department,
    Outlet,
    PartnerBank,
    Region,
    Staff,
    StaffAssignment,
    Team,
)
from brokerdesk.org.rules import name_pinyin, pinyin_search_keys

CHANGE_PERM: dict[type[Model], str] = {
    Region: roles.ORG_CHANGE,
    Branch: roles.ORG_CHANGE,
    Department: roles.ORG_CHANGE,
    PartnerBank: roles.BANK_CHANGE,
    Team: roles.TEAM_CHANGE,
    Outlet: roles.OUTLET_CHANGE,
    CooperationAgreement: roles.AGREEMENT_CHANGE,
    Staff: roles.STAFF_CHANGE,
}


def may_place(user, instance: Model) -> bool:
    """Whether the user may put ``instance`` where it says it belongs.

    A record tied to a branch may be written by someone holding the change permission for
    that branch; a firm-wide record (regional HQ, branch, head-office department, bank)
    only by someone holding it company-wide.
    """
    perm = CHANGE_PERM[type(instance)]
    branch_id = getattr(instance, "branch_id", None)
    if isinstance(instance, Branch):
        branch_id = None
    if branch_id is not None:
        return visible(user, Branch, perm).filter(pk=branch_id).exists()
    q = scope_filter(user, Branch, perm)
    return q == EVERYTHING


def _check_may_write(actor, instance: Model) -> None:
    perm = CHANGE_PERM[type(instance)]
    if instance.pk is not None and not can(actor, perm, type(instance)(pk=instance.pk)):
        raise PermissionDenied(_("You may not change this record."))
    if not may_place(actor, instance):
        raise PermissionDenied(_("You may not put this record there."))


def _save(instance: Model, actor, reason: str) -> Model:
    instance.full_clean()
    instance._history_user = actor
    instance._change_reason = reason
    instance.save()
    return instance


@transaction.atomic
def org_record_save(*, actor, instance: Model, reason: str = "") -> Model:
    """Create or update a region, branch, department, bank, team or outlet."""
    if isinstance(instance, (Staff, CooperationAgreement)):
        raise TypeError("use staff_save or agreement_save")
    _check_may_write(actor, instance)
    return _save(instance, actor, reason)


@transaction.atomic
def agreement_save(
    *, actor, agreement: CooperationAgreement, outlets=None, reason: str = ""
) -> CooperationAgreement:
    _check_may_write(actor, agreement)
    if outlets is not None:
        strays = [o.name for o in outlets if o.branch_id != agreement.branch_id]
        if strays:
            raise ValidationError(
                {"outlets": _("These outlets belong to another branch: %s") % "、".join(strays)}
            )
    _save(agreement, actor, reason)
    if outlets is not None:
        agreement.outlets.set(outlets)
    return agreement


def _apply_name(staff: Staff) -> None:
    staff.name = staff.name.strip()
    staff.name_pinyin = name_pinyin(staff.name)
    staff.pinyin_keys = pinyin_search_keys(staff.name)


@transaction.atomic
def staff_save(*, actor, staff: Staff, reason: str = "") -> Staff:
    """Create or update a staff member's record. Placement changes of an existing member
    go through :func:`staff_transfer`, which keeps the dated history."""
    _check_may_write(actor, staff)
    creating = staff.pk is None
    if not creating:
        before = Staff.objects.get(pk=staff.pk)
        moved = {
            f
            for f in ("branch_id", "team_id", "outlet_id", "regional_manager_id")
            if getattr(before, f) != getattr(staff, f)
        }
        if moved:
            raise ValidationError(_("Use a transfer to change branch, team, outlet or regional manager."))
        if staff.status == Staff.Status.LEFT and before.status != Staff.Status.LEFT:
            _refuse_without_handover(staff, "departure", "status")
    _apply_name(staff)
    _save(staff, actor, reason or (_("created") if creating else _("updated")))
    if creating:
        StaffAssignment.objects.create(
            staff=staff,
            branch_id=staff.branch_id,
            team_id=staff.team_id,
            outlet_id=staff.outlet_id,
            regional_manager_id=staff.regional_manager_id,
            starts_on=staff.hired_on or dt.date.today(),
            reason=_("initial placement"),
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
    return staff


def _refuse_without_handover(staff: Staff, kind: str, field: str | None) -> None:
    """A departure or transfer waits until the person's handover checklist is done
    (brokerdesk.assets.selectors_handover); nothing is changed while it is not."""
    from brokerdesk.assets.selectors_handover import handover_blocking

    reason = handover_blocking(staff, kind)
    if reason:
        raise ValidationError({field: reason} if field else reason)


@transaction.atomic
def staff_transfer(
    *,
    actor,
    staff: Staff,
    branch: Branch | None,
    team: Team | None,
    outlet: Outlet | None,
    regional_manager: Staff | None,
    starts_on: dt.date,
    reason: str,
) -> Staff:
    """Move a staff member (第五条(四)); closes the open placement the day before ``starts_on``."""
    if not can(actor, roles.STAFF_CHANGE, staff):
        raise PermissionDenied(_("You may not change this record."))
    before = Staff.objects.filter(pk=staff.pk).values("branch_id", "team_id").first() or {}
    if before.get("branch_id") != getattr(branch, "pk", None) or before.get("team_id") != getattr(
        team, "pk", None
    ):
        # A move to another branch or team needs the handover first (第十三条); a change of
        # outlet or regional manager inside the team does not.
        _refuse_without_handover(staff, "transfer", None)
    # Lock-free guard against two simultaneous transfers: the open period is closed with a
    # conditional update, and the unique "one open period" constraint refuses a second one.
    current = StaffAssignment.objects.filter(staff=staff, ends_on__isnull=True).first()
    if current and starts_on <= current.starts_on:
        raise ValidationError({"starts_on": _("A transfer must start after the current placement began.")})
    staff.branch, staff.team, staff.outlet, staff.regional_manager = branch, team, outlet, regional_manager
    if not may_place(actor, staff):
        raise PermissionDenied(_("You may not put this record there."))
    staff.full_clean()
    staff._history_user = actor
    staff._change_reason = reason
    staff.save(update_fields=["branch", "team", "outlet", "regional_manager"])
    if current:
        closed = StaffAssignment.objects.filter(pk=current.pk, ends_on__isnull=True).update(
            ends_on=starts_on - dt.timedelta(days=1)
        )
        if closed != 1:
            raise ValidationError(
                _("This person was transferred by someone else just now; reload and try again.")
            )
    StaffAssignment.objects.create(
        staff=staff,
        branch=branch,
        team=team,
        outlet=outlet,
        regional_manager=regional_manager,
        starts_on=starts_on,
        reason=reason,
        recorded_by=actor,
    )
    return staff
