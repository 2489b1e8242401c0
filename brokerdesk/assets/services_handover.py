"""Every write of departure and transfer handovers (第十三条: 办理人员变动的实物交接手续).

- :func:`handover_start`: a HANDOVER holder starts the checklist for a person (departure, or a
  transfer with its destination); every line is generated from the person's live holdings.
- :func:`handover_refresh`: new items are added, items gone meanwhile are marked as no longer
  applying, a changed pay position replaces the pay line.
- Lines: :func:`line_assign` (where an asset or archive item goes, who takes over a
  follow-up or planned visit), :func:`line_confirm` (the giver's and the receiver's own
  confirmations; the item moves when both are in), :func:`client_reassign` and
  :func:`client_notified`, :func:`pay_acknowledge` (finance).
- :func:`handover_complete` re-checks the live holdings, freezes the record and performs the
  departure or transfer through org services; :func:`handover_cancel`.

Concurrency: every write locks the handover row first (``select_for_update`` on PostgreSQL;
SQLite's IMMEDIATE write transactions serialise writers), and a line changes only through a
conditional UPDATE on its ``version``, so two people pressing at once cannot both act on the
same state. Each use case checks permission first and raises ValidationError with field
errors, writing nothing, when the input is wrong.
"""

import datetime as dt
import logging

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.models import RoleAssignment
from brokerdesk.access.scope import can, visible
from brokerdesk.approvals.services import notify
from brokerdesk.assets import rules_handover as rules
from brokerdesk.assets import selectors_handover as sel
from brokerdesk.assets.models_handover import Handover, HandoverEvent, HandoverLine
from brokerdesk.clients.models import FollowUp, Visit
from brokerdesk.clients.services import staff_of
from brokerdesk.org.models import Branch, Outlet, Staff, StaffAssignment, Team, staff_placement_errors

security_log = logging.getLogger("brokerdesk.security")

Kind = HandoverLine.Kind
LineStatus = HandoverLine.Status
WORKING = (Staff.Status.ACTIVE, Staff.Status.PROBATION)
NOTE_MAX = 300


# --- helpers -----------------------------------------------------------------------------------


def _event(handover: Handover, kind: str, actor, line: HandoverLine | None = None, note: str = "") -> None:
    HandoverEvent.objects.create(
        handover=handover,
        line=line,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:300],
    )


def _lock(handover: Handover) -> Handover:
    """The handover row, locked, refusing changes once it is completed or cancelled."""
    locked = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("staff", "branch", "staff__user")
        .get(pk=handover.pk)
    )
    if not locked.is_open:
        raise ValidationError(
            _("This handover is %(status)s; it no longer changes.") % {"status": locked.get_status_display()}
        )
    return locked


def _lock_line(line: HandoverLine) -> tuple[Handover, HandoverLine]:
    handover = _lock(line.handover)
    fresh = HandoverLine.objects.select_related(
        "asset", "client", "followup", "visit", "entry", "receiver"
    ).get(pk=line.pk)
    if fresh.handover_id != handover.pk:  # pragma: no cover - a line never changes handover
        raise ValidationError(_("This line belongs to another handover."))
    if not fresh.is_open:
        raise ValidationError(_("This line is already %(status)s.") % {"status": fresh.get_status_display()})
    return handover, fresh


def _update_line(line: HandoverLine, **values) -> HandoverLine:
    """Change a line only from the state it was read in (see the module docstring)."""
    changed = HandoverLine.objects.filter(pk=line.pk, version=line.version, status=LineStatus.OPEN).update(
        version=F("version") + 1, **values
    )
    if changed != 1:
        raise ValidationError(_("Someone changed this line at the same moment; reload and try again."))
    line.refresh_from_db()
    return line


def _is_runner(actor, handover: Handover) -> bool:
    """A HANDOVER holder whose scope reaches the handover (trade post, HR, branch managers)."""
    return can(actor, roles.HANDOVER, handover)


def _is_person(actor, handover: Handover) -> bool:
    return bool(actor.pk and handover.staff.user_id == actor.pk)


def _require_runner(actor, handover: Handover) -> None:
    if not _is_runner(actor, handover):
        raise PermissionDenied(_("Only the trade post, HR or the branch's managers run this handover."))


def _require_runner_or_person(actor, handover: Handover) -> None:
    if not (_is_runner(actor, handover) or _is_person(actor, handover)):
        raise PermissionDenied(_("Only the person handing over, or who runs the handover, may do this."))


def _role_users(role: str, branch_id: int) -> list[int]:
    return list(
        RoleAssignment.objects.filter(role=role, branch_id=branch_id, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def _notify_staff(people, text: str, url: str) -> None:
    ids = [p.user_id for p in people if p is not None and p.user_id]
    if ids:
        notify(ids, text, url)


def _text(value) -> str:
    return (value or "").strip()


# --- the checklist from the live holdings -------------------------------------------------------


def _asset_label(asset, quantity: int) -> str:
    label = f"{asset.tag} {asset.description}"
    if asset.by_quantity:
        label += f" × {quantity}{asset.unit}"
    return label[:300]


def _entry_label(entry) -> str:
    return f"{entry.serial_no} {entry.title}"[:300]


def _followup_label(fu: FollowUp) -> str:
    return f"{fu.client.name}: {fu.matter[:120]}"[:300]


def _visit_label(visit: Visit) -> str:
    return f"{visit.client.name} · {visit.planned_on:%Y-%m-%d} {visit.purpose}".strip()[:300]


def _drop(handover, line: HandoverLine, actor, reason: str) -> None:
    _update_line(line, status=LineStatus.DROPPED, dropped_reason=reason[:200])
    _event(handover, HandoverEvent.Kind.DROPPED, actor, line, reason)


def _add(handover, actor, **values) -> HandoverLine:
    line = HandoverLine.objects.create(handover=handover, **values)
    _event(handover, HandoverEvent.Kind.ADDED, actor, line, line.label)
    return line


def _sync_objects(
    handover, actor, kind: str, field: str, live: dict, label, gone_reason: str, keep=None
) -> int:
    """Lines of one kind against the live objects {pk: object}: add missing, drop gone."""
    changes = 0
    open_lines = {
        getattr(line, f"{field}_id"): line
        for line in handover.lines.filter(kind=kind, status=LineStatus.OPEN)
    }
    for pk, line in open_lines.items():
        if pk not in live and not (keep and keep(line)):
            _drop(handover, line, actor, gone_reason)
            changes += 1
    for pk, obj in live.items():
        if pk not in open_lines:
            _add(handover, actor, kind=kind, label=label(obj), **{field: obj})
            changes += 1
    return changes


def _sync_assets(handover, actor) -> int:
    held = {asset.pk: (asset, qty) for asset, qty in sel.held_assets(handover.staff)}
    changes = 0
    for line in handover.lines.filter(kind=Kind.ASSET, status=LineStatus.OPEN).select_related("asset"):
        if line.asset_id not in held:
            _drop(handover, line, actor, _("No longer held by the person."))
            changes += 1
            continue
        asset, qty = held.pop(line.asset_id)
        if qty != line.quantity:
            # The quantity both sides confirm changed: their confirmations are asked again.
            _update_line(
                line,
                quantity=qty,
                label=_asset_label(asset, qty),
                giver_confirmed_by=None,
                giver_confirmed_at=None,
                receiver_confirmed_by=None,
                receiver_confirmed_at=None,
            )
            _event(handover, HandoverEvent.Kind.CHANGED, actor, line, _("Now %(n)s") % {"n": qty})
            changes += 1
    for asset, qty in held.values():
        _add(handover, actor, kind=Kind.ASSET, asset=asset, quantity=qty, label=_asset_label(asset, qty))
        changes += 1
    return changes


def _sync_pay(handover, actor) -> int:
    pos = sel.pay_position(handover.staff, handover.effective_on)
    current = handover.lines.filter(kind=Kind.PAY).exclude(status=LineStatus.DROPPED).order_by("-pk").first()
    snapshot = {
        "pay_owed": pos.owed,
        "pay_withheld": pos.withheld,
        "pay_detail": pos.detail,
        "pay_fingerprint": pos.fingerprint,
    }
    label = _("Pay owed or withheld")
    if current is None:
        _add(handover, actor, kind=Kind.PAY, label=label, **snapshot)
        return 1
    if current.pay_fingerprint == pos.fingerprint:
        return 0
    if current.is_open:
        _update_line(current, **snapshot)
        _event(handover, HandoverEvent.Kind.CHANGED, actor, current, _("The pay position changed."))
        return 1
    # Finance acknowledged a position that is no longer the live one: ask again.
    HandoverLine.objects.filter(pk=current.pk).update(
        status=LineStatus.DROPPED, dropped_reason=_("The pay position changed after it was acknowledged.")
    )
    _event(
        handover,
        HandoverEvent.Kind.DROPPED,
        actor,
        current,
        _("The pay position changed after it was acknowledged."),
    )
    _add(handover, actor, kind=Kind.PAY, label=label, **snapshot)
    return 2


def _sync(handover: Handover, actor) -> int:
    """Bring the checklist in line with what the person holds now; returns how many lines changed."""
    staff = handover.staff
    changes = _sync_assets(handover, actor)
    changes += _sync_objects(
        handover,
        actor,
        Kind.CLIENT,
        "client",
        {c.pk: c for c in sel.held_clients(staff)},
        str,
        _("Reassigned outside the handover."),
        # A client reassigned on the checklist waits only for the client being told.
        keep=lambda line: line.reassigned_at is not None,
    )
    changes += _sync_objects(
        handover,
        actor,
        Kind.FOLLOWUP,
        "followup",
        {f.pk: f for f in sel.open_followups(staff)},
        _followup_label,
        _("Closed or passed on outside the handover."),
    )
    changes += _sync_objects(
        handover,
        actor,
        Kind.VISIT,
        "visit",
        {v.pk: v for v in sel.planned_visits(staff)},
        _visit_label,
        _("Done, cancelled or passed on outside the handover."),
    )
    changes += _sync_objects(
        handover,
        actor,
        Kind.ARCHIVE,
        "entry",
        {e.pk: e for e in sel.custody_entries(staff)},
        _entry_label,
        _("Returned or passed on outside the handover."),
    )
    changes += _sync_pay(handover, actor)
    return changes


# --- start, refresh, complete, cancel --------------------------------------------------------


def _destination_errors(actor, staff: Staff, to_branch, to_team, to_outlet, to_regional_manager) -> dict:
    from brokerdesk.org.services import may_place

    errors: dict = {}
    if to_branch is None:
        return {"to_branch": _("Choose the branch the person moves to.")}
    target = Staff(
        pk=staff.pk,
        branch=to_branch,
        team=to_team,
        outlet=to_outlet,
        regional_manager=to_regional_manager,
        position=staff.position,
    )
    for field, message in staff_placement_errors(target).items():
        errors[f"to_{field}"] = message
    if to_branch.pk == staff.branch_id and getattr(to_team, "pk", None) == staff.team_id:
        errors["to_team"] = _("A transfer moves the person to another branch or team.")
    if not may_place(actor, target):
        errors["to_branch"] = _("You may not place staff in this branch; HR can run this transfer.")
    return errors


@transaction.atomic
def handover_start(
    *,
    actor,
    staff: Staff,
    kind: str,
    effective_on: dt.date | None,
    reason: str,
    to_branch: Branch | None = None,
    to_team: Team | None = None,
    to_outlet: Outlet | None = None,
    to_regional_manager: Staff | None = None,
) -> Handover:
    """Start a departure or transfer handover and generate its checklist."""
    if not visible(actor, Staff, roles.HANDOVER).filter(pk=staff.pk).exists():
        raise PermissionDenied(_("You may not start a handover for this person."))
    staff = Staff.objects.select_related("branch", "team").get(pk=staff.pk)
    errors: dict = {}
    if kind not in Handover.Kind.values:
        errors["kind"] = _("Choose departure or transfer.")
    if staff.status not in WORKING or staff.branch_id is None:
        errors[NON_FIELD_ERRORS] = _(
            "%(name)s is not working in a branch; there is nothing to hand over."
        ) % {"name": staff.name}
    if not _text(reason):
        errors["reason"] = _("Say why the person leaves or moves.")
    if effective_on is None:
        errors["effective_on"] = _("Give the date the departure or transfer takes effect.")
    elif staff.hired_on and effective_on < staff.hired_on:
        errors["effective_on"] = _("The date cannot be before the person was hired.")
    elif effective_on > timezone.localdate() + dt.timedelta(days=366):
        errors["effective_on"] = _("The date must be within a year from today.")
    if kind == Handover.Kind.TRANSFER:
        errors.update(_destination_errors(actor, staff, to_branch, to_team, to_outlet, to_regional_manager))
        current = StaffAssignment.objects.filter(staff=staff, ends_on__isnull=True).first()
        if effective_on and current and effective_on <= current.starts_on and "effective_on" not in errors:
            errors["effective_on"] = _(
                "A transfer must start after the current placement began (%(day)s)."
            ) % {"day": current.starts_on}
    else:
        to_branch = to_team = to_outlet = to_regional_manager = None
    if errors:
        raise ValidationError(errors)
    if Handover.objects.filter(staff=staff, status=Handover.Status.OPEN).exists():
        raise ValidationError(_("A handover is already in progress for %(name)s.") % {"name": staff.name})
    try:
        with transaction.atomic():
            handover = Handover.objects.create(
                staff=staff,
                kind=kind,
                branch_id=staff.branch_id,
                team_id=staff.team_id,
                effective_on=effective_on,
                to_branch=to_branch,
                to_team=to_team,
                to_outlet=to_outlet,
                to_regional_manager=to_regional_manager,
                reason=_text(reason)[:200],
                started_by=actor,
                started_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(
            _("A handover is already in progress for %(name)s.") % {"name": staff.name}
        ) from None
    _event(handover, HandoverEvent.Kind.STARTED, actor, note=handover.reason)
    _sync(handover, actor)
    url = handover.get_absolute_url()
    text = _("A %(kind)s handover of %(name)s has started; its checklist is ready.") % {
        "kind": handover.get_kind_display().lower(),
        "name": staff.name,
    }
    _notify_staff([staff], text, url)
    notify(_role_users(roles.Role.ACCOUNTANT, staff.branch_id), text, url)
    if handover.lines.filter(kind=Kind.ASSET).exists():
        notify(_role_users(roles.Role.ASSET_KEEPER, staff.branch_id), text, url)
    return handover


@transaction.atomic
def handover_refresh(*, actor, handover: Handover) -> int:
    """Regenerate the lines from the person's holdings now (e.g. a client assigned meanwhile)."""
    handover = _lock(handover)
    _require_runner_or_person(actor, handover)
    return _sync(handover, actor)


def handover_complete(*, actor, handover: Handover) -> Handover:
    """Complete the handover: every line done and the person's live holdings clear; then the
    record is frozen and the departure or transfer is performed through org services.

    The checklist is refreshed first (and that refresh is kept even when completion is then
    refused), so a client assigned to the person meanwhile shows up as a new line to do.
    """
    if not _is_runner(actor, handover):
        raise PermissionDenied(_("Only the trade post, HR or the branch's managers complete a handover."))
    handover_refresh(actor=actor, handover=handover)
    with transaction.atomic():
        handover = _lock(handover)
        staff = Staff.objects.get(pk=handover.staff_id)
        reason = sel.checklist_blocking(handover) or sel.live_blocking(staff, handover.kind, handover)
        if reason:
            raise ValidationError(reason)
        now = timezone.now()
        closed = Handover.objects.filter(pk=handover.pk, status=Handover.Status.OPEN).update(
            status=Handover.Status.COMPLETED, completed_by=actor, completed_at=now
        )
        if closed != 1:  # pragma: no cover - the row lock makes this unreachable
            raise ValidationError(_("Someone completed or cancelled this handover just now."))
        _perform(actor, handover, staff)
        handover.refresh_from_db()
        Handover.objects.filter(pk=handover.pk).update(fingerprint=handover.compute_fingerprint())
        _event(handover, HandoverEvent.Kind.COMPLETED, actor)
        handover.refresh_from_db()
        text = _("The %(kind)s handover of %(name)s is completed.") % {
            "kind": handover.get_kind_display().lower(),
            "name": staff.name,
        }
        _notify_staff([staff], text, handover.get_absolute_url())
    return handover


def _perform(actor, handover: Handover, staff: Staff) -> None:
    """The departure or transfer itself, through org services (which ask handover_blocking)."""
    from brokerdesk.org import services as org

    note = _("Handover completed: %(reason)s") % {"reason": handover.reason}
    try:
        if handover.kind == Handover.Kind.DEPARTURE:
            staff.status = Staff.Status.LEFT
            staff.left_on = handover.effective_on
            org.staff_save(actor=actor, staff=staff, reason=note[:100])
        else:
            org.staff_transfer(
                actor=actor,
                staff=staff,
                branch=handover.to_branch,
                team=handover.to_team,
                outlet=handover.to_outlet,
                regional_manager=handover.to_regional_manager,
                starts_on=handover.effective_on,
                reason=note[:200],
            )
    except ValidationError as exc:
        # The org form's field names mean nothing on the handover page: say it as one message.
        raise ValidationError(exc.messages) from None


@transaction.atomic
def handover_cancel(*, actor, handover: Handover, reason: str) -> Handover:
    """Cancel an open handover (the person stays). Lines already done stay done: those items
    were really handed over."""
    handover = _lock(handover)
    _require_runner(actor, handover)
    if not _text(reason):
        raise ValidationError({"reason": _("Say why the handover is cancelled.")})
    Handover.objects.filter(pk=handover.pk, status=Handover.Status.OPEN).update(
        status=Handover.Status.CANCELLED,
        cancelled_by=actor,
        cancelled_at=timezone.now(),
        cancel_reason=_text(reason)[:200],
    )
    _event(handover, HandoverEvent.Kind.CANCELLED, actor, note=_text(reason))
    handover.refresh_from_db()
    return handover


# --- lines: where things go, and both sides' confirmations ----------------------------------------


def _check_receiver(handover: Handover, receiver: Staff | None, field: str = "receiver") -> Staff:
    if receiver is None:
        raise ValidationError({field: _("Choose the colleague who takes it over.")})
    receiver = Staff.objects.get(pk=receiver.pk)
    refusal = rules.receiver_refusal(
        giver_staff_id=handover.staff_id,
        receiver_staff_id=receiver.pk,
        receiver_branch_id=receiver.branch_id,
        branch_id=handover.branch_id,
        active=receiver.status in WORKING,
    )
    if refusal:
        raise ValidationError({field: refusal})
    if not receiver.user_id:
        raise ValidationError(
            {field: _("%(name)s has no login and could not confirm receiving it.") % {"name": receiver.name}}
        )
    return receiver


@transaction.atomic
def line_assign(
    *,
    actor,
    line: HandoverLine,
    disposition: str = HandoverLine.Disposition.PASS,
    receiver: Staff | None = None,
    note: str = "",
) -> HandoverLine:
    """Say where an asset or archive item goes (returned, or passed on to a named colleague), or
    who takes over a follow-up or planned visit. Changing it asks both sides again."""
    handover, line = _lock_line(line)
    _require_runner_or_person(actor, handover)
    if line.kind not in (*HandoverLine.TWO_SIDED, *HandoverLine.ACCEPTED):
        raise ValidationError(_("This line is handed over in its own way."))
    if line.kind in HandoverLine.ACCEPTED:
        disposition = HandoverLine.Disposition.PASS
    if disposition not in HandoverLine.Disposition.values:
        raise ValidationError({"disposition": _("Choose returned or passed on.")})
    passed = disposition == HandoverLine.Disposition.PASS
    receiver = _check_receiver(handover, receiver) if passed else None
    if len(_text(note)) > NOTE_MAX:
        raise ValidationError({"note": _("At most %(n)s characters.") % {"n": NOTE_MAX}})
    line = _update_line(
        line,
        disposition=disposition,
        receiver=receiver,
        assigned_by=actor,
        assigned_at=timezone.now(),
        note=_text(note),
        giver_confirmed_by=None,
        giver_confirmed_at=None,
        receiver_confirmed_by=None,
        receiver_confirmed_at=None,
    )
    if receiver is not None:
        where = _("to %(name)s") % {"name": receiver.name}
    elif line.kind == Kind.ASSET:
        where = _("returned to the store")
    else:
        where = _("returned to the archive room")
    _event(handover, HandoverEvent.Kind.ASSIGNED, actor, line, where)
    url = line.get_absolute_url()
    if receiver is not None:
        _notify_staff(
            [receiver],
            _("%(name)s hands over to you: %(item)s. Confirm when you have it.")
            % {"name": handover.staff.name, "item": line.label},
            url,
        )
    elif line.kind == Kind.ASSET:
        notify(
            _role_users(roles.Role.ASSET_KEEPER, line.asset.branch_id),
            _("%(name)s returns to the store: %(item)s.") % {"name": handover.staff.name, "item": line.label},
            url,
        )
    return line


def _keeps_store(actor, line: HandoverLine) -> bool:
    if line.kind == Kind.ASSET:
        from brokerdesk.assets.services_assets import can_keep

        return can_keep(actor, line.asset)
    return can(actor, roles.REGISTER_FILE, line.entry)


def confirm_refusal(actor, handover: Handover, line: HandoverLine, side: str) -> str | None:
    """Why ``actor`` may not confirm ``side`` of the line (None: they may). Pages use it to show
    only the buttons a person can press."""
    if line.kind in HandoverLine.ACCEPTED and side == rules.GIVER:
        return _("A follow-up or planned visit is accepted by the colleague who takes it over.")
    if line.kind not in (*HandoverLine.TWO_SIDED, *HandoverLine.ACCEPTED):
        return _("This line is handed over in its own way.")
    me = staff_of(actor)
    receiver = line.receiver
    return rules.confirm_refusal(
        side=side,
        kind=line.kind,
        disposition=line.disposition,
        actor_staff_id=me.pk if me else None,
        giver_staff_id=handover.staff_id,
        receiver_staff_id=receiver.pk if receiver else None,
        actor_keeps_store=side == rules.RECEIVER
        and line.disposition == HandoverLine.Disposition.RETURN
        and _keeps_store(actor, line),
        giver_name=handover.staff.name,
        receiver_name=receiver.name if receiver else "",
    )


@transaction.atomic
def line_confirm(*, actor, line: HandoverLine, side: str) -> HandoverLine:
    """One side's confirmation with its own login: the giver "handed over", the receiver
    "received" (for a follow-up or visit: "accepted"). When both are in, the item moves."""
    handover, line = _lock_line(line)
    if side not in (rules.GIVER, rules.RECEIVER):
        raise ValidationError({"side": _("Choose the giver's or the receiver's side.")})
    if not line.disposition or (
        line.disposition == HandoverLine.Disposition.PASS and line.receiver_id is None
    ):
        raise ValidationError(_("Say first where it goes."))
    refusal = confirm_refusal(actor, handover, line, side)
    if refusal:
        security_log.warning(
            "handover line %s: %s side refused for user %s", line.pk, side, getattr(actor, "pk", None)
        )
        raise PermissionDenied(refusal)
    now = timezone.now()
    if side == rules.GIVER:
        if line.giver_confirmed_at:
            raise ValidationError(_("Already confirmed."))
        line = _update_line(line, giver_confirmed_by=actor, giver_confirmed_at=now)
        _event(handover, HandoverEvent.Kind.GIVEN, actor, line)
    else:
        if line.receiver_confirmed_at:
            raise ValidationError(_("Already confirmed."))
        line = _update_line(line, receiver_confirmed_by=actor, receiver_confirmed_at=now)
        _event(handover, HandoverEvent.Kind.RECEIVED, actor, line)
    both = line.receiver_confirmed_at and (line.kind in HandoverLine.ACCEPTED or line.giver_confirmed_at)
    if both:
        _apply(actor, handover, line)
        line = _update_line(line, status=LineStatus.DONE, done_by=actor, done_at=now)
        _event(handover, HandoverEvent.Kind.DONE, actor, line)
    return line


def _apply(actor, handover: Handover, line: HandoverLine) -> None:
    """Move the item itself, now that both sides have confirmed."""
    staff = handover.staff
    note = _("Handover of %(name)s") % {"name": staff.name}
    if line.kind == Kind.ASSET:
        from brokerdesk.assets.services_assets import asset_pass

        # The handover checked its own permission: each side confirmed with their own login.
        asset_pass(
            actor=actor,
            asset=line.asset,
            from_staff=staff,
            to_staff=line.receiver,
            quantity=line.quantity,
            reason=note,
            checked_by_caller=True,
        )
    elif line.kind == Kind.ARCHIVE:
        _custody_pass(actor, line.entry, line.receiver, note)
    elif line.kind == Kind.FOLLOWUP:
        fu = FollowUp.objects.select_for_update(of=("self",)).get(pk=line.followup_id)
        if fu.owner_id != staff.pk or fu.status not in sel.OPEN_FOLLOWUP:
            raise ValidationError(
                _("This follow-up was closed or passed on meanwhile; refresh the checklist.")
            )
        fu.owner = line.receiver
        fu._history_user = actor
        fu._change_reason = note
        fu.save(update_fields=["owner"])
    elif line.kind == Kind.VISIT:
        visit = Visit.objects.select_for_update(of=("self",)).get(pk=line.visit_id)
        if visit.author_id != staff.pk or visit.status != Visit.Status.PLANNED:
            raise ValidationError(
                _("This visit was done, cancelled or passed on meanwhile; refresh the checklist.")
            )
        visit.author = line.receiver
        visit.team_id = line.receiver.team_id
        visit._history_user = actor
        visit._change_reason = note
        visit.save(update_fields=["author", "team", "updated_at"])


def _custody_pass(actor, entry, to_staff, note: str) -> None:
    from brokerdesk.archives import services as archives

    # The handover checked its own permission: each side confirmed with their own login.
    archives.custody_pass(
        actor=actor, entry=entry, to_staff=to_staff, note=note[:200], checked_by_caller=True
    )


# --- clients ----------------------------------------------------------------------------------------


@transaction.atomic
def client_reassign(
    *,
    actor,
    line: HandoverLine,
    to: Staff | None,
    effective_on: dt.date | None = None,
    notified_on: dt.date | None = None,
    notified_how: str = "",
    note: str = "",
) -> HandoverLine:
    """Reassign the line's client to a new manager from a date (clients.services.client_transfer),
    and, when given, record that the client was told."""
    handover, line = _lock_line(line)
    if line.kind != Kind.CLIENT:
        raise ValidationError(_("This line is not a client."))
    if not can(actor, roles.CLIENT_ASSIGN, line.client):
        raise PermissionDenied(_("Only the branch's back office (who reassigns clients) may do this."))
    if line.reassigned_at:
        raise ValidationError(_("This client is already reassigned."))
    to = _check_receiver(handover, to, "to")
    effective_on = effective_on or timezone.localdate()
    _check_notified(notified_on, notified_how, effective_on, partial=True)
    from brokerdesk.clients.services import client_transfer

    text = _("Handover of %(name)s") % {"name": handover.staff.name}
    if _text(note):
        text = f"{text}: {_text(note)}"
    try:
        client_transfer(actor=actor, client=line.client, to=to, effective=effective_on, note=text[:200])
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed = {
            {"manager": "to", "effective": "effective_on"}.get(k, k): v for k, v in exc.error_dict.items()
        }
        raise ValidationError(renamed) from None
    now = timezone.now()
    line = _update_line(
        line,
        receiver=to,
        effective_on=effective_on,
        reassigned_at=now,
        assigned_by=actor,
        assigned_at=now,
        note=_text(note)[:NOTE_MAX],
    )
    _event(
        handover,
        HandoverEvent.Kind.REASSIGNED,
        actor,
        line,
        _("To %(name)s from %(day)s") % {"name": to.name, "day": effective_on.isoformat()},
    )
    _notify_staff(
        [to],
        _("Client %(client)s is now yours (handover of %(name)s); make sure the client knows.")
        % {"client": line.client, "name": handover.staff.name},
        line.client.get_absolute_url(),
    )
    if notified_on:
        line = _record_notified(actor, handover, line, notified_on, notified_how)
    return line


@transaction.atomic
def clients_reassign_all(
    *,
    actor,
    handover: Handover,
    to: Staff | None,
    effective_on: dt.date | None = None,
    notified_on: dt.date | None = None,
    notified_how: str = "",
    note: str = "",
) -> int:
    """Reassign every client of the checklist not yet reassigned to one colleague at once (a
    departing manager often has dozens): each line as ``client_reassign`` does it, all or none.
    Returns how many clients moved."""
    handover = _lock(handover)
    pending = list(
        handover.lines.filter(kind=Kind.CLIENT, status=LineStatus.OPEN, reassigned_at__isnull=True)
        .select_related("client")
        .order_by("pk")
    )
    if not pending:
        raise ValidationError(_("Every client of this checklist is already reassigned."))
    for line in pending:
        client_reassign(
            actor=actor,
            line=line,
            to=to,
            effective_on=effective_on,
            notified_on=notified_on,
            notified_how=notified_how,
            note=note,
        )
    return len(pending)


def _check_notified(notified_on, how: str, effective_on: dt.date | None, partial: bool = False) -> None:
    errors = {}
    if notified_on is None and not how and partial:
        return
    if notified_on is None:
        errors["notified_on"] = _("Give the day the client was told.")
    elif notified_on > timezone.localdate():
        errors["notified_on"] = _("The day cannot be in the future.")
    elif effective_on and notified_on < effective_on - dt.timedelta(days=60):
        errors["notified_on"] = _("The client was told too long before the reassignment.")
    if how not in HandoverLine.Notified.values:
        errors["notified_how"] = _("Choose how the client was told.")
    if errors:
        raise ValidationError(errors)


def _record_notified(actor, handover, line, notified_on, how) -> HandoverLine:
    now = timezone.now()
    line = _update_line(
        line,
        client_notified_on=notified_on,
        client_notified_how=how,
        status=LineStatus.DONE,
        done_by=actor,
        done_at=now,
    )
    _event(
        handover,
        HandoverEvent.Kind.NOTIFIED,
        actor,
        line,
        f"{notified_on.isoformat()} {line.get_client_notified_how_display()}",
    )
    return line


@transaction.atomic
def client_notified(
    *, actor, line: HandoverLine, notified_on: dt.date | None, notified_how: str
) -> HandoverLine:
    """Record that the client of a reassigned line was told of the new manager: the new
    manager, the person handing over, or who runs the handover or reassigns clients."""
    handover, line = _lock_line(line)
    if line.kind != Kind.CLIENT:
        raise ValidationError(_("This line is not a client."))
    if not line.reassigned_at:
        raise ValidationError(_("Reassign the client first."))
    me = staff_of(actor)
    allowed = (
        (me is not None and me.pk in (line.receiver_id, handover.staff_id))
        or _is_runner(actor, handover)
        or can(actor, roles.CLIENT_ASSIGN, line.client)
    )
    if not allowed:
        raise PermissionDenied(
            _("Only the new manager, the person handing over or the back office record this.")
        )
    _check_notified(notified_on, notified_how, line.effective_on)
    return _record_notified(actor, handover, line, notified_on, notified_how)


# --- pay ------------------------------------------------------------------------------------------


def pay_acknowledge(*, actor, line: HandoverLine, note: str = "") -> HandoverLine:
    """Finance (who runs the branch's pay) acknowledges the pay still owed or withheld.

    The live position is recomputed first; when it is no longer what the line shows, the line
    takes the new figures (kept) and the acknowledgement is refused, to be given on them.
    """
    stale = False
    with transaction.atomic():
        handover, line = _lock_line(line)
        if line.kind != Kind.PAY:
            raise ValidationError(_("This line is not the pay line."))
        if not visible(actor, Branch, roles.PAY_RUN).filter(pk=handover.branch_id).exists():
            raise PermissionDenied(_("Only finance of the person's branch (who runs pay) acknowledges pay."))
        if len(_text(note)) > NOTE_MAX:
            raise ValidationError({"note": _("At most %(n)s characters.") % {"n": NOTE_MAX}})
        pos = sel.pay_position(handover.staff, handover.effective_on)
        if pos.fingerprint != line.pay_fingerprint:
            _update_line(
                line,
                pay_owed=pos.owed,
                pay_withheld=pos.withheld,
                pay_detail=pos.detail,
                pay_fingerprint=pos.fingerprint,
            )
            _event(handover, HandoverEvent.Kind.CHANGED, actor, line, _("The pay position changed."))
            stale = True
        else:
            now = timezone.now()
            line = _update_line(line, note=_text(note), status=LineStatus.DONE, done_by=actor, done_at=now)
            _event(handover, HandoverEvent.Kind.ACKNOWLEDGED, actor, line, _text(note))
    if stale:
        raise ValidationError(
            _(
                "The pay position changed since the page was opened; check the new figures and "
                "acknowledge again."
            )
        )
    return line
