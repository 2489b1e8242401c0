"""Every read of the personnel archive that pages, API and reminders share, already scoped.

Interface for other areas:
- ``registration_valid(staff, day)`` and ``unregistered_ids(staff_ids, day)``: whether a
  person holds a valid practitioner registration (who may sell or serve);
- ``contract_valid(staff, day)`` and ``uncontracted_ids(staff_ids, day)``: whether a person
  holds a valid labour contract or cooperation agreement (第十九条);
- ``rewards_punishments_for(staff, start, end)``: decisions for assessment.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from brokerdesk.access.roles import VIEW
from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.org.filters import staff_search_q
from brokerdesk.org.models import Staff
from brokerdesk.people import rules_archive as rules
from brokerdesk.people.models_archive import (
    REQUIRED_SLOTS,
    ArchiveDocument,
    Contract,
    DocumentDownload,
    PersonnelFile,
    Qualification,
    RewardPunishment,
    Slot,
)

# Who must hold a contract and a registration: client managers at work or on probation.
ON_DUTY = (Staff.Status.ACTIVE, Staff.Status.PROBATION)


def warn_days() -> int:
    """How many days ahead expiries are warned (setting ``PEOPLE_EXPIRY_WARN_DAYS``, 30)."""
    return int(getattr(settings, "PEOPLE_EXPIRY_WARN_DAYS", 30))


# --- validity (used by clients, org and assessment) -----------------------------------


def valid_contract_q(day: dt.date, p: str = "") -> Q:
    return Q(**{f"{p}starts_on__lte": day, f"{p}ends_on__gte": day}) & (
        Q(**{f"{p}terminated_on__isnull": True}) | Q(**{f"{p}terminated_on__gte": day})
    )


def valid_registration_q(day: dt.date, p: str = "") -> Q:
    return (
        Q(**{f"{p}kind": Qualification.Kind.REGISTRATION, f"{p}issued_on__lte": day})
        & (Q(**{f"{p}expires_on__isnull": True}) | Q(**{f"{p}expires_on__gte": day}))
        & (Q(**{f"{p}revoked_on__isnull": True}) | Q(**{f"{p}revoked_on__gt": day}))
    )


def registration_valid(staff, day: dt.date) -> bool:
    """Whether the person holds a valid practitioner registration (执业登记) on ``day``."""
    return Qualification.objects.filter(
        valid_registration_q(day), staff_id=getattr(staff, "pk", staff)
    ).exists()


def unregistered_ids(staff_ids, day: dt.date) -> set[int]:
    """Of ``staff_ids``, those without a valid practitioner registration on ``day`` (one query)."""
    ids = {int(i) for i in staff_ids}
    if not ids:
        return set()
    registered = set(
        Qualification.objects.filter(valid_registration_q(day), staff_id__in=ids).values_list(
            "staff_id", flat=True
        )
    )
    return ids - registered


def contract_valid(staff, day: dt.date) -> bool:
    """Whether the person holds a contract or cooperation agreement valid on ``day``."""
    return Contract.objects.filter(valid_contract_q(day), staff_id=getattr(staff, "pk", staff)).exists()


def uncontracted_ids(staff_ids, day: dt.date) -> set[int]:
    """Of ``staff_ids``, those without a valid contract on ``day`` (one query)."""
    ids = {int(i) for i in staff_ids}
    if not ids:
        return set()
    covered = set(
        Contract.objects.filter(valid_contract_q(day), staff_id__in=ids).values_list("staff_id", flat=True)
    )
    return ids - covered


def flags_for(staff_list, day: dt.date | None = None) -> dict[int, dict[str, bool]]:
    """For the client managers on duty among ``staff_list`` (objects with ``pk``):
    ``{id: {"no_registration": …, "no_contract": …}}`` of those
    flagged. One query whatever the number of people."""
    day = day or timezone.localdate()
    # Position and status are checked in the query, not on the objects: the page then costs
    # one query whether or not it lists client managers (a constant count for list tests).
    pks = [s.pk for s in staff_list]
    if not pks:
        return {}
    rows = (
        Staff.objects.filter(pk__in=pks, position=Staff.Position.CLIENT_MANAGER, status__in=ON_DUTY)
        .annotate(
            registered=Exists(
                Qualification.objects.filter(valid_registration_q(day), staff_id=OuterRef("pk"))
            ),
            contracted=Exists(Contract.objects.filter(valid_contract_q(day), staff_id=OuterRef("pk"))),
        )
        .filter(Q(registered=False) | Q(contracted=False))
        .values_list("pk", "registered", "contracted")
    )
    return {pk: {"no_registration": not reg, "no_contract": not con} for pk, reg, con in rows}


def rewards_punishments_for(staff, start: dt.date | None = None, end: dt.date | None = None):
    """A person's standing reward and punishment decisions (for assessment), newest first."""
    qs = RewardPunishment.objects.filter(staff_id=getattr(staff, "pk", staff), withdrawn_at__isnull=True)
    if start:
        qs = qs.filter(decided_on__gte=start)
    if end:
        qs = qs.filter(decided_on__lte=end)
    return qs.order_by("-decided_on", "-id")


def rewards_punishments_summary(staff_ids, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """``{staff id: {"reward": n, "punishment": m}}`` of standing decisions in a period."""
    rows = (
        RewardPunishment.objects.filter(
            staff_id__in=list(staff_ids),
            withdrawn_at__isnull=True,
            decided_on__gte=start,
            decided_on__lte=end,
        )
        .values("staff_id", "kind")
        .annotate(n=Count("pk"))
    )
    out: dict[int, dict[str, int]] = {}
    for r in rows:
        out.setdefault(r["staff_id"], {"reward": 0, "punishment": 0})[r["kind"]] = r["n"]
    return out


# --- the list of files ------------------------------------------------------------------


def _count(qs) -> Coalesce:
    sub = qs.order_by().values("staff_id").annotate(c=Count("pk")).values("c")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def annotate_files(qs: QuerySet, day: dt.date) -> QuerySet:
    """Each file with what it lacks: required slots filled, unverified documents, a valid
    contract and registration today, and whether either ends within the warning window."""
    current = ArchiveDocument.objects.filter(staff_id=OuterRef("pk"), superseded_at__isnull=True)
    filled = (
        current.filter(slot__in=[s.value for s in REQUIRED_SLOTS])
        .order_by()
        .values("staff_id")
        .annotate(c=Count("slot", distinct=True))
        .values("c")
    )
    horizon = day + dt.timedelta(days=warn_days())
    contracts = Contract.objects.filter(staff_id=OuterRef("pk"))
    registrations = Qualification.objects.filter(staff_id=OuterRef("pk"))
    expiring_contract = contracts.filter(valid_contract_q(day), ends_on__lte=horizon, renewal__isnull=True)
    expiring_licence = registrations.filter(
        revoked_on__isnull=True, expires_on__gte=day, expires_on__lte=horizon
    )
    return qs.annotate(
        slots_filled=Coalesce(Subquery(filled, output_field=IntegerField()), Value(0)),
        unverified_count=_count(current.filter(verified_at__isnull=True)),
        has_contract=Exists(contracts.filter(valid_contract_q(day))),
        has_registration=Exists(registrations.filter(valid_registration_q(day))),
        contract_expiring=Exists(expiring_contract),
        licence_expiring=Exists(expiring_licence),
    )


FILTERS = ("missing", "unverified", "expiring", "no_contract", "no_registration")


def file_list(*, user, filters: dict | None = None, day: dt.date | None = None) -> QuerySet[PersonnelFile]:
    """Personnel files in the user's scope, searchable by name, 工号 or pinyin, filterable by
    what is missing, unverified or expiring."""
    filters = filters or {}
    day = day or timezone.localdate()
    qs = visible(user, PersonnelFile).select_related("branch", "team")
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(staff_search_q(q))
    if branch := filters.get("branch"):
        qs = qs.filter(branch_id=getattr(branch, "pk", branch))
    if team := filters.get("team"):
        qs = qs.filter(team_id=getattr(team, "pk", team))
    status = filters.get("status")
    if status == "all":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status__in=[Staff.Status.LEFT, Staff.Status.CANDIDATE])
    if position := filters.get("position"):
        qs = qs.filter(position=position)
    qs = annotate_files(qs, day)
    show = filters.get("show")
    if show == "missing":
        qs = qs.filter(slots_filled__lt=len(REQUIRED_SLOTS))
    elif show == "unverified":
        qs = qs.filter(unverified_count__gt=0)
    elif show == "expiring":
        qs = qs.filter(Q(contract_expiring=True) | Q(licence_expiring=True))
    elif show == "no_contract":
        qs = qs.filter(has_contract=False, position=Staff.Position.CLIENT_MANAGER)
    elif show == "no_registration":
        qs = qs.filter(has_registration=False, position=Staff.Position.CLIENT_MANAGER)
    return qs.order_by("branch__code", "emp_no")


def file_get(*, user, pk, perm: str = VIEW) -> PersonnelFile:
    """One person's file if the user may see it (404 otherwise, the attempt logged)."""
    return get_for_user(
        user, PersonnelFile.objects.select_related("branch", "team", "level", "outlet"), pk, perm
    )


def own_file(user) -> PersonnelFile | None:
    return PersonnelFile.objects.filter(user=user).first() if user.is_authenticated else None


# --- one file ---------------------------------------------------------------------------


@dataclass
class SlotView:
    slot: str
    label: str
    required: bool
    documents: list = field(default_factory=list)  # current versions
    history: list = field(default_factory=list)  # superseded versions

    @property
    def missing(self) -> bool:
        return self.required and not self.documents

    @property
    def unverified(self) -> bool:
        return any(d.verified_at is None for d in self.documents)


def file_slots(staff) -> list[SlotView]:
    """Every slot of the file with its current documents and their earlier versions."""
    docs = list(
        ArchiveDocument.objects.filter(staff=staff)
        .select_related("uploaded_by__staff", "verified_by__staff")
        .order_by("slot", "-version", "-id")
    )
    views = {s.value: SlotView(slot=s.value, label=s.label, required=s in REQUIRED_SLOTS) for s in Slot}
    for d in docs:
        (views[d.slot].documents if d.superseded_at is None else views[d.slot].history).append(d)
    return list(views.values())


def file_summary(staff, day: dt.date | None = None) -> dict[str, Any]:
    """What the file lacks: missing and unverified slots, contract and registration state."""
    day = day or timezone.localdate()
    slots = file_slots(staff)
    return _summary(staff, slots, day)


def _summary(staff, slots, day) -> dict[str, Any]:
    on_duty = staff.position == Staff.Position.CLIENT_MANAGER and staff.status in ON_DUTY
    has_contract = contract_valid(staff, day)
    has_registration = registration_valid(staff, day)
    return {
        "missing": [s for s in slots if s.missing],
        "unverified": [s for s in slots if s.unverified],
        "has_contract": has_contract,
        "has_registration": has_registration,
        "flag_no_contract": on_duty and not has_contract,
        "flag_no_registration": on_duty and not has_registration,
    }


def contracts_of(staff) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(staff=staff)
        .select_related("signed_copy", "previous", "created_by")
        .prefetch_related(Prefetch("renewal"))
        .order_by("-starts_on", "-id")
    )


def qualifications_of(staff) -> QuerySet[Qualification]:
    return Qualification.objects.filter(staff=staff).select_related("document").order_by("kind", "-issued_on")


def rewards_punishments_of(staff) -> QuerySet[RewardPunishment]:
    return RewardPunishment.objects.filter(staff=staff).select_related("document", "recorded_by")


def assessments_of(staff):
    """The person's confirmed and draft assessments of each period (第二十条: 各期考核情况)."""
    from brokerdesk.performance.models import Assessment

    return Assessment.objects.filter(staff=staff).order_by("-starts_on", "period")


def training_of(staff):
    """The person's training records (第二十四条), from the training area if it is there."""
    try:
        from brokerdesk.people.selectors_training import records_for
    except ImportError:
        return []
    return records_for(staff)


def downloads_of(*, user, staff, limit: int = 50):
    """The latest downloads of a person's documents (for those who keep the file)."""
    return (
        visible(user, DocumentDownload)
        .filter(document__staff=staff)
        .select_related("document", "user__staff")
        .order_by("-at", "-id")[:limit]
    )


def document_get(*, user, pk, perm: str = VIEW) -> ArchiveDocument:
    return get_for_user(user, ArchiveDocument.objects.select_related("staff"), pk, perm)


def contract_get(*, user, pk, perm: str = VIEW) -> Contract:
    return get_for_user(user, Contract.objects.select_related("staff", "signed_copy"), pk, perm)


def qualification_get(*, user, pk, perm: str = VIEW) -> Qualification:
    return get_for_user(user, Qualification.objects.select_related("staff", "document"), pk, perm)


def reward_get(*, user, pk, perm: str = VIEW) -> RewardPunishment:
    return get_for_user(user, RewardPunishment.objects.select_related("staff", "document"), pk, perm)


# --- the dashboard ----------------------------------------------------------------------


def expiring_contracts(*, user, day: dt.date | None = None, days: int | None = None) -> QuerySet[Contract]:
    """Contracts valid today that end within the window and have no renewal yet."""
    day = day or timezone.localdate()
    horizon = day + dt.timedelta(days=warn_days() if days is None else days)
    return (
        visible(user, Contract)
        .filter(valid_contract_q(day), ends_on__lte=horizon, renewal__isnull=True)
        .exclude(staff__status=Staff.Status.LEFT)
        .select_related("staff", "staff__branch", "staff__team")
        .order_by("ends_on", "staff__emp_no")
    )


def expiring_qualifications(
    *, user, day: dt.date | None = None, days: int | None = None
) -> QuerySet[Qualification]:
    day = day or timezone.localdate()
    horizon = day + dt.timedelta(days=warn_days() if days is None else days)
    return (
        visible(user, Qualification)
        .filter(revoked_on__isnull=True, expires_on__gte=day, expires_on__lte=horizon)
        .exclude(staff__status=Staff.Status.LEFT)
        .select_related("staff", "staff__branch")
        .order_by("expires_on", "staff__emp_no")
    )


def dashboard(*, user, day: dt.date | None = None) -> dict[str, Any]:
    """Counts and short lists for HR and the trade-management post: files with missing or
    unverified documents, contracts and licences expiring, client managers without a valid
    contract or registration. A constant number of queries."""
    day = day or timezone.localdate()
    files = file_list(user=user, day=day)
    n_required = len(REQUIRED_SLOTS)
    totals = files.order_by().aggregate(
        total=Count("pk"),
        missing=Count("pk", filter=Q(slots_filled__lt=n_required)),
        unverified=Count("pk", filter=Q(unverified_count__gt=0)),
    )
    duty = files.filter(position=Staff.Position.CLIENT_MANAGER, status__in=ON_DUTY)
    no_contract = list(duty.filter(has_contract=False)[:20])
    no_registration = list(duty.filter(has_registration=False)[:20])
    counts = duty.order_by().aggregate(
        no_contract=Count("pk", filter=Q(has_contract=False)),
        no_registration=Count("pk", filter=Q(has_registration=False)),
    )
    return {
        "day": day,
        "warn_days": warn_days(),
        "totals": {**totals, **counts},
        "no_contract": no_contract,
        "no_registration": no_registration,
        "expiring_contracts": list(expiring_contracts(user=user, day=day)[:20]),
        "expiring_qualifications": list(expiring_qualifications(user=user, day=day)[:20]),
        "unverified_documents": list(
            visible(user, ArchiveDocument)
            .filter(superseded_at__isnull=True, verified_at__isnull=True)
            .select_related("staff")
            .order_by("uploaded_at")[:20]
        ),
    }


def slot_state_rules(staff) -> list[rules.SlotState]:
    current: dict[str, list[bool]] = {}
    for slot, verified_at in ArchiveDocument.objects.filter(
        staff=staff, superseded_at__isnull=True
    ).values_list("slot", "verified_at"):
        current.setdefault(slot, []).append(verified_at is not None)
    return rules.slot_states(tuple(s.value for s in REQUIRED_SLOTS), current)
