"""Every write of clients: bringing a client in (with its ownership and confirmation form),
profile changes, reassignment and claims (客户经理负责制), confirmation forms and their
monthly batches (第二十一条), monthly figures and key-account tiers.

Visits and follow-ups are in ``services_visits``; inquiries and appointments in
``services_inquiries``. Each use case checks permission first, then raises Django's
ValidationError with field errors and writes nothing when the input is wrong.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import can, has_perm, visible
from brokerdesk.approvals.registry import SUBJECT_STATUS, on_status_change
from brokerdesk.approvals.services import request_submit
from brokerdesk.clients import rules
from brokerdesk.clients.models import (
    Claim,
    Client,
    ConfirmationBatch,
    ConfirmationForm,
    Figure,
    Ownership,
    ServicePolicy,
    Tier,
)
from brokerdesk.clients.selectors import with_latest_figures
from brokerdesk.core.files import safe_display_name, validate_document
from brokerdesk.core.money import to_fen
from brokerdesk.core.serials import format_serial, next_number
from brokerdesk.core.validators import (
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)
from brokerdesk.org.models import Staff

CONFIRMATION_KIND = "client_confirmation"
CONFIRMATION_PREFIX = "QR"
PROFILE_FIELDS = (
    "name",
    "kind",
    "id_number",
    "mobile",
    "address",
    "notes",
    "source",
    "source_outlet",
    "source_note",
)


def staff_of(user) -> Staff | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Staff.objects.filter(user=user).select_related("branch", "team").first()


def require_staff(user) -> Staff:
    """The acting person's staff record; a login without one cannot act as a person."""
    me = staff_of(user)
    if me is None:
        raise PermissionDenied(_("Your login has no staff record."))
    return me


def _require(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied(_("You may not do this."))


def _clean_identity(client: Client, errors: dict) -> None:
    client.id_number = normalize_id_number(client.id_number)
    client.mobile = (client.mobile or "").strip()
    client.client_no = (client.client_no or "").strip()
    client.name = (client.name or "").strip()
    validate = validate_id_number if client.kind == Client.Kind.INDIVIDUAL else validate_credit_code
    try:
        validate(client.id_number)
    except ValidationError as exc:
        errors.setdefault("id_number", []).extend(exc.messages)
    try:
        validate_mobile(client.mobile)
    except ValidationError as exc:
        errors.setdefault("mobile", []).extend(exc.messages)
    if not rules.CLIENT_NO_RE.match(client.client_no):
        errors.setdefault("client_no", []).append(_("A client number has 6 to 20 digits."))
    if not client.name:
        errors.setdefault("name", []).append(_("Give the client's name."))


def _derive(client: Client) -> None:
    client.pinyin_initials, client.pinyin_full = rules.pinyin_keys(client.name)
    client.phone_last4 = client.mobile[-4:]


def managers_for(user):
    """The client managers the user may make responsible for a client: themselves for a client
    manager, the people in scope for a lead or the branch."""
    return visible(
        user,
        Staff.objects.filter(status__in=[Staff.Status.ACTIVE, Staff.Status.PROBATION]),
        roles.CLIENT_CHANGE,
    )


# --- bringing a client in ----------------------------------------------------------------------


@transaction.atomic
def client_create(*, actor, client: Client, manager: Staff | None = None, issue_form: bool = True) -> Client:
    """Register a client the manager brought in: the client, its first ownership period (from
    the account-opening day) and its confirmation form with the next serial number."""
    _require(actor, roles.CLIENT_CHANGE)
    me = staff_of(actor)
    if manager is None:
        manager = client.manager if client.manager_id else me
    if manager is None:
        raise ValidationError({"manager": _("Choose the responsible client manager.")})
    if not managers_for(actor).filter(pk=manager.pk).exists():
        raise ValidationError({"manager": _("You may not give clients to this person.")})
    errors: dict = {}
    _clean_identity(client, errors)
    if client.opened_on and client.opened_on > timezone.localdate():
        errors.setdefault("opened_on", []).append(_("The account cannot be opened in the future."))
    if client.client_no and Client.objects.filter(client_no=client.client_no).exists():
        errors.setdefault("client_no", []).append(_("A client with this client number already exists."))
    if errors:
        raise ValidationError(errors)
    client.manager = manager
    client.branch_id = manager.branch_id
    client.created_by = actor
    _derive(client)
    client.full_clean()
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        raise ValidationError({"client_no": _("A client with this client number already exists.")}) from None
    Ownership.objects.create(
        client=client, manager=manager, start=client.opened_on, reason=Ownership.Reason.NEW, created_by=actor
    )
    tier_recompute(Client.objects.filter(pk=client.pk))
    if issue_form:
        confirmation_issue(actor=actor, client=client)
    return client


@transaction.atomic
def client_update(*, actor, client: Client, reason: str = "", **values) -> Client:
    """Change a client's profile (not its manager, figures or tier: those have their own
    use cases)."""
    if not can(actor, roles.CLIENT_CHANGE, client):
        raise PermissionDenied(_("You may not change this client."))
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    client = Client.objects.select_for_update(of=("self",)).get(pk=client.pk)
    for field, value in values.items():
        setattr(client, field, value)
    errors: dict = {}
    _clean_identity(client, errors)
    if errors:
        raise ValidationError(errors)
    _derive(client)
    client.full_clean()
    client._change_reason = reason
    client.save()
    return client


# --- who is responsible, on which day ------------------------------------------------------------


def owner_on(client: Client | int, day: dt.date) -> int | None:
    """The staff id of the client's responsible manager on ``day`` (None before it was opened)."""
    client_id = getattr(client, "pk", client)
    return (
        Ownership.objects.filter(client_id=client_id, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .values_list("manager_id", flat=True)
        .first()
    )


def _move(
    *, client: Client, to: Staff, effective: dt.date, reason: str, actor, note: str = "", approval=None
):
    """End the open ownership the day before ``effective`` and open one for ``to``."""
    current = Ownership.objects.select_for_update().filter(client=client, end__isnull=True).first()
    if current is None:  # another change ended the period while we waited for its lock
        raise ValidationError(_("The client's manager was changed meanwhile; reload and try again."))
    if current.manager_id == to.pk:
        raise ValidationError({"manager": _("This person is already the client's manager.")})
    if effective <= current.start:
        raise ValidationError(
            {
                "effective": _("The change must take effect after %(day)s, when the current period began.")
                % {"day": current.start}
            }
        )
    if effective > timezone.localdate():
        raise ValidationError({"effective": _("A change of manager cannot take effect in the future.")})
    if to.branch_id != client.branch_id:
        raise ValidationError({"manager": _("The new manager works in another branch.")})
    # The conditional update is the guard against two changes at once: only one ends the period.
    ended = Ownership.objects.filter(pk=current.pk, end__isnull=True).update(end=effective)
    if ended != 1:
        raise ValidationError(_("The client's manager was changed meanwhile; reload and try again."))
    Ownership.objects.create(
        client=client,
        manager=to,
        start=effective,
        reason=reason,
        note=note,
        approval=approval,
        created_by=actor,
    )
    Client.objects.filter(pk=client.pk).update(manager=to)
    client.manager = to


@transaction.atomic
def client_transfer(
    *, actor, client: Client, to: Staff, effective: dt.date | None = None, note: str = ""
) -> Client:
    """Reassign a client (a manager leaves, a book is rebalanced): branch back office only."""
    if not can(actor, roles.CLIENT_ASSIGN, client):
        raise PermissionDenied(_("You may not reassign this client."))
    if not note.strip():
        raise ValidationError({"note": _("Say why the client is reassigned.")})
    _move(
        client=client,
        to=to,
        effective=effective or timezone.localdate(),
        reason=Ownership.Reason.TRANSFER,
        actor=actor,
        note=note.strip(),
    )
    return client


@transaction.atomic
def claim_submit(*, actor, client: Client, reason: str) -> Claim:
    """A manager claims a client another manager holds; the claim goes through approval."""
    me = require_staff(actor)
    client = Client.objects.select_related("manager").get(pk=client.pk)
    if client.manager_id == me.pk:
        raise ValidationError(_("This client is already yours."))
    if client.branch_id != me.branch_id:
        raise ValidationError(_("Only a manager of the client's branch may claim it."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the client should be yours.")})
    if Claim.objects.filter(
        client=client, status__in=[Claim.Status.IN_APPROVAL, Claim.Status.RETURNED]
    ).exists():
        raise ValidationError(_("Someone's claim on this client is already in approval."))
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                client=client, claimant=me, holder=client.manager, reason=reason.strip()
            )
    except IntegrityError:
        raise ValidationError(_("Someone's claim on this client is already in approval.")) from None
    claim.approval = request_submit(
        actor=actor,
        flow_code="client_claim",
        subject=claim,
        title=_("%(name)s claims client %(client)s (held by %(holder)s)")
        % {"name": me.name, "client": client, "holder": client.manager.name},
        branch=client.branch,
        team=me.team,
        opinion=reason.strip(),
    )
    claim.save(update_fields=["approval"])
    return claim


@on_status_change("clients.Claim")
def _claim_decided(*, request, status: str) -> None:
    new = SUBJECT_STATUS[status]
    Claim.objects.filter(pk=request.subject_id).update(status=new)
    if new != Claim.Status.APPROVED:
        return
    claim = Claim.objects.select_related("client", "claimant").get(pk=request.subject_id)
    client = claim.client
    if client.manager_id != claim.holder_id:
        return  # reassigned meanwhile: the claim no longer applies (the trail shows it)
    _move(
        client=client,
        to=claim.claimant,
        effective=timezone.localdate(),
        reason=Ownership.Reason.CLAIM,
        actor=request.submitter,
        note=claim.reason[:200],
        approval=request,
    )


# --- confirmation forms (营销客户确认单) -------------------------------------------------------


def _batch_for(branch_id: int, month: dt.date) -> ConfirmationBatch:
    batch, _created = ConfirmationBatch.objects.get_or_create(branch_id=branch_id, month=month)
    return batch


@transaction.atomic
def confirmation_issue(*, actor, client: Client, day: dt.date | None = None) -> ConfirmationForm:
    """Issue the client's confirmation form with the next serial number of its branch and month."""
    if not can(actor, roles.CLIENT_CHANGE, client) and not can(actor, roles.CONFIRMATION_ARCHIVE, client):
        raise PermissionDenied(_("You may not issue a confirmation form for this client."))
    day = day or timezone.localdate()
    month = day.replace(day=1)
    batch = _batch_for(client.branch_id, month)
    if batch.closed:
        raise ValidationError(_("This month's confirmation forms are archived; no form can be added."))
    number = next_number(kind=CONFIRMATION_KIND, branch=client.branch_id, month=month)
    serial = format_serial(CONFIRMATION_PREFIX, client.branch.code, month, number)
    manager = client.manager
    form = ConfirmationForm(
        serial_no=serial,
        branch_id=client.branch_id,
        month=month,
        sequence=number,
        batch=batch,
        client=client,
        manager=manager,
        client_name=client.name,
        client_no=client.client_no,
        opened_on=client.opened_on,
        source=client.source,  # the code: shown in the reader's language
        issued_by=actor,
    )
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        raise ValidationError({"serial_no": _("This serial number is already used.")}) from None
    return form


def _lock_batch(batch_id: int) -> ConfirmationBatch:
    return ConfirmationBatch.objects.select_for_update().get(pk=batch_id)


def _may_file(actor, form: ConfirmationForm) -> bool:
    return can(actor, roles.CONFIRMATION_ARCHIVE, form) or (
        form.manager.user_id == actor.pk and can(actor, roles.CLIENT_CHANGE, form.client)
    )


@transaction.atomic
def confirmation_sign(*, actor, form: ConfirmationForm, upload) -> ConfirmationForm:
    """File the signed copy (a scan or photo); replaceable until the month is archived."""
    form = (
        ConfirmationForm.objects.select_for_update(of=("self",))
        .select_related("batch", "manager")
        .get(pk=form.pk)
    )
    if not _may_file(actor, form):
        raise PermissionDenied(_("You may not file this form."))
    form.batch = _lock_batch(form.batch_id)
    if form.batch.closed:
        raise ValidationError(_("This form's month is archived; it cannot change."))
    if form.status == ConfirmationForm.Status.VOID:
        raise ValidationError(_("This form is void."))
    if upload is None:
        raise ValidationError({"signed_copy": _("Choose the scan or photo of the signed form.")})
    try:
        validate_document(upload, kinds=("pdf", "png", "jpeg"))
    except ValidationError as exc:
        raise ValidationError({"signed_copy": exc.messages}) from None
    form.signed_copy_name = safe_display_name(upload.name)
    form.signed_copy.save("signed", upload, save=False)
    form.status = ConfirmationForm.Status.SIGNED
    form.signed_at = timezone.now()
    form.signed_by = actor
    form.save()
    return form


@transaction.atomic
def confirmation_void(*, actor, form: ConfirmationForm, reason: str) -> ConfirmationForm:
    """Void a form issued in error. Its number stays taken: the sequence keeps no gaps."""
    form = ConfirmationForm.objects.select_for_update(of=("self",)).select_related("batch").get(pk=form.pk)
    if not can(actor, roles.CONFIRMATION_ARCHIVE, form):
        raise PermissionDenied(_("You may not void this form."))
    form.batch = _lock_batch(form.batch_id)
    if form.batch.closed:
        raise ValidationError(_("This form's month is archived; it cannot change."))
    if not reason.strip():
        raise ValidationError({"void_reason": _("Say why the form is void.")})
    form.status = ConfirmationForm.Status.VOID
    form.void_reason = reason.strip()[:200]
    form.save()
    return form


@transaction.atomic
def batch_close(*, actor, batch: ConfirmationBatch, note: str = "") -> ConfirmationBatch:
    """Archive a branch's month of forms: only after the month has ended, and only when every
    form is signed or void."""
    if not can(actor, roles.CONFIRMATION_ARCHIVE, batch):
        raise PermissionDenied(_("You may not archive this month's forms."))
    # Filing, voiding and archiving take the batch row's lock first, so a form cannot be
    # signed or voided in the moment its month is being archived.
    batch = _lock_batch(batch.pk)
    today = timezone.localdate()
    if batch.month >= today.replace(day=1):
        raise ValidationError(_("A month can be archived once it has ended."))
    unsigned = list(
        batch.forms.filter(status=ConfirmationForm.Status.ISSUED)
        .order_by("sequence")
        .values_list("serial_no", flat=True)
    )
    if unsigned:
        raise ValidationError(
            _("These forms have no signed copy yet: %(list)s") % {"list": ", ".join(unsigned[:50])}
        )
    closed = ConfirmationBatch.objects.filter(pk=batch.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=actor, note=note[:200]
    )
    if closed != 1:
        raise ValidationError(_("This month is already archived."))
    batch.refresh_from_db()
    return batch


# --- figures and tiers -----------------------------------------------------------------------


def _money(value, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        errors.setdefault(field, []).append(_("Enter an amount."))
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = to_fen(Decimal(str(value).replace(",", "").replace("¥", "").strip()))
    except (InvalidOperation, ValueError, TypeError):
        errors.setdefault(field, []).append(_("Enter an amount such as 1234.56."))
        return None
    if amount < 0:
        errors.setdefault(field, []).append(_("An amount cannot be negative."))
        return None
    return amount


def _refresh_latest(client_ids) -> None:
    """Copy each client's latest month of figures onto the client row."""
    latest: dict[int, Figure] = {}
    for fig in Figure.objects.filter(client_id__in=client_ids).order_by("client_id", "month"):
        latest[fig.client_id] = fig
    for client_id, fig in latest.items():
        Client.objects.filter(pk=client_id).update(
            assets=fig.assets, revenue=fig.revenue, figures_month=fig.month
        )


@transaction.atomic
def figures_save(*, actor, client: Client, month: dt.date, assets, revenue, source: str = "entry") -> Figure:
    if not can(actor, roles.CLIENT_FIGURES, client):
        raise PermissionDenied(_("You may not enter this client's figures."))
    errors: dict = {}
    a = _money(assets, "assets", errors)
    r = _money(revenue, "revenue", errors)
    month = month.replace(day=1)
    if month > timezone.localdate():
        errors.setdefault("month", []).append(_("Figures cannot be entered for a month that has not begun."))
    if errors:
        raise ValidationError(errors)
    fig, _created = Figure.objects.update_or_create(
        client=client,
        month=month,
        defaults={"assets": a, "revenue": r, "source": source, "created_by": actor},
    )
    _refresh_latest([client.pk])
    tier_recompute(Client.objects.filter(pk=client.pk))
    return fig


def figures_import(*, actor, rows: list[tuple[int, list]]) -> int:
    """Rows of (line, [client number, month YYYY-MM, assets, revenue]). Every bad line is
    reported; nothing is written unless all are good. Importing the same file again changes
    nothing (one row per client and month)."""
    _require(actor, roles.CLIENT_FIGURES)
    numbers = {str(v[0]).strip() for _line, v in rows if v and v[0] is not None}
    clients = {
        c.client_no: c
        for c in visible(actor, Client.objects.filter(client_no__in=numbers), roles.CLIENT_FIGURES).only(
            "pk", "client_no"
        )
    }
    errors: list[str] = []
    parsed: dict[tuple[int, dt.date], tuple[Decimal, Decimal, int]] = {}
    today = timezone.localdate()
    for line, values in rows:
        values = (list(values) + [None] * 4)[:4]
        number = str(values[0] or "").strip()
        problems = []
        client = clients.get(number)
        if client is None:
            problems.append(_("client number %(no)s is unknown or not in your scope") % {"no": number or "—"})
        month = None
        raw_month = values[1]
        if isinstance(raw_month, dt.datetime | dt.date):
            month = dt.date(raw_month.year, raw_month.month, 1)
        else:
            try:
                month = dt.datetime.strptime(str(raw_month or "").strip()[:7], "%Y-%m").date()
            except ValueError:
                problems.append(_("month must look like 2026-11"))
        if month and month > today:
            problems.append(_("the month has not begun"))
        field_errors: dict = {}
        a = _money(values[2], "assets", field_errors)
        r = _money(values[3], "revenue", field_errors)
        if "assets" in field_errors:
            problems.append(_("assets: %(e)s") % {"e": field_errors["assets"][0]})
        if "revenue" in field_errors:
            problems.append(_("revenue: %(e)s") % {"e": field_errors["revenue"][0]})
        if client and month and (client.pk, month) in parsed:
            problems.append(
                _("the same client and month are already on line %(other)s")
                % {"other": parsed[(client.pk, month)][2]}
            )
        if problems:
            errors.append(_("Line %(line)s: %(problems)s.") % {"line": line, "problems": "; ".join(problems)})
            continue
        parsed[(client.pk, month)] = (a, r, line)
    if not parsed and not errors:
        errors.append(_("The file has no rows."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for (client_id, month), (a, r, _line) in parsed.items():
            Figure.objects.update_or_create(
                client_id=client_id,
                month=month,
                defaults={"assets": a, "revenue": r, "source": "import", "created_by": actor},
            )
        ids = sorted({cid for cid, _m in parsed})
        _refresh_latest(ids)
        tier_recompute(Client.objects.filter(pk__in=ids))
    return len(parsed)


# Clients read per query by tier_recompute. Small enough that PostgreSQL does not JIT-compile
# each chunk's query (its estimated cost passes ``jit_above_cost`` from about 2,000 rows on:
# 40 ms of compiling a chunk, twice the time of the whole recompute); larger gains nothing.
TIER_CHUNK = 1000


def tier_recompute(clients=None) -> int:
    """Set the tier of every client whose tier is not set by hand, from its latest figures
    (the later of the hand figures on the client row and the current CRM month, the CRM's on
    the same month: ``Client.latest_assets``); returns how many clients' tiers changed.

    Read in chunks of ``TIER_CHUNK`` clients by primary key (the CRM month by the
    ``with_latest_figures`` subqueries), the rule applied in Python (``rules.tier_for``), and
    only the clients whose tier changes written, one UPDATE per new tier and chunk: a
    recompute that changes nothing writes nothing, and memory stays one chunk whatever the
    number of clients. 100,000 clients with four CRM months each: about 0.7 s on SQLite and
    1.1 s on PostgreSQL when no tier changes; 1.3 s and 5 s when every tier changes (each
    changed row rewrites the client's indexes).
    """
    qs = (clients if clients is not None else Client.objects.all()).filter(tier_manual=False)
    tiers = sorted(
        (rules.TierRule(t.pk, t.rank, t.min_assets, t.min_revenue) for t in Tier.objects.filter(active=True)),
        key=lambda t: t.rank,
    )
    rows = with_latest_figures(qs.order_by("pk")).values_list(
        "pk", "tier_id", "figures_month", "assets", "revenue", "crm_month", "crm_assets", "crm_revenue"
    )
    changed = last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:TIER_CHUNK])
        moves: dict[int | None, list[int]] = {}
        for pk, tier_id, month, assets, revenue, crm_month, crm_assets, crm_revenue in chunk:
            if crm_month is not None and (month is None or crm_month >= month):
                assets, revenue = crm_assets, crm_revenue
            new = rules.tier_for(assets, revenue, tiers)
            if new != tier_id:
                moves.setdefault(new, []).append(pk)
        if moves:
            with transaction.atomic():
                for new, pks in moves.items():
                    changed += Client.objects.filter(pk__in=pks, tier_manual=False).update(tier_id=new)
        if len(chunk) < TIER_CHUNK:
            return changed
        last = chunk[-1][0]


@transaction.atomic
def tier_save(*, actor, tier: Tier) -> Tier:
    _require(actor, roles.TIER_CONFIG)
    if tier.min_assets is None and tier.min_revenue is None:
        raise ValidationError({"min_assets": _("Give an asset floor, a revenue floor, or both.")})
    for field in ("min_assets", "min_revenue"):
        value = getattr(tier, field)
        if value is not None:
            if value < 0:
                raise ValidationError({field: _("An amount cannot be negative.")})
            setattr(tier, field, to_fen(value))
    if not tier.visit_every_days:
        raise ValidationError({"visit_every_days": _("Give the days between visits (at least 1).")})
    tier.full_clean()
    tier.save()
    tier_recompute()
    return tier


@transaction.atomic
def policy_save(*, actor, policy: ServicePolicy) -> ServicePolicy:
    """The firm-wide service policy: overlap window, days to resolve, hours to acknowledge."""
    _require(actor, roles.TIER_CONFIG)
    errors = {}
    if not 1 <= (policy.overlap_days or 0) <= 365:
        errors["overlap_days"] = _("Give a number of days from 1 to 365.")
    if not 1 <= (policy.followup_days or 0) <= 365:
        errors["followup_days"] = _("Give a number of days from 1 to 365.")
    if not 1 <= (policy.acknowledge_hours or 0) <= 168:
        errors["acknowledge_hours"] = _("Give a number of hours from 1 to 168.")
    if errors:
        raise ValidationError(errors)
    policy._change_reason = "policy"
    policy.save()
    return policy


@transaction.atomic
def tier_set_manual(*, actor, client: Client, tier: Tier | None, reason: str) -> Client:
    """Set a client's tier by hand (with a reason), or give it back to the rules (tier None)."""
    if not can(actor, roles.CLIENT_ASSIGN, client):
        raise PermissionDenied(_("You may not set this client's tier."))
    client = Client.objects.select_for_update(of=("self",)).get(pk=client.pk)
    if tier is None:
        client.tier_manual = False
        client.tier_reason = ""
        client._change_reason = reason
        client.save(update_fields=["tier_manual", "tier_reason"])
        tier_recompute(Client.objects.filter(pk=client.pk))
        client.refresh_from_db()
        return client
    if not reason.strip():
        raise ValidationError({"tier_reason": _("Say why the tier is set by hand.")})
    client.tier = tier
    client.tier_manual = True
    client.tier_reason = reason.strip()[:200]
    client._change_reason = reason
    client.save(update_fields=["tier", "tier_manual", "tier_reason"])
    return client
