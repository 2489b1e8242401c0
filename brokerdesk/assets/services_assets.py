"""Writes of the asset register, its ledger and incidents (第十一至十四条).

Every movement goes through :func:`_post`, inside the caller's transaction:

1. the asset row is locked (``select_for_update``; on SQLite the IMMEDIATE write transaction
   serialises writers), so two keepers issuing the last unit at the same moment cannot both
   succeed;
2. the place the units come from must hold them (the store's ``on_hand`` or the person's
   :class:`Holding`), else the movement is refused with a field error and nothing is saved;
3. the append-only :class:`LedgerLine` is written;
4. the cached stock (``on_hand``, ``quantity``, ``status``, ``custodian``, holdings) moves by
   the line's effect with conditional updates that must each change exactly one row.

Interfaces for the handover (helper E): :func:`asset_pass` and :func:`charges_for`.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access.roles import ASSET_KEEP
from brokerdesk.access.scope import visible
from brokerdesk.assets import rules_assets as rules
from brokerdesk.assets.models_assets import Asset, Holding, Incident, LedgerLine
from brokerdesk.core.money import ZERO, to_fen
from brokerdesk.org.models import Branch, Staff

Kind = LedgerLine.Kind
Place = LedgerLine.Place

# Register fields a keeper may correct afterwards; the stock, custodian, status and outlet
# move only through ledger lines, and "tracked by quantity" is fixed at registration.
EDITABLE = ("category", "tag", "description", "spec", "unit", "value", "team", "notes", "acquired_on")
# Movements whose reason must be written down (an issue, return or transfer says why by itself).
REASON_REQUIRED = {Kind.RECEIVE, Kind.DISPATCH, Kind.DISPOSE, Kind.REVERSAL}


class Refused(ValidationError):
    """A movement or change the rules do not allow; the message says why."""


# --- permission and look-ups -------------------------------------------------------------------


def can_keep(user, asset: Asset) -> bool:
    return visible(user, Asset, ASSET_KEEP).filter(pk=asset.pk).exists()


def _check_keep(actor, asset: Asset) -> None:
    if not can_keep(actor, asset):
        raise PermissionDenied(_("You do not keep the assets of this branch."))


def _check_branch(actor, branch: Branch) -> None:
    if not visible(actor, Branch, ASSET_KEEP).filter(pk=branch.pk).exists():
        raise PermissionDenied(_("You do not keep the assets of this branch."))


def _today() -> dt.date:
    return timezone.localdate()


def _lock(asset: Asset) -> Asset:
    return Asset.objects.select_for_update(of=("self",)).get(pk=asset.pk)


def _person_errors(field: str, staff: Staff | None, asset: Asset) -> dict[str, str]:
    if staff is None:
        return {}
    if staff.branch_id != asset.branch_id:
        return {field: _("This person does not work in the asset's branch.")}
    if staff.status in (Staff.Status.LEFT, Staff.Status.CANDIDATE):
        return {field: _("This person is not on the staff; items cannot be issued to them.")}
    return {}


# --- the one place stock moves -----------------------------------------------------------------


def _post(
    *,
    actor,
    asset: Asset,
    kind: str,
    quantity: int,
    from_staff: Staff | None = None,
    to_staff: Staff | None = None,
    source: str | None = None,
    target: str | None = None,
    to_outlet=None,
    reason: str = "",
    day: dt.date | None = None,
    reverses: LedgerLine | None = None,
) -> LedgerLine:
    """Write one line and move the cached stock by its effect. ``asset`` must be locked."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("_post must run inside the transaction that locked the asset")
    day = day or _today()
    reason = (reason or "").strip()
    source = source or (Place.PERSON if from_staff else Place.STORE)
    target = target or (Place.PERSON if to_staff else Place.STORE)
    errors: dict[str, str] = {}
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    move = rules.Move(
        source, target, quantity, from_staff.pk if from_staff else None, to_staff.pk if to_staff else None
    )
    if kind != Kind.REVERSAL:
        errors.update(rules.route_errors(kind, move))
    # Whoever holds units may give them back, even after moving branch or leaving (the holding
    # proves it); only a receiver must be of the asset's branch and on the staff.
    errors.update(_person_errors("to_staff", to_staff, asset))
    if day > _today():
        errors["day"] = _("A movement cannot be dated in the future.")
    elif day < asset.acquired_on:
        errors["day"] = _("A movement cannot be dated before the asset was acquired.")
    if kind in REASON_REQUIRED and not reason:
        errors["reason"] = _("Say why.")
    if len(reason) > 200:
        errors["reason"] = _("Keep the reason under 200 characters.")
    outlet_move = kind == Kind.TRANSFER and source == target == Place.STORE
    if outlet_move or (kind == Kind.TRANSFER and to_outlet is not None):
        if to_outlet is None:
            errors["to_outlet"] = _("Choose the outlet the items move to.")
        elif to_outlet.branch_id != asset.branch_id:
            errors["to_outlet"] = _("This outlet belongs to another branch.")
        elif to_outlet.pk == asset.outlet_id:
            errors["to_outlet"] = _("The asset already is at this outlet.")
    if asset.quantity == 0 and kind not in (Kind.RECEIVE, Kind.REVERSAL):
        errors["kind"] = _("Nothing of this asset is left; only a receipt or a reversal can be recorded.")
    if errors:
        raise Refused(errors)

    # Does the place the units come from hold them?
    if not outlet_move:
        if source == Place.STORE and quantity > asset.on_hand:
            raise Refused(
                {
                    "quantity": _("Only %(n)s %(unit)s in store; %(q)s cannot be taken out.")
                    % {"n": asset.on_hand, "unit": asset.unit, "q": quantity}
                }
            )
        if source == Place.PERSON:
            held = (
                Holding.objects.filter(asset=asset, staff=from_staff)
                .values_list("quantity", flat=True)
                .first()
            )
            if quantity > (held or 0):
                raise Refused(
                    {
                        "quantity": _("%(who)s holds %(n)s %(unit)s; %(q)s cannot be taken from them.")
                        % {"who": from_staff.name, "n": held or 0, "unit": asset.unit, "q": quantity}
                    }
                )
    delta = {} if outlet_move else rules.effect(move)
    new_on_hand = asset.on_hand + delta.get(rules.STORE, 0)
    new_total = asset.quantity + sum(delta.values())
    if not asset.by_quantity and new_total > 1:
        raise Refused({"quantity": _("A single item cannot be received twice; register a new asset.")})

    line = LedgerLine.objects.create(
        asset=asset,
        branch_id=asset.branch_id,
        kind=kind,
        day=day,
        quantity=quantity,
        source=source,
        from_staff=from_staff if source == Place.PERSON else None,
        target=target,
        to_staff=to_staff if target == Place.PERSON else None,
        from_outlet_id=asset.outlet_id if to_outlet is not None else None,
        to_outlet=to_outlet,
        reason=reason,
        reverses=reverses,
        recorded_by=actor,
    )
    for staff_id, d in delta.items():
        if staff_id == rules.STORE:
            continue
        _move_holding(asset, staff_id, d)
    rows = list(
        Holding.objects.filter(asset=asset)
        .order_by("staff__emp_no")
        .values_list("staff_id", "quantity", "staff__name", "staff__emp_no", "staff__pinyin_keys")
    )
    derived = rules.derive(new_on_hand, {r[0]: r[1] for r in rows})
    changes = {"on_hand": new_on_hand, "quantity": new_total, "status": derived.status}
    changes["custodian_id"] = derived.custodian_id
    changes["search_text"] = rules.search_text(
        asset.tag, asset.description, asset.spec, [r[2:] for r in rows]
    )
    if to_outlet is not None:
        changes["outlet_id"] = to_outlet.pk
    # Conditional: the stock we checked is the stock we change (the lock makes this hold; the
    # condition proves it, and on SQLite it is what stands between two writers).
    moved = Asset.objects.filter(pk=asset.pk, on_hand=asset.on_hand, quantity=asset.quantity).update(
        **changes
    )
    if moved != 1:
        raise Refused(_("Someone else moved this asset at the same time; reload and try again."))
    for field, value in changes.items():
        setattr(asset, field, value)
    return line


def _move_holding(asset: Asset, staff_id: int, d: int) -> None:
    if d > 0:
        if not Holding.objects.filter(asset=asset, staff_id=staff_id).update(quantity=F("quantity") + d):
            Holding.objects.create(asset=asset, staff_id=staff_id, quantity=d)
        return
    taken = -d
    # All of it: the row goes (a holding is never zero); part of it: the row shrinks.
    if Holding.objects.filter(asset=asset, staff_id=staff_id, quantity=taken).delete()[0]:
        return
    if (
        Holding.objects.filter(asset=asset, staff_id=staff_id, quantity__gt=taken).update(
            quantity=F("quantity") - taken
        )
        != 1
    ):
        raise Refused({"quantity": _("This person no longer holds that many; reload and try again.")})


# --- register --------------------------------------------------------------------------------------


def _register_errors(asset: Asset) -> dict[str, str]:
    errors: dict[str, str] = {}
    if asset.value is not None:
        if asset.value < 0:
            errors["value"] = _("The value cannot be negative.")
        elif to_fen(asset.value) != asset.value:
            errors["value"] = _("Give the value in yuan and fen (two decimals at most).")
    if asset.acquired_on and asset.acquired_on > _today():
        errors["acquired_on"] = _("The acquisition date cannot be in the future.")
    if (
        asset.tag
        and Asset.objects.filter(branch_id=asset.branch_id, tag=asset.tag).exclude(pk=asset.pk).exists()
    ):
        errors["tag"] = _("This tag is already used in the branch.")
    if asset.team_id and asset.team.branch_id != asset.branch_id:
        errors["team"] = _("This team belongs to another branch.")
    if asset.outlet_id and asset.outlet.branch_id != asset.branch_id:
        errors["outlet"] = _("This outlet belongs to another branch.")
    return errors


@transaction.atomic
def asset_register(
    *,
    actor,
    branch: Branch,
    category: str,
    tag: str,
    description: str,
    value: Decimal,
    acquired_on: dt.date,
    quantity: int = 1,
    by_quantity: bool = False,
    unit: str = "",
    spec: str = "",
    team=None,
    outlet=None,
    notes: str = "",
    reason: str = "",
) -> Asset:
    """A new register entry and its first ledger line: ``quantity`` units into the store."""
    _check_branch(actor, branch)
    asset = Asset(
        branch=branch,
        team=team,
        outlet=outlet,
        category=category,
        tag=(tag or "").strip(),
        description=(description or "").strip(),
        spec=(spec or "").strip(),
        by_quantity=bool(by_quantity),
        unit=(unit or "").strip() or ("件" if by_quantity else "台"),
        value=value,
        acquired_on=acquired_on,
        notes=(notes or "").strip(),
        created_by=actor,
    )
    errors = _register_errors(asset)
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if quantity < 1:
        errors["quantity"] = _("Give a quantity of at least 1.")
    elif not asset.by_quantity and quantity != 1:
        errors["quantity"] = _(
            "A single item has a quantity of 1; tick “tracked by quantity” for consumables."
        )
    try:
        asset.full_clean(exclude=["created_by", "branch", *errors])
    except ValidationError as e:
        errors.update({k: v[0] for k, v in e.message_dict.items()})
    if errors:
        raise Refused(errors)
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        raise Refused({"tag": _("This tag is already used in the branch.")}) from None
    asset = _lock(asset)
    _post(
        actor=actor,
        asset=asset,
        kind=Kind.RECEIVE,
        quantity=quantity,
        source=Place.OUTSIDE,
        target=Place.STORE,
        reason=(reason or "").strip() or _("Registered"),
        day=acquired_on,
    )
    return asset


@transaction.atomic
def asset_update(*, actor, asset: Asset, **fields) -> Asset:
    """Correct the register fields (history keeps the old values); stock moves only by lines."""
    _check_keep(actor, asset)
    asset = _lock(asset)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise Refused(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(asset, name, value.strip() if isinstance(value, str) else value)
    errors = _register_errors(asset)
    try:
        asset.full_clean(exclude=["created_by", "branch", *errors])
    except ValidationError as e:
        errors.update({k: v[0] for k, v in e.message_dict.items()})
    if errors:
        raise Refused(errors)
    holders = Holding.objects.filter(asset=asset).order_by("staff__emp_no")
    asset.search_text = rules.search_text(
        asset.tag,
        asset.description,
        asset.spec,
        holders.values_list("staff__name", "staff__emp_no", "staff__pinyin_keys"),
    )
    try:
        with transaction.atomic():
            asset.save(update_fields=[*fields, "search_text"])
    except IntegrityError:
        raise Refused({"tag": _("This tag is already used in the branch.")}) from None
    return asset


# --- movements -------------------------------------------------------------------------------------


def asset_pass(
    *,
    actor,
    asset: Asset,
    from_staff: Staff | None,
    to_staff: Staff | None,
    quantity: int = 1,
    reason: str = "",
    day: dt.date | None = None,
    checked_by_caller: bool = False,
) -> LedgerLine:
    """Pass units of an asset between the keeper's store and people, as one ledger line.

    ``from_staff`` None: issued from the store; ``to_staff`` None: returned to the store; both
    given: transferred person to person. Refused (``Refused``, a ValidationError with field
    errors) when the source does not hold the quantity; ``PermissionDenied`` unless the actor
    keeps the asset's branch (``asset.keep``) — or ``checked_by_caller``, for a service such as
    the handover that checked its own permission (both sides confirming) before calling.
    """
    if from_staff is None and to_staff is None:
        raise Refused({"to_staff": _("Choose who the items go to, or who returns them.")})
    if from_staff is None:
        kind = Kind.ISSUE
    elif to_staff is None:
        kind = Kind.RETURN
    else:
        kind = Kind.TRANSFER
    return asset_move(
        actor=actor,
        asset=asset,
        kind=kind,
        quantity=quantity,
        from_staff=from_staff,
        to_staff=to_staff,
        reason=reason,
        day=day,
        checked_by_caller=checked_by_caller,
    )


@transaction.atomic
def asset_move(
    *,
    actor,
    asset: Asset,
    kind: str,
    quantity: int = 1,
    from_staff: Staff | None = None,
    to_staff: Staff | None = None,
    to_outlet=None,
    reason: str = "",
    day: dt.date | None = None,
    checked_by_caller: bool = False,
) -> LedgerLine:
    """Record one movement of the ledger: in, out, issue, return, transfer or disposal."""
    if not checked_by_caller:
        _check_keep(actor, asset)
    asset = _lock(asset)
    if kind == Kind.RECEIVE:
        source, target = Place.OUTSIDE, Place.STORE
    elif kind in (Kind.DISPATCH, Kind.DISPOSE, Kind.LOSS):
        source, target = (Place.PERSON if from_staff else Place.STORE), Place.OUTSIDE
    elif kind in (Kind.ISSUE, Kind.RETURN, Kind.TRANSFER):
        source = Place.PERSON if from_staff else Place.STORE
        target = Place.PERSON if to_staff else Place.STORE
        if kind == Kind.TRANSFER and source == target == Place.STORE:
            if asset.held_out:
                raise Refused(
                    {
                        "to_outlet": _(
                            "Some of it is with people; they return it before the asset moves outlet."
                        )
                    }
                )
            quantity = asset.quantity  # the whole register entry moves
    else:
        raise Refused({"kind": _("Choose a kind of movement.")})
    return _post(
        actor=actor,
        asset=asset,
        kind=kind,
        quantity=quantity,
        from_staff=from_staff,
        to_staff=to_staff,
        source=source,
        target=target,
        to_outlet=to_outlet,
        reason=reason,
        day=day,
    )


@transaction.atomic
def line_reverse(*, actor, line: LedgerLine, reason: str, day: dt.date | None = None) -> LedgerLine:
    """Correct a mistaken line by the line that moves the same quantity back (never an edit)."""
    _check_keep(actor, line.asset)
    asset = _lock(line.asset)
    line = LedgerLine.objects.select_related("from_staff", "to_staff", "to_outlet").get(pk=line.pk)
    if line.kind == Kind.REVERSAL:
        raise Refused(_("A reversal is not reversed; record the movement again instead."))
    if LedgerLine.objects.filter(reverses=line).exists():
        raise Refused(_("This line has already been reversed."))
    to_outlet = None
    if line.to_outlet_id:
        if asset.outlet_id != line.to_outlet_id:
            raise Refused(_("The asset has moved outlet since; reverse the later move first."))
        to_outlet = line.from_outlet
    outlet_only = line.source == line.target == Place.STORE
    if outlet_only and to_outlet is None:
        raise Refused(_("The asset had no outlet before this move; record a transfer instead."))
    try:
        with transaction.atomic():
            reversal = _post(
                actor=actor,
                asset=asset,
                kind=Kind.REVERSAL,
                quantity=line.quantity,
                from_staff=line.to_staff,
                to_staff=line.from_staff,
                source=line.target,
                target=line.source,
                to_outlet=to_outlet,
                reason=reason,
                day=day,
                reverses=line,
            )
    except IntegrityError:
        raise Refused(_("This line has already been reversed.")) from None
    return reversal


# --- incidents -------------------------------------------------------------------------------------

_NOT_GIVEN = object()


def _pay_month_signed(branch_id: int, month: dt.date) -> bool:
    from brokerdesk.performance.models import PayRun

    return PayRun.objects.filter(
        branch_id=branch_id, month=month, status__in=[PayRun.Status.SIGNING, PayRun.Status.SIGNED]
    ).exists()


def _first_open_month(branch_id: int, month: dt.date) -> dt.date:
    """``month`` or, if its pay report is being signed or signed, the first later month that is not."""
    from brokerdesk.performance.selectors import add_months

    for _i in range(24):
        if not _pay_month_signed(branch_id, month):
            return month
        month = add_months(month, 1)
    return month


def _charge_errors(incident: Incident, asset: Asset) -> dict[str, str]:
    errors = rules.charge_errors(
        amount=incident.amount,
        value=asset.value,
        quantity=incident.quantity or 1,
        responsible=incident.responsible_id is not None,
        pay_month=incident.pay_month is not None,
        reason=incident.over_value_reason or "",
    )
    if incident.responsible_id and incident.responsible.branch_id != asset.branch_id:
        errors["responsible"] = _("This person does not work in the asset's branch.")
    if (
        incident.pay_month
        and incident.amount
        and "pay_month" not in errors
        and _pay_month_signed(asset.branch_id, incident.pay_month)
    ):
        errors["pay_month"] = _("The pay report of this month is already signed; choose a later month.")
    return errors


def _submit_charge(actor, incident: Incident) -> None:
    from brokerdesk.approvals.services import request_resubmit, request_submit

    if incident.status == Incident.Status.RETURNED and incident.approval_id:
        request_resubmit(actor=actor, request=incident.approval)
        return
    from brokerdesk.access.models import RoleAssignment
    from brokerdesk.access.roles import Role

    team = incident.responsible.team if incident.responsible_id else None
    # The lead confirms first when the team has one who is not the person charged.
    has_lead = (
        team is not None
        and RoleAssignment.objects.filter(role=Role.TEAM_LEAD, team=team, user__is_active=True)
        .exclude(user_id=incident.responsible.user_id)
        .exclude(user_id=actor.pk)
        .exists()
    )
    incident.approval = request_submit(
        actor=actor,
        flow_code="asset_charge",
        subject=incident,
        title=_("Asset charge: %(asset)s, %(who)s, %(amount)s")
        % {"asset": incident.asset.tag, "who": incident.responsible.name, "amount": incident.amount},
        branch=incident.asset.branch,
        team=team,
        figures={"amount": incident.amount, "has_lead": 1 if has_lead else 0},
    )
    incident.save(update_fields=["approval"])


@transaction.atomic
def incident_record(
    *,
    actor,
    asset: Asset,
    kind: str,
    happened_on: dt.date,
    description: str,
    quantity: int = 1,
    responsible: Staff | None = None,
    amount: Decimal | None = ZERO,
    over_value_reason: str = "",
    pay_month: dt.date | None = None,
    lost_from=_NOT_GIVEN,
) -> Incident:
    """Record damage, loss or theft (第十四条). A lost or stolen item leaves the stock through a
    loss line at once (it is gone whoever pays); a charge above 0 goes for approval, and once
    approved is deducted in the pay of ``pay_month``.

    ``lost_from``: the person who held the lost units (None: the store). By default the person
    responsible if they hold enough, else the store, else the asset's custodian.
    """
    _check_keep(actor, asset)
    asset = _lock(asset)
    errors: dict[str, str] = {}
    if kind not in Incident.Kind.values:
        errors["kind"] = _("Choose damage, loss or theft.")
    if not happened_on:
        errors["happened_on"] = _("Give the date.")
    elif happened_on > _today():
        errors["happened_on"] = _("The date cannot be in the future.")
    if not (description or "").strip():
        errors["description"] = _("Say what happened.")
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if quantity < 1:
        errors["quantity"] = _("Give a quantity of at least 1.")
    elif quantity > asset.quantity:
        errors["quantity"] = _("Only %(n)s %(unit)s of this asset exist.") % {
            "n": asset.quantity,
            "unit": asset.unit,
        }
    incident = Incident(
        asset=asset,
        branch_id=asset.branch_id,
        kind=kind,
        happened_on=happened_on,
        description=(description or "").strip(),
        quantity=quantity if quantity > 0 else 1,
        responsible=responsible,
        amount=amount,
        over_value_reason=(over_value_reason or "").strip(),
        pay_month=pay_month.replace(day=1) if pay_month else None,
        recorded_by=actor,
    )
    errors.update({k: v for k, v in _charge_errors(incident, asset).items() if k not in errors})
    if errors:
        raise Refused(errors)
    if not incident.amount:
        incident.amount = ZERO
    incident.status = Incident.Status.RECORDED
    incident.save()
    if kind in (Incident.Kind.LOSS, Incident.Kind.THEFT):
        holder = _lost_from(asset, responsible, quantity) if lost_from is _NOT_GIVEN else lost_from
        label = Incident.Kind(kind).label
        incident.loss_line = _post(
            actor=actor,
            asset=asset,
            kind=Kind.LOSS,
            quantity=quantity,
            from_staff=holder,
            source=Place.PERSON if holder else Place.STORE,
            target=Place.OUTSIDE,
            reason=f"{label}: {incident.description}"[:200],
            day=happened_on,
        )
        incident.save(update_fields=["loss_line"])
    if incident.amount > 0:
        _submit_charge(actor, incident)
        incident.refresh_from_db()  # the approval handler moved its status
    return incident


def _lost_from(asset: Asset, responsible: Staff | None, quantity: int) -> Staff | None:
    if responsible is not None:
        held = (
            Holding.objects.filter(asset=asset, staff=responsible).values_list("quantity", flat=True).first()
        )
        if (held or 0) >= quantity:
            return responsible
    if asset.on_hand >= quantity:
        return None
    if asset.custodian_id:
        return Staff.objects.get(pk=asset.custodian_id)
    raise Refused({"quantity": _("Say who held the lost items: nobody holds that many.")})


@transaction.atomic
def incident_revise(
    *,
    actor,
    incident: Incident,
    amount: Decimal | None,
    responsible: Staff | None = None,
    pay_month: dt.date | None = None,
    over_value_reason: str = "",
    description: str | None = None,
) -> Incident:
    """Change the charge of an incident not yet decided (no charge yet, returned or withdrawn)
    and send it (again) for approval when it charges someone. Approved and rejected charges
    never change."""
    _check_keep(actor, incident.asset)
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("asset", "approval")
        .get(pk=incident.pk)
    )
    if incident.status not in (Incident.Status.RECORDED, Incident.Status.RETURNED, Incident.Status.WITHDRAWN):
        raise Refused(_("This charge is in approval or decided; it cannot be changed."))
    incident.amount = amount
    incident.responsible = responsible
    incident.pay_month = pay_month.replace(day=1) if pay_month else None
    incident.over_value_reason = (over_value_reason or "").strip()
    if description is not None:
        if not description.strip():
            raise Refused({"description": _("Say what happened.")})
        incident.description = description.strip()
    errors = _charge_errors(incident, incident.asset)
    if errors:
        raise Refused(errors)
    incident.amount = incident.amount or ZERO
    incident.save(update_fields=["amount", "responsible", "pay_month", "over_value_reason", "description"])
    if incident.amount > 0:
        _submit_charge(actor, incident)
        incident.refresh_from_db()
    elif incident.status == Incident.Status.RETURNED and incident.approval_id:
        from brokerdesk.approvals.services import request_withdraw

        request_withdraw(actor=actor, request=incident.approval)
        Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.RECORDED)
        incident.status = Incident.Status.RECORDED
    return incident


def on_charge_status(*, request, status: str) -> None:
    """The approvals engine moved an incident's charge (runs inside the engine's transaction)."""
    incident = Incident.objects.select_for_update(of=("self",)).get(pk=request.subject_id)
    mapping = {
        "pending": Incident.Status.IN_APPROVAL,
        "returned": Incident.Status.RETURNED,
        "approved": Incident.Status.APPROVED,
        "rejected": Incident.Status.REJECTED,
        "withdrawn": Incident.Status.WITHDRAWN,
    }
    incident.status = mapping[status]
    fields = ["status"]
    if status in ("approved", "rejected"):
        incident.decided_at = timezone.now()
        fields.append("decided_at")
    if status == "approved" and incident.pay_month:
        # Approved after that month's pay report went to be signed: the next open month deducts it.
        month = _first_open_month(incident.branch_id, incident.pay_month)
        if month != incident.pay_month:
            incident.pay_month = month
            fields.append("pay_month")
    incident.save(update_fields=fields)


def _ids(staff_ids):
    return staff_ids if isinstance(staff_ids, QuerySet) else [getattr(s, "pk", s) for s in staff_ids]


def charges_for(staff_ids, month: dt.date) -> dict[int, Decimal]:
    """Approved incident charges deducted in ``month``'s pay: {staff_id: total (positive)}.

    ``staff_ids``: ids, Staff rows or a ``values("pk")`` queryset."""
    month = month.replace(day=1)
    rows = (
        Incident.objects.filter(
            status=Incident.Status.APPROVED, pay_month=month, responsible_id__in=_ids(staff_ids), amount__gt=0
        )
        .values("responsible_id")
        .annotate(total=Sum("amount"))
        .values_list("responsible_id", "total")
    )
    return {staff_id: to_fen(total) for staff_id, total in rows}


def charge_lines_for(staff_ids, month: dt.date) -> dict[int, list[tuple[int, Decimal, str]]]:
    """The approved charges of ``month`` one by one, for the pay slip: {staff_id: [(incident id,
    amount, reason)]}; their sum per person is :func:`charges_for`."""
    month = month.replace(day=1)
    found: dict[int, list] = {}
    for pk, staff_id, amount, kind, tag, description in (
        Incident.objects.filter(
            status=Incident.Status.APPROVED, pay_month=month, responsible_id__in=_ids(staff_ids), amount__gt=0
        )
        .order_by("happened_on", "id")
        .values_list("pk", "responsible_id", "amount", "kind", "asset__tag", "asset__description")
    ):
        label = Incident.Kind(kind).label
        found.setdefault(staff_id, []).append((pk, to_fen(amount), f"{label}：{tag} {description}"[:200]))
    return found
