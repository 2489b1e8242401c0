"""Every write of the personnel archive: documents and their verification (第二十条),
contracts (第十九条), qualifications, rewards and punishments.

Each service checks the actor's permission over the person first (``people.archive`` to
keep the file, ``people.verify`` to verify an original), validates, and writes in one
transaction. Nothing is deleted: a document is superseded by a new version, a contract
ends or is terminated, a licence is revoked, a decision withdrawn.

Interface for other areas: ``contract_create(*, actor, staff, kind, starts_on, ends_on,
signed_copy=None, original_location="")``.
"""

import contextvars
import datetime as dt
import functools
import hashlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access.roles import ARCHIVE_CHANGE, ARCHIVE_VERIFY
from brokerdesk.access.scope import security_log, visible
from brokerdesk.core.files import DOCUMENT_KINDS, safe_display_name, validate_document
from brokerdesk.core.money import to_fen
from brokerdesk.org.models import Staff
from brokerdesk.people import rules_archive as rules
from brokerdesk.people.models_archive import (
    PHOTO_KINDS,
    SINGLE_SLOTS,
    ArchiveDocument,
    Contract,
    PersonnelFile,
    Qualification,
    RewardPunishment,
    Slot,
)

# --- permission checks --------------------------------------------------------------------


def may_keep(user, staff) -> bool:
    """Whether ``user`` keeps ``staff``'s file (upload, contracts, licences, decisions)."""
    return visible(user, PersonnelFile.objects.filter(pk=staff.pk), ARCHIVE_CHANGE).exists()


def may_verify(user, staff) -> bool:
    """Whether ``user`` is a designated verifier over ``staff``'s file (not their own)."""
    if staff.user_id and staff.user_id == getattr(user, "pk", None):
        return False
    return visible(user, PersonnelFile.objects.filter(pk=staff.pk), ARCHIVE_VERIFY).exists()


def _require_keeper(actor, staff) -> None:
    if not may_keep(actor, staff):
        security_log.warning("refused archive change on staff #%s for user %s", staff.pk, actor.pk)
        raise PermissionDenied(_("You do not keep this person's file."))


def _lock_person(staff) -> Staff:
    # Serialises writes to one person's file (two uploads to a slot, a renewal twice).
    return Staff.objects.select_for_update().get(pk=staff.pk)


# --- documents ------------------------------------------------------------------------


def _check_upload(upload, slot: str, field: str = "file") -> str:
    kinds = PHOTO_KINDS if slot == Slot.PHOTO else DOCUMENT_KINDS
    try:
        return validate_document(upload, kinds)
    except ValidationError as e:
        if slot == Slot.PHOTO and e.code == "type":
            raise ValidationError({field: _("A photo must be a JPEG or PNG image.")}, code="type") from e
        raise ValidationError({field: e.error_list}) from e


def _store(
    *, actor, staff, slot: str, upload, kind: str, title: str = "", note: str = "", previous=None
) -> ArchiveDocument:
    """Save the upload as a new document row (the caller holds the person's lock)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    doc = ArchiveDocument(
        staff=staff,
        slot=slot,
        title=title[:120],
        file_name=safe_display_name(upload.name),
        file_kind=kind,
        size=upload.size,
        sha256=digest.hexdigest(),
        version=(previous.version + 1) if previous else 1,
        previous=previous,
        note=note[:200],
        uploaded_by=actor,
    )
    doc.file.save("upload", upload, save=False)
    _stored_files.get().append((doc.file.storage, doc.file.name))
    doc.save()
    return doc


# Files written during a service call; if the call fails they are removed again, so a
# refused or rolled-back write leaves nothing on disk (the database rows roll back).
_stored_files: contextvars.ContextVar[list] = contextvars.ContextVar("bd_people_stored_files")


def _cleans_files(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        token = None
        try:
            _stored_files.get()
        except LookupError:
            token = _stored_files.set([])
        try:
            return fn(*args, **kwargs)
        except BaseException:
            if token is not None:
                for storage, name in _stored_files.get():
                    storage.delete(name)
            raise
        finally:
            if token is not None:
                _stored_files.reset(token)

    return wrapper


def _supersede(doc: ArchiveDocument, now) -> None:
    updated = ArchiveDocument.objects.filter(pk=doc.pk, superseded_at__isnull=True).update(superseded_at=now)
    if updated != 1:
        raise ValidationError(_("This document has been replaced in the meantime; reload the file."))
    doc.superseded_at = now


@_cleans_files
@transaction.atomic
def document_upload(
    *,
    actor,
    staff,
    slot: str,
    upload,
    title: str = "",
    note: str = "",
    replaces: ArchiveDocument | None = None,
) -> ArchiveDocument:
    """File a document in a slot of ``staff``'s file.

    A single slot (photo, résumé, ID copy…) holds one current document: a new upload becomes
    its next version and the previous one stays in the trail, verified or not. In the other
    slots each upload is a document of its own unless it ``replaces`` one.
    """
    _require_keeper(actor, staff)
    if slot not in Slot.values:
        raise ValidationError({"slot": _("Choose one of the file's documents.")})
    if upload is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    kind = _check_upload(upload, slot)
    staff = _lock_person(staff)
    previous = replaces
    if previous is not None:
        if previous.staff_id != staff.pk or previous.slot != slot:
            raise ValidationError({"replaces": _("That document belongs to another slot or person.")})
        previous = ArchiveDocument.objects.get(pk=previous.pk)
        if previous.superseded_at is not None:
            raise ValidationError({"replaces": _("Only the current version can be replaced.")})
    elif slot in SINGLE_SLOTS:
        previous = ArchiveDocument.objects.filter(staff=staff, slot=slot, superseded_at__isnull=True).first()
    now = timezone.now()
    if previous is not None:
        _supersede(previous, now)
        title = title or previous.title
    try:
        with transaction.atomic():
            return _store(
                actor=actor,
                staff=staff,
                slot=slot,
                upload=upload,
                kind=kind,
                title=title,
                note=note,
                previous=previous,
            )
    except IntegrityError as e:
        raise ValidationError(_("This slot was changed in the meantime; reload the file.")) from e


@transaction.atomic
def document_verify(*, actor, document: ArchiveDocument, note: str = "") -> ArchiveDocument:
    """Record that the original of ``document`` was seen and matches (第二十条: 指定专人负责检查
    各种证件的真实性). Only a designated verifier (``people.verify``), never over their own file."""
    if not may_verify(actor, document.staff):
        security_log.warning("refused verification of document #%s for user %s", document.pk, actor.pk)
        raise PermissionDenied(_("You are not a designated verifier for this file."))
    now = timezone.now()
    # Conditional update: of two verifiers clicking at once, one records it.
    updated = ArchiveDocument.objects.filter(
        pk=document.pk, verified_at__isnull=True, superseded_at__isnull=True
    ).update(verified_by=actor, verified_at=now, verify_note=note[:200])
    if updated != 1:
        raise ValidationError(_("This document is already verified or has been replaced."))
    document.refresh_from_db()
    # The same values saved once more, so the change history has a row for the verification.
    document._change_reason = "verified"
    document.save(update_fields=["verified_by", "verified_at", "verify_note"])
    return document


# --- contracts (第十九条) --------------------------------------------------------------


def _contract_errors(staff, kind: str, starts_on, ends_on, exclude_pk=None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in Contract.Kind.values:
        errors["kind"] = _("Choose a labour contract or a cooperation agreement.")
    elif kind != rules.contract_kind_for(staff.employment_type):
        if kind == Contract.Kind.LABOUR:
            errors["kind"] = _("A part-timer signs a marketing cooperation agreement, not a labour contract.")
        else:
            errors["kind"] = _("An employee signs a labour contract, not a cooperation agreement.")
    if not starts_on:
        errors["starts_on"] = _("Give the start date.")
    if starts_on and ends_on and ends_on <= starts_on:
        errors["ends_on"] = _("The end date must be after the start date.")
    if starts_on and ends_on and not errors:
        overlapping = [
            c
            for c in Contract.objects.filter(staff=staff, starts_on__lte=ends_on).exclude(pk=exclude_pk)
            if c.last_day >= starts_on
        ]
        if overlapping:
            errors["starts_on"] = _("This period overlaps the contract of %(start)s to %(end)s.") % {
                "start": overlapping[0].starts_on,
                "end": overlapping[0].last_day,
            }
    return errors


@_cleans_files
@transaction.atomic
def contract_create(
    *,
    actor,
    staff,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    signed_copy=None,
    original_location: str = "",
    previous: Contract | None = None,
) -> Contract:
    """Record a labour contract (employees) or marketing cooperation agreement (part-timers).

    ``ends_on`` None means the guideline's one year. The end must be after the start, the
    kind must match the person's employment type, and the period must not overlap another
    contract. ``signed_copy`` (an upload) is filed in the person's contract slot.
    """
    _require_keeper(actor, staff)
    staff = _lock_person(staff)
    if starts_on and not ends_on:
        ends_on = rules.default_contract_end(starts_on)
    errors = _contract_errors(staff, kind, starts_on, ends_on)
    kind_doc = _check_upload(signed_copy, Slot.CONTRACT, "signed_copy") if signed_copy else None
    if errors:
        raise ValidationError(errors)
    contract = Contract(
        staff=staff,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        previous=previous,
        original_location=original_location[:120],
        created_by=actor,
    )
    contract.full_clean(exclude=["signed_copy", "previous", "created_by"])
    if signed_copy:
        contract.signed_copy = _store(
            actor=actor,
            staff=staff,
            slot=Slot.CONTRACT,
            upload=signed_copy,
            kind=kind_doc,
            title=f"{contract.get_kind_display()} {starts_on:%Y-%m-%d}–{ends_on:%Y-%m-%d}",
        )
    contract.save()
    return contract


@_cleans_files
@transaction.atomic
def contract_renew(
    *,
    actor,
    contract: Contract,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    signed_copy=None,
    original_location: str = "",
) -> Contract:
    """The next contract after ``contract`` (linked to it): by default from the day after it
    ends, for one year, of the kind the person's employment type calls for."""
    _require_keeper(actor, contract.staff)
    _lock_person(contract.staff)
    if Contract.objects.filter(previous=contract).exists():
        raise ValidationError(_("This contract has already been renewed."))
    if contract.terminated_on:
        raise ValidationError(_("A terminated contract is not renewed; record a new contract instead."))
    default_start, default_end = rules.renewal_dates(contract.ends_on)
    starts_on = starts_on or default_start
    if starts_on <= contract.ends_on:
        raise ValidationError({"starts_on": _("The renewal starts after the current contract ends.")})
    staff = Staff.objects.get(pk=contract.staff_id)
    return contract_create(
        actor=actor,
        staff=staff,
        kind=rules.contract_kind_for(staff.employment_type),
        starts_on=starts_on,
        ends_on=ends_on or rules.default_contract_end(starts_on),
        signed_copy=signed_copy,
        original_location=original_location or contract.original_location,
        previous=contract,
    )


@_cleans_files
@transaction.atomic
def contract_update(
    *,
    actor,
    contract: Contract,
    original_location: str | None = None,
    signed_copy=None,
    starts_on=None,
    ends_on=None,
) -> Contract:
    """Where the original is kept, the signed copy (a new version if there is one), and, while
    no signed copy is on file, the dates. A signed contract's dates never change."""
    _require_keeper(actor, contract.staff)
    staff = _lock_person(contract.staff)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    fields: list[str] = []
    if starts_on is not None or ends_on is not None:
        starts_on = starts_on or contract.starts_on
        ends_on = ends_on or contract.ends_on
        if (starts_on, ends_on) != (contract.starts_on, contract.ends_on):
            if contract.signed_copy_id:
                raise ValidationError({"starts_on": _("A signed contract's dates do not change.")})
            errors = _contract_errors(staff, contract.kind, starts_on, ends_on, exclude_pk=contract.pk)
            if errors:
                raise ValidationError(errors)
            contract.starts_on, contract.ends_on = starts_on, ends_on
            contract.expiry_warned_on = None
            fields += ["starts_on", "ends_on", "expiry_warned_on"]
    if signed_copy is not None:
        kind = _check_upload(signed_copy, Slot.CONTRACT, "signed_copy")
        previous = contract.signed_copy
        if previous is not None:
            _supersede(previous, timezone.now())
        contract.signed_copy = _store(
            actor=actor,
            staff=staff,
            slot=Slot.CONTRACT,
            upload=signed_copy,
            kind=kind,
            title=previous.title
            if previous
            else f"{contract.get_kind_display()} {contract.starts_on:%Y-%m-%d}–{contract.ends_on:%Y-%m-%d}",
            previous=previous,
        )
        fields.append("signed_copy")
    if original_location is not None and original_location != contract.original_location:
        contract.original_location = original_location[:120]
        fields.append("original_location")
    if fields:
        contract.save(update_fields=fields)
    return contract


@transaction.atomic
def contract_terminate(*, actor, contract: Contract, terminated_on: dt.date, reason: str) -> Contract:
    """End a contract early (departure): the record stays, its last day becomes ``terminated_on``."""
    _require_keeper(actor, contract.staff)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.terminated_on:
        raise ValidationError(_("This contract is already terminated."))
    if not terminated_on or terminated_on < contract.starts_on or terminated_on > contract.ends_on:
        raise ValidationError({"terminated_on": _("The termination date must fall within the contract.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    contract.terminated_on = terminated_on
    contract.termination_reason = reason.strip()[:200]
    contract.save(update_fields=["terminated_on", "termination_reason"])
    return contract


# --- qualifications -------------------------------------------------------------------


def _qualification_errors(kind, name, number, issued_on, expires_on, ce_hours, exclude_pk=None) -> dict:
    errors: dict[str, str] = {}
    if kind not in Qualification.Kind.values:
        errors["kind"] = _("Choose the type of qualification.")
    if kind == Qualification.Kind.OTHER and not (name or "").strip():
        errors["name"] = _("Name the licence.")
    if not (number or "").strip():
        errors["number"] = _("Give the certificate or registration number.")
    elif (
        kind
        and Qualification.objects.filter(kind=kind, number=number.strip()).exclude(pk=exclude_pk).exists()
    ):
        errors["number"] = _("This number is already on file.")
    if not issued_on:
        errors["issued_on"] = _("Give the date obtained.")
    if issued_on and expires_on and expires_on <= issued_on:
        errors["expires_on"] = _("The expiry date must be after the date obtained.")
    if ce_hours is not None and Decimal(ce_hours) < 0:
        errors["ce_hours"] = _("Hours cannot be negative.")
    return errors


@_cleans_files
@transaction.atomic
def qualification_create(
    *,
    actor,
    staff,
    kind: str,
    number: str,
    issued_on: dt.date,
    expires_on: dt.date | None = None,
    name: str = "",
    authority: str = "",
    ce_hours: Decimal | int | str = 0,
    document=None,
) -> Qualification:
    """Record a practitioner registration or another licence, with an optional certificate copy."""
    _require_keeper(actor, staff)
    staff = _lock_person(staff)
    errors = _qualification_errors(kind, name, number, issued_on, expires_on, ce_hours)
    doc_kind = _check_upload(document, Slot.QUALIFICATION, "document") if document else None
    if errors:
        raise ValidationError(errors)
    q = Qualification(
        staff=staff,
        kind=kind,
        name=name.strip()[:80],
        number=number.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
        authority=authority.strip()[:80],
        ce_hours=Decimal(ce_hours or 0),
        created_by=actor,
    )
    if document:
        q.document = _store(
            actor=actor, staff=staff, slot=Slot.QUALIFICATION, upload=document, kind=doc_kind, title=str(q)
        )
    try:
        with transaction.atomic():
            q.save()
    except IntegrityError as e:
        raise ValidationError({"number": _("This number is already on file.")}) from e
    return q


@_cleans_files
@transaction.atomic
def qualification_update(
    *,
    actor,
    qualification: Qualification,
    expires_on: dt.date | None = ...,
    ce_hours=None,
    authority: str | None = None,
    document=None,
) -> Qualification:
    """A renewed expiry, continuing-education hours, the issuer, a new certificate copy. The
    number, type and date obtained stay (a different licence is a new record)."""
    _require_keeper(actor, qualification.staff)
    staff = _lock_person(qualification.staff)
    q = Qualification.objects.select_for_update().get(pk=qualification.pk)
    if q.revoked_on:
        raise ValidationError(_("A revoked qualification does not change."))
    fields: list[str] = []
    if expires_on is not ... and expires_on != q.expires_on:
        if expires_on and expires_on <= q.issued_on:
            raise ValidationError({"expires_on": _("The expiry date must be after the date obtained.")})
        q.expires_on = expires_on
        q.expiry_warned_on = None  # the new expiry is warned of in its turn
        fields += ["expires_on", "expiry_warned_on"]
    if ce_hours is not None and Decimal(ce_hours) != q.ce_hours:
        if Decimal(ce_hours) < 0:
            raise ValidationError({"ce_hours": _("Hours cannot be negative.")})
        q.ce_hours = Decimal(ce_hours)
        fields.append("ce_hours")
    if authority is not None and authority.strip() != q.authority:
        q.authority = authority.strip()[:80]
        fields.append("authority")
    if document is not None:
        doc_kind = _check_upload(document, Slot.QUALIFICATION, "document")
        previous = q.document
        if previous is not None:
            _supersede(previous, timezone.now())
        q.document = _store(
            actor=actor,
            staff=staff,
            slot=Slot.QUALIFICATION,
            upload=document,
            kind=doc_kind,
            title=str(q),
            previous=previous,
        )
        fields.append("document")
    if fields:
        q.save(update_fields=fields)
    return q


@transaction.atomic
def qualification_revoke(
    *, actor, qualification: Qualification, revoked_on: dt.date, reason: str
) -> Qualification:
    """A registration cancelled or a licence revoked: the record stays, no longer valid."""
    _require_keeper(actor, qualification.staff)
    q = Qualification.objects.select_for_update().get(pk=qualification.pk)
    if q.revoked_on:
        raise ValidationError(_("This qualification is already revoked."))
    if not revoked_on or revoked_on < q.issued_on:
        raise ValidationError({"revoked_on": _("The date must not be before the date obtained.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    q.revoked_on = revoked_on
    q.revoke_reason = reason.strip()[:200]
    q.save(update_fields=["revoked_on", "revoke_reason"])
    return q


# --- rewards and punishments ------------------------------------------------------------


@_cleans_files
@transaction.atomic
def reward_record(
    *,
    actor,
    staff,
    kind: str,
    decided_on: dt.date,
    title: str,
    reason: str,
    decided_by: str,
    amount=None,
    document=None,
) -> RewardPunishment:
    """Record a reward or punishment decision, with the decision document if there is one."""
    _require_keeper(actor, staff)
    staff = _lock_person(staff)
    errors: dict[str, str] = {}
    if kind not in RewardPunishment.Kind.values:
        errors["kind"] = _("Choose reward or punishment.")
    if not decided_on:
        errors["decided_on"] = _("Give the date of the decision.")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("A decision cannot be dated in the future.")
    for name, value in (("title", title), ("reason", reason), ("decided_by", decided_by)):
        if not (value or "").strip():
            errors[name] = _("This field is required.")
    if amount not in (None, ""):
        if isinstance(amount, float):
            amount = str(amount)
        amount = to_fen(amount)
        if amount < 0:
            errors["amount"] = _("The amount cannot be negative.")
    else:
        amount = None
    doc_kind = _check_upload(document, Slot.REWARD_PUNISHMENT, "document") if document else None
    if errors:
        raise ValidationError(errors)
    record = RewardPunishment(
        staff=staff,
        kind=kind,
        decided_on=decided_on,
        title=title.strip()[:120],
        reason=reason.strip(),
        decided_by=decided_by.strip()[:80],
        amount=amount,
        recorded_by=actor,
    )
    if document:
        record.document = _store(
            actor=actor,
            staff=staff,
            slot=Slot.REWARD_PUNISHMENT,
            upload=document,
            kind=doc_kind,
            title=f"{decided_on:%Y-%m-%d} {record.title}",
        )
    record.save()
    return record


@transaction.atomic
def reward_withdraw(*, actor, record: RewardPunishment, reason: str) -> RewardPunishment:
    """A decision revoked later stays on file, marked withdrawn (it no longer counts)."""
    _require_keeper(actor, record.staff)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    updated = RewardPunishment.objects.filter(pk=record.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_reason=reason.strip()[:200]
    )
    if updated != 1:
        raise ValidationError(_("This decision is already withdrawn."))
    record.refresh_from_db()
    return record
