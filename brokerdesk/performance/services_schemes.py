"""Pay schemes (薪酬标准, 第二条): draft, validate, version and send for approval.

A scheme is data, not code: a new branch's pay standard is a new scheme, no programming.
Drafts (and returned or withdrawn schemes) can be edited; once approved a scheme never
changes: a change is a new version, a copy of the approved one, that goes through the same
route (flow ``team_standards``: integrated office → channel management → countersign → filing
→ vice-president). The pay run looks the scheme up with :func:`scheme_for`.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from brokerdesk.access import roles
from brokerdesk.access.scope import visible
from brokerdesk.approvals.models import Request
from brokerdesk.approvals.registry import SUBJECT_STATUS, on_status_change
from brokerdesk.approvals.services import request_resubmit, request_submit
from brokerdesk.org.models import Branch, Level, Staff
from brokerdesk.performance import rules_pay
from brokerdesk.performance.models import PayScheme, SchemeBasePay, SchemeBracket
from brokerdesk.performance.selectors import month_start

SCHEME_FLOW = "team_standards"
EDITABLE = (PayScheme.Status.DRAFT, PayScheme.Status.RETURNED, PayScheme.Status.WITHDRAWN)
# The scheme's own values a draft may change (branch, version and status are not among them).
SCALARS = [
    "team",
    "name",
    "effective_from",
    "min_performance_score",
    "low_performance_factor",
    "new_account_bonus",
    "new_account_min_assets",
    "asset_rate",
    "attendance_deductions",
    "override_rate",
    "holdback_rate",
    "holdback_release_revenue",
    "clawback",
    "note",
]
SHARES = ("asset_rate", "override_rate", "low_performance_factor", "holdback_rate")
AMOUNTS = ("new_account_bonus", "new_account_min_assets", "holdback_release_revenue")


def _check_branch(actor, branch: Branch) -> None:
    if not visible(actor, Branch, roles.PAY_SCHEME).filter(pk=branch.pk).exists():
        raise PermissionDenied(_("You may not draft pay schemes for this branch."))


# --- reads ------------------------------------------------------------------------------


def scheme_list(*, user) -> QuerySet[PayScheme]:
    """Schemes everyone of the branch may read (and the branches above it)."""
    return visible(user, PayScheme).select_related("branch", "team", "approval__current_step")


def with_terms(qs: QuerySet[PayScheme]) -> QuerySet[PayScheme]:
    return qs.prefetch_related(
        Prefetch("brackets", queryset=SchemeBracket.objects.order_by("lower")),
        Prefetch("base_pays", queryset=SchemeBasePay.objects.select_related("level").order_by("level__rank")),
    )


def scheme_for(staff_team, branch, month: dt.date) -> PayScheme | None:
    """The approved scheme in force for a person of ``staff_team`` (a Team, id or None) in
    ``branch`` and ``month``: the team's own scheme over the branch's, then the latest
    ``effective_from``, then the highest version."""
    team_id = getattr(staff_team, "pk", staff_team)
    schemes = PayScheme.objects.filter(
        branch=branch, status=PayScheme.Status.APPROVED, effective_from__lte=month_start(month)
    ).only("pk", "team_id", "effective_from", "version")
    found = rules_pay.pick_scheme(schemes, team_id, month_start(month))
    return with_terms(PayScheme.objects.filter(pk=found.pk)).get() if found else None


def terms_of(scheme: PayScheme) -> rules_pay.Terms:
    """A scheme's components as the pure rules take them (brackets prefetched or not)."""
    return rules_pay.Terms(
        brackets=tuple(rules_pay.Bracket(b.lower, b.upper, b.rate) for b in scheme.brackets.all()),
        min_performance_score=scheme.min_performance_score,
        low_performance_factor=scheme.low_performance_factor,
        new_account_bonus=scheme.new_account_bonus,
        new_account_min_assets=scheme.new_account_min_assets,
        asset_rate=scheme.asset_rate,
        attendance_deductions=scheme.attendance_deductions,
        override_rate=scheme.override_rate,
        holdback_rate=scheme.holdback_rate,
        holdback_release_revenue=scheme.holdback_release_revenue,
        clawback=scheme.clawback,
    )


# --- validation -----------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def bracket_messages(rows: list[dict]) -> list[str]:
    """The bracket errors as sentences naming the row (for the API and non-form callers)."""
    out = []
    for index, _field, message in rules_pay.bracket_errors(rows):
        if index is None:
            out.append(message)
        else:
            out.append(_("Bracket %(n)s: %(message)s") % {"n": index + 1, "message": message})
    return out


def _clean_brackets(rows: list[dict]) -> list[dict]:
    clean = [
        {
            "lower": _decimal(r.get("lower")),
            "upper": _decimal(r.get("upper")),
            "rate": _decimal(r.get("rate")),
        }
        for r in rows
    ]
    messages = bracket_messages(clean)
    if messages:
        raise ValidationError({"brackets": messages})
    return clean


def _clean_base_pays(rows: list[dict]) -> list[dict]:
    clean, messages, seen = [], [], set()
    types = dict(Staff.EmploymentType.choices)
    for n, row in enumerate(rows, start=1):
        level = row.get("level")
        if level is not None and not isinstance(level, Level):
            level = Level.objects.filter(pk=level).first()
        employment_type = row.get("employment_type") or Staff.EmploymentType.FULL_TIME
        amount = _decimal(row.get("amount"))
        if level is None:
            messages.append(_("Base pay %(n)s: choose a level.") % {"n": n})
            continue
        if employment_type not in types:
            messages.append(_("Base pay %(n)s: unknown employment type.") % {"n": n})
            continue
        if amount is None or amount < 0:
            messages.append(_("Base pay %(n)s: the amount cannot be negative.") % {"n": n})
            continue
        key = (level.pk, employment_type)
        if key in seen:
            messages.append(
                _("Base pay %(n)s: %(level)s (%(type)s) is given twice.")
                % {"n": n, "level": level.name, "type": types[employment_type]}
            )
            continue
        seen.add(key)
        clean.append({"level": level, "employment_type": employment_type, "amount": amount})
    if messages:
        raise ValidationError({"base_pays": messages})
    return clean


def _clean_scheme(scheme: PayScheme) -> None:
    errors: dict[str, list[str]] = {}
    if scheme.effective_from:
        scheme.effective_from = month_start(scheme.effective_from)
    if scheme.team_id and scheme.team.branch_id != scheme.branch_id:
        errors.setdefault("team", []).append(_("This team belongs to another branch."))
    for name in SHARES:
        value = getattr(scheme, name)
        if value is not None and (value < 0 or value > 1):
            errors.setdefault(name, []).append(_("A rate is a share from 0 to 1 (0.10 means ten per cent)."))
    for name in AMOUNTS:
        value = getattr(scheme, name)
        if value is not None and value < 0:
            errors.setdefault(name, []).append(_("The amount cannot be negative."))
    if errors:
        raise ValidationError(errors)
    scheme.full_clean(exclude=["approval", "previous", "created_by"])


def _write_terms(scheme: PayScheme, base_pays: list[dict] | None, brackets: list[dict] | None) -> None:
    if brackets is not None:
        scheme.brackets.all().delete()
        rows = [SchemeBracket(scheme=scheme, **b) for b in brackets]
        for row in rows:
            row.full_clean(exclude=["scheme"])
        SchemeBracket.objects.bulk_create(rows)
    if base_pays is not None:
        scheme.base_pays.all().delete()
        rows = [SchemeBasePay(scheme=scheme, **b) for b in base_pays]
        for row in rows:
            row.full_clean(exclude=["scheme"], validate_unique=False)
        SchemeBasePay.objects.bulk_create(rows)


# --- writes -------------------------------------------------------------------------------


@transaction.atomic
def scheme_save(
    *,
    actor,
    scheme: PayScheme,
    base_pays: list[dict] | None = None,
    brackets: list[dict] | None = None,
) -> PayScheme:
    """Create a draft, or edit one while it is a draft, returned or withdrawn.

    ``brackets`` ([{lower, upper, rate}]) and ``base_pays`` ([{level, employment_type,
    amount}]) replace the scheme's rows; None keeps them (an edit of the scalars only). An
    approved, rejected or in-approval scheme is refused: an approved one changes only through
    a new version.
    """
    _check_branch(actor, scheme.branch)
    if scheme.pk:
        current = PayScheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
        if current.status not in EDITABLE:
            raise ValidationError(
                _("This scheme is %(status)s and can no longer be edited; make a new version instead.")
                % {"status": current.get_status_display()}
            )
        if current.branch_id != scheme.branch_id:
            raise ValidationError({"branch": _("A scheme cannot move to another branch.")})
        _check_branch(actor, current.branch)
    else:
        scheme.created_by = actor
        scheme.status = PayScheme.Status.DRAFT
        if brackets is None:
            brackets = []
    errors: dict = {}
    for check, rows in ((_clean_brackets, brackets), (_clean_base_pays, base_pays)):
        if rows is None:
            continue
        try:
            cleaned = check(rows)
        except ValidationError as exc:
            errors.update(exc.error_dict)
        else:
            if check is _clean_brackets:
                brackets = cleaned
            else:
                base_pays = cleaned
    try:
        _clean_scheme(scheme)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    scheme.save()
    _write_terms(scheme, base_pays, brackets)
    return scheme


@transaction.atomic
def scheme_submit(*, actor, scheme: PayScheme, opinion: str = "") -> PayScheme:
    """Send a draft (or withdrawn) scheme on the team-standards route (第二条); a returned one
    goes round again on its own request, so its trail stays on one request."""
    _check_branch(actor, scheme.branch)
    scheme = (
        PayScheme.objects.select_for_update(of=("self",)).select_related("branch", "team").get(pk=scheme.pk)
    )
    if scheme.status not in EDITABLE:
        raise ValidationError(
            _("This scheme is %(status)s; it cannot be submitted again.")
            % {"status": scheme.get_status_display()}
        )
    stored = [{"lower": b.lower, "upper": b.upper, "rate": b.rate} for b in scheme.brackets.all()]
    messages = bracket_messages(stored)
    if messages:
        raise ValidationError({"brackets": messages})
    if scheme.status == PayScheme.Status.RETURNED and scheme.approval_id:
        request_resubmit(actor=actor, request=scheme.approval, opinion=opinion)
    else:
        request = request_submit(
            actor=actor,
            flow_code=SCHEME_FLOW,
            subject=scheme,
            title=_("Pay scheme: %(name)s (version %(version)s, from %(month)s)")
            % {
                "name": scheme.name,
                "version": scheme.version,
                "month": f"{scheme.effective_from:%Y-%m}",
            },
            branch=scheme.branch,
            team=scheme.team,
            opinion=opinion,
        )
        PayScheme.objects.filter(pk=scheme.pk).update(approval=request)
    scheme.refresh_from_db()
    return scheme


@on_status_change("performance.PayScheme")
def _scheme_follows_its_request(*, request: Request, status: str) -> None:
    scheme = PayScheme.objects.select_for_update(of=("self",)).get(pk=request.subject_id)
    scheme.status = SUBJECT_STATUS[status]
    scheme.save(update_fields=["status"])


@transaction.atomic
def scheme_new_version(*, actor, scheme: PayScheme) -> PayScheme:
    """A new draft version of an approved scheme: a copy with version + 1, linked to it."""
    _check_branch(actor, scheme.branch)
    scheme = PayScheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
    if scheme.status != PayScheme.Status.APPROVED:
        raise ValidationError(_("Only an approved scheme can get a new version."))
    newer = PayScheme.objects.filter(previous=scheme).exclude(status=PayScheme.Status.REJECTED).first()
    if newer is not None:
        raise ValidationError(
            _("This scheme already has a newer version (version %(version)s, %(status)s).")
            % {"version": newer.version, "status": newer.get_status_display()}
        )
    draft = PayScheme(
        branch=scheme.branch,
        version=scheme.version + 1,
        previous=scheme,
        status=PayScheme.Status.DRAFT,
        created_by=actor,
        **{name: getattr(scheme, name) for name in SCALARS},
    )
    draft.save()
    SchemeBracket.objects.bulk_create(
        [
            SchemeBracket(scheme=draft, lower=b.lower, upper=b.upper, rate=b.rate)
            for b in scheme.brackets.all()
        ]
    )
    SchemeBasePay.objects.bulk_create(
        [
            SchemeBasePay(
                scheme=draft, level_id=b.level_id, employment_type=b.employment_type, amount=b.amount
            )
            for b in scheme.base_pays.all()
        ]
    )
    return draft
