"""Every write of the archive register: filing, editing and withdrawing entries, moving an
original (custody), and closing a branch's month. Each checks the actor's permission over the
record first and runs in one transaction.

Races: filing, editing, withdrawing and closing all take the month's batch row lock first
(``select_for_update`` on PostgreSQL; SQLite serialises writers with IMMEDIATE transactions),
so nothing lands in a month in the moment it is being closed, and the closing sees every
entry. Serial numbers come from ``core.serials`` inside the same transaction: gap-free.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import can
from brokerdesk.archives import rules_register as rules
from brokerdesk.archives.models_register import CustodyMove, RegisterBatch, RegisterEntry
from brokerdesk.core.files import safe_display_name, validate_document
from brokerdesk.core.serials import format_serial, next_number
from brokerdesk.org.models import Branch, Staff

ACTIVE_STATUSES = (Staff.Status.ACTIVE, Staff.Status.PROBATION)


def closed_message(batch: RegisterBatch) -> str:
    return _(
        "%(month)s is closed for this branch: its entries cannot be added, changed or withdrawn. "
        "File a correction in an open month that refers to the earlier serial number."
    ) % {"month": f"{batch.month:%Y-%m}"}


def batch_for(branch_id: int, month: dt.date) -> RegisterBatch:
    batch, _created = RegisterBatch.objects.get_or_create(branch_id=branch_id, month=rules.month_of(month))
    return batch


def _lock_batch(batch_id: int) -> RegisterBatch:
    return RegisterBatch.objects.select_for_update().get(pk=batch_id)


def _check_text(errors: dict, data: dict) -> None:
    limits = {"title": 200, "cabinet": 40, "folder": 60, "source_ref": 300, "note": 1000}
    for field, limit in limits.items():
        if field in data and len(data[field] or "") > limit:
            errors.setdefault(field, []).append(
                _("At most %(n)s characters.") % {"n": limit},
            )
    if "title" in data and not (data["title"] or "").strip():
        errors.setdefault("title", []).append(_("Enter the document's title."))
    if "cabinet" in data and not (data["cabinet"] or "").strip():
        errors.setdefault("cabinet", []).append(_("Enter the cabinet where the original is kept."))
    pages = data.get("pages")
    if pages is not None and (not isinstance(pages, int) or pages < 1 or pages > 100_000):
        errors.setdefault("pages", []).append(_("Enter a number of pages from 1."))


def _check_scan(errors: dict, scan) -> None:
    if scan is None:
        return
    try:
        validate_document(scan)
    except ValidationError as exc:
        errors.setdefault("scan", []).extend(exc.messages)


@transaction.atomic
def entry_file(
    *,
    actor,
    branch: Branch,
    kind: str,
    month: dt.date,
    title: str,
    cabinet: str,
    folder: str = "",
    pages: int | None = None,
    source_ref: str = "",
    note: str = "",
    scan=None,
    corrects: RegisterEntry | None = None,
    submission_key: str | None = None,
    today: dt.date | None = None,
) -> RegisterEntry:
    """File a document in a branch's register with the next serial number of its kind, branch
    and month. The original starts in the archive room. The same ``submission_key`` twice (a
    double click) returns the first entry instead of filing again."""
    if branch is None or not can(actor, roles.REGISTER_FILE, branch):
        raise PermissionDenied(_("You may not file documents in this branch's register."))
    today = today or timezone.localdate()
    errors: dict[str, list] = {}
    if kind not in RegisterEntry.Kind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of document."))
    if month is None:
        errors.setdefault("month", []).append(_("Enter the period (month)."))
    elif not rules.may_file_into(month, today):
        errors.setdefault("month", []).append(
            _("A document cannot be filed into a month that has not begun.")
        )
    data = {
        "title": title or "",
        "cabinet": cabinet or "",
        "folder": folder or "",
        "pages": pages,
        "source_ref": source_ref or "",
        "note": note or "",
    }
    _check_text(errors, data)
    _check_scan(errors, scan)
    if corrects is not None:
        if not can(actor, roles.VIEW, corrects):
            errors.setdefault("corrects", []).append(_("The corrected entry is not in your register."))
        elif corrects.branch_id != branch.pk:
            errors.setdefault("corrects", []).append(
                _("A correction is filed in the same branch's register.")
            )
    if errors:
        raise ValidationError(errors)
    if submission_key:
        earlier = RegisterEntry.objects.filter(submission_key=submission_key, filed_by=actor).first()
        if earlier is not None:
            return earlier
    month = rules.month_of(month)
    batch = _lock_batch(batch_for(branch.pk, month).pk)
    if batch.closed:
        raise ValidationError({"month": closed_message(batch)})
    if submission_key:  # looked again under the lock: the first of two clicks has committed
        earlier = RegisterEntry.objects.filter(submission_key=submission_key, filed_by=actor).first()
        if earlier is not None:
            return earlier
    entry = RegisterEntry(
        kind=kind,
        branch=branch,
        month=month,
        batch=batch,
        filed_by=actor,
        corrects=corrects,
        submission_key=submission_key or None,
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()},
    )
    entry.title_key = rules.title_key(entry.title)
    if scan is not None:
        entry.scan = scan
        entry.scan_name = safe_display_name(scan.name)
    entry._history_user = actor
    try:
        # The number and the row in one savepoint: if the row cannot be written, the counter's
        # increment is undone with it and the number is not lost (gap-free).
        with transaction.atomic():
            number = next_number(kind=rules.counter_kind(kind), branch=branch.pk, month=month)
            entry.sequence = number
            entry.serial_no = format_serial(rules.prefix_for(kind), branch.code, month, number)
            entry.save()
    except IntegrityError:
        if submission_key:
            earlier = RegisterEntry.objects.filter(submission_key=submission_key).first()
            if earlier is not None:
                return earlier
        raise ValidationError({"serial_no": _("This serial number is already used.")}) from None
    return entry


def _may_change(actor, entry: RegisterEntry) -> None:
    if not can(actor, roles.REGISTER_FILE, entry):
        raise PermissionDenied(_("You may not change this register entry."))


def _lock_open(entry: RegisterEntry) -> RegisterEntry:
    """The entry, re-read after its month's lock is taken; refused when the month is closed."""
    batch = _lock_batch(entry.batch_id)
    if batch.closed:
        raise ValidationError(closed_message(batch))
    return RegisterEntry.objects.select_related("branch", "custodian").get(pk=entry.pk)


@transaction.atomic
def entry_update(*, actor, entry: RegisterEntry, scan=None, **changes) -> RegisterEntry:
    """Correct what an entry says (title, where the original lies, pages, source, note, the
    scanned copy) while its month is open. Kind, branch and period make the serial number and
    never change; after the month is closed a correction is a new entry."""
    _may_change(actor, entry)
    unknown = set(changes) - set(RegisterEntry.EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {field: [_("This cannot be changed; file a new entry instead.")] for field in sorted(unknown)}
        )
    entry = _lock_open(entry)
    if entry.withdrawn:
        raise ValidationError(_("A withdrawn entry does not change."))
    errors: dict[str, list] = {}
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    for field in ("title", "cabinet", "folder", "source_ref", "note"):
        if field in data and data[field] is None:
            data[field] = ""
    _check_text(errors, data)
    _check_scan(errors, scan)
    if errors:
        raise ValidationError(errors)
    fields = [f for f, v in data.items() if getattr(entry, f) != v]
    for field in fields:
        setattr(entry, field, data[field])
    if "title" in fields:
        entry.title_key = rules.title_key(entry.title)
        fields.append("title_key")
    if scan is not None:
        entry.scan = scan
        entry.scan_name = safe_display_name(scan.name)
        fields += ["scan", "scan_name"]
    if fields:
        entry._history_user = actor
        entry.save(update_fields=fields)
    return entry


@transaction.atomic
def entry_withdraw(*, actor, entry: RegisterEntry, reason: str) -> RegisterEntry:
    """Withdraw an entry filed in error while its month is open. The row and its number stay
    (no gap, nothing deleted); a search still finds it, marked withdrawn."""
    _may_change(actor, entry)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the entry is withdrawn.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": 200}})
    entry = _lock_open(entry)
    if entry.withdrawn:
        raise ValidationError(_("This entry is already withdrawn."))
    entry.status = RegisterEntry.Status.WITHDRAWN
    entry.withdrawn_reason = reason
    entry.withdrawn_at = timezone.now()
    entry._history_user = actor
    entry.save(update_fields=["status", "withdrawn_reason", "withdrawn_at"])
    return entry


def may_pass(actor, entry: RegisterEntry) -> bool:
    """The register's keepers (``archive.file``) record who takes and returns an original; the
    handover of a departing person (``people.handover``) may pass on what they hold."""
    return can(actor, roles.REGISTER_FILE, entry) or can(actor, roles.HANDOVER, entry)


@transaction.atomic
def custody_pass(
    *, actor, entry: RegisterEntry, to_staff: Staff | None, note: str = "", checked_by_caller: bool = False
) -> RegisterEntry:
    """Record that the original of ``entry`` now lies with ``to_staff`` (None: back in the
    archive room), writing one row of the custody trail. Allowed on closed months too: closing
    freezes what an entry says, not where its paper is. ``checked_by_caller``: the handover
    (helper E) checked its own permission — giver and receiver each confirmed with their own
    login — and the receiver who confirms last is the actor."""
    if not checked_by_caller and not may_pass(actor, entry):
        raise PermissionDenied(_("You may not record who holds this original."))
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("At most %(n)s characters.") % {"n": 200}})
    # The entry row's lock: two people recording a move of the same original at once are taken
    # in turn, and the second sees the first one's holder.
    entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
    if to_staff is not None:
        if to_staff.status not in ACTIVE_STATUSES:
            raise ValidationError({"to_staff": _("An original can only be passed to someone in post.")})
        if to_staff.branch_id not in (None, entry.branch_id):
            raise ValidationError(
                {"to_staff": _("An original stays with its branch's people or the head office.")}
            )
    if (to_staff.pk if to_staff else None) == entry.custodian_id:
        if to_staff is None:
            raise ValidationError({"to_staff": _("The original is already in the archive room.")})
        raise ValidationError(
            {"to_staff": _("%(name)s already holds the original.") % {"name": to_staff.name}}
        )
    now = timezone.now()
    # A conditional update on the holder read under the lock (also correct on SQLite, where
    # select_for_update does nothing): exactly one row moves or the move is refused.
    moved = RegisterEntry.objects.filter(pk=entry.pk, custodian_id=entry.custodian_id).update(
        custodian=to_staff, custody_since=now if to_staff else None
    )
    if moved != 1:
        raise ValidationError(_("Someone recorded a move of this original at the same moment; try again."))
    CustodyMove.objects.create(
        entry=entry, from_staff_id=entry.custodian_id, to_staff=to_staff, moved_by=actor, note=note
    )
    entry.refresh_from_db()
    return entry


@transaction.atomic
def batch_close(
    *, actor, batch: RegisterBatch, note: str = "", today: dt.date | None = None
) -> RegisterBatch:
    """Close (archive) a branch's month once it is over: its entries can no longer be added,
    changed or withdrawn. Records who closed it and when."""
    if not can(actor, roles.REGISTER_FILE, batch):
        raise PermissionDenied(_("You may not close this branch's month."))
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("At most %(n)s characters.") % {"n": 200}})
    batch = _lock_batch(batch.pk)
    today = today or timezone.localdate()
    if batch.closed:
        raise ValidationError(_("This month is already closed."))
    if not rules.may_close(batch.month, today):
        raise ValidationError(_("A month can be closed once it is over."))
    closed = RegisterBatch.objects.filter(pk=batch.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=actor, note=note
    )
    if closed != 1:
        raise ValidationError(_("This month is already closed."))
    batch.refresh_from_db()
    return batch


@transaction.atomic
def month_close(*, actor, branch: Branch, month: dt.date, note: str = "", today: dt.date | None = None):
    """Close a branch's month by its branch and month (the batch is made if nothing was filed)."""
    if branch is None or not can(actor, roles.REGISTER_FILE, branch):
        raise PermissionDenied(_("You may not close this branch's month."))
    return batch_close(actor=actor, batch=batch_for(branch.pk, month), note=note, today=today)
