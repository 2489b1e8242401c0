"""The monthly pay report (薪酬月报表, 第十五条): finance's review, signing in order through the
approvals engine (主办会计 → 副经理（经理助理）→ 经理), filing with the integrated office, and
corrections as new versions.

Statuses of a run: computed → reviewed (finance's note) → signing (a request on the
``pay_report`` flow, submitted by the reviewer, who signs the first step) → signed
(content hash stored, filed) or returned (editable again: recompute, review, submit).
A run being signed or signed never changes; a signed run is corrected by a new version
(``corrects``) computed by the pay engine.

Every status move is a conditional update (``UPDATE … WHERE status = …``) that must change
exactly one row: two finance users pressing "review" at once, or a review racing a
submit, leave one winner and a clear message for the other, on SQLite and PostgreSQL.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.access.models import RoleAssignment
from brokerdesk.access.roles import PAY_RUN, Role
from brokerdesk.access.scope import can, visible
from brokerdesk.approvals.exceptions import ApprovalError
from brokerdesk.approvals.models import Request
from brokerdesk.approvals.registry import on_status_change
from brokerdesk.approvals.services import notify, request_resubmit, request_submit
from brokerdesk.core.templatetags.bd import yearmonth
from brokerdesk.org.models import Branch
from brokerdesk.performance.models import PayRun
from brokerdesk.performance.selectors import current_import
from brokerdesk.performance.selectors_report import PAY_REPORT_FLOW

Status = PayRun.Status
EDITABLE = (Status.COMPUTED, Status.RETURNED)  # may be reviewed (and recomputed)
RECOMPUTABLE = (Status.COMPUTED, Status.REVIEWED, Status.RETURNED)
REVIEW_NOTE_MAX = 2000
REASON_MAX = 300


def _check(actor, run: PayRun) -> None:
    if not can(actor, PAY_RUN, run):
        raise PermissionDenied(_("You may not work on this branch's pay."))


def _fresh(run: PayRun) -> PayRun:
    return PayRun.objects.select_related("branch", "corrects", "approval").get(pk=run.pk)


def _locked(run: PayRun) -> PayRun:
    """The run's row, locked for this transaction (PostgreSQL; SQLite's write transactions are
    serialised already): two finance users acting at once see each other's result."""
    return (
        PayRun.objects.select_for_update(of=("self",))
        .select_related("branch", "corrects", "approval")
        .get(pk=run.pk)
    )


def locked_message(run: PayRun) -> str:
    if run.status == Status.SIGNED:
        return _(
            "Pay report v%(version)s is signed and never changes. Start a correction to make a new version."
        ) % {"version": run.version}
    return _(
        "Pay report v%(version)s is being signed and cannot change. Ask a signer to return it first."
    ) % {"version": run.version}


def ensure_editable(run: PayRun) -> None:
    """Refuse any change to a run being signed or signed (for every service that writes pay)."""
    stored = PayRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
    if stored in PayRun.LOCKED:
        run.status = stored
        raise ValidationError(locked_message(run))


def month_lock(branch, month) -> PayRun | None:
    """The branch's run of the month that is being signed, if any: nothing of that month's pay
    may change meanwhile (adjustments, recomputation)."""
    return PayRun.objects.filter(branch=branch, month=month, status=Status.SIGNING).first()


def _status_refusal(run: PayRun, wanted: str) -> ValidationError:
    if run.status in PayRun.LOCKED:
        return ValidationError(locked_message(run))
    return ValidationError(
        _("Pay report v%(version)s is %(status)s; %(wanted)s")
        % {"version": run.version, "status": run.get_status_display(), "wanted": wanted}
    )


def _figures_still_current(run: PayRun) -> None:
    imp = current_import(run.branch, run.month)
    if imp is None or imp.pk != run.crm_import_id:
        raise ValidationError(
            _(
                "The month's CRM figures were imported again after this run was computed. "
                "Recompute the pay before it is reviewed or signed."
            )
        )


def run_title(run: PayRun) -> str:
    return _("Monthly pay report of %(branch)s, %(month)s, v%(version)s") % {
        "branch": run.branch.name,
        "month": yearmonth(run.month),
        "version": run.version,
    }


# --- review -------------------------------------------------------------------------------------


@transaction.atomic
def run_review(*, actor, run: PayRun, note: str) -> PayRun:
    """Finance marks a computed (or returned) run reviewed, with its note."""
    _check(actor, run)
    run = _locked(run)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Write the review note: what was checked.")]})
    if len(note) > REVIEW_NOTE_MAX:
        raise ValidationError({"note": [_("The note is too long.")]})
    if run.status not in EDITABLE:
        raise _status_refusal(run, _("only a computed or returned run can be reviewed."))
    _figures_still_current(run)
    moved = PayRun.objects.filter(pk=run.pk, status__in=EDITABLE).update(
        status=Status.REVIEWED, reviewed_by=actor, reviewed_at=timezone.now(), review_note=note
    )
    if moved != 1:
        raise ValidationError(_("This run changed meanwhile. Reload the page."))
    return _fresh(run)


# --- submit for signing ---------------------------------------------------------------------------


def _latest_signed(run: PayRun) -> PayRun | None:
    return (
        PayRun.objects.filter(branch_id=run.branch_id, month=run.month, status=Status.SIGNED)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def run_submit(*, actor, run: PayRun) -> PayRun:
    """Send a reviewed run for signing; the submitter (finance) signs the first step."""
    _check(actor, run)
    run = _locked(run)
    if run.status != Status.REVIEWED:
        raise _status_refusal(run, _("only a reviewed run can be sent for signing."))
    _figures_still_current(run)
    signed = _latest_signed(run)
    if signed is not None and run.corrects_id != signed.pk:
        raise ValidationError(
            _(
                "Pay report v%(signed)s of this month is signed; only a correction of it can be "
                "sent for signing."
            )
            % {"signed": signed.version}
        )
    other = (
        PayRun.objects.filter(branch_id=run.branch_id, month=run.month, status=Status.SIGNING)
        .exclude(pk=run.pk)
        .first()
    )
    if other is not None:
        raise ValidationError(
            _("Version v%(version)s of this month is being signed; wait for it or have it returned.")
            % {"version": other.version}
        )
    request = run.approval
    if request is not None and request.status == Request.Status.RETURNED:
        # Send the same request round again: the signers see the whole trail.
        if request.submitter_id != actor.pk:
            raise ValidationError(
                _("Only the person who first sent this report for signing can send it again.")
            )
        request_resubmit(actor=actor, request=request, opinion=run.review_note)
    else:
        request = request_submit(
            actor=actor,
            flow_code=PAY_REPORT_FLOW,
            subject=run,
            title=run_title(run),
            branch=run.branch,
            opinion=run.review_note,
        )
        PayRun.objects.filter(pk=run.pk).update(approval=request)
    run = _fresh(run)
    if run.status != Status.SIGNING:  # the handler below moved it; anything else is a bug
        raise ValidationError(_("This run changed meanwhile. Reload the page."))
    return run


def _office_users() -> list[int]:
    return list(
        RoleAssignment.objects.filter(role=Role.INTEGRATED_OFFICE, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


@on_status_change("performance.PayRun")
def _run_follows_its_request(*, request: Request, status: str) -> None:
    """The engine moved the run's request: pending → signing; approved (the manager signed
    last) → signed, hashed and filed; returned, rejected or withdrawn → returned."""
    now = timezone.now()
    runs = PayRun.objects.filter(pk=request.subject_id)
    if status == Request.Status.PENDING:
        if runs.filter(status=Status.REVIEWED).update(status=Status.SIGNING) != 1:
            raise ApprovalError(_("Finance reviews the pay report again before it is sent for signing."))
    elif status == Request.Status.APPROVED:
        run = runs.select_related("branch").get()
        moved = runs.filter(status=Status.SIGNING).update(
            status=Status.SIGNED, signed_at=now, content_hash=run.fingerprint(), filed_at=now
        )
        if moved != 1:
            # Never let the trail say "signed" while the report says otherwise: undo the action.
            raise ApprovalError(_("The pay report is not being signed. Reload the page."))
        text = _("Filed: %(title)s") % {"title": run_title(run)}
        notify(_office_users(), text, run.get_absolute_url())
    else:
        # Returned, rejected or withdrawn: editable again (a run already returned or replaced
        # by a recomputation stays as it is).
        runs.filter(status=Status.SIGNING).update(status=Status.RETURNED)


# --- recompute and correct ------------------------------------------------------------------------


def _run_compute():
    from brokerdesk.performance import services_pay

    compute = getattr(services_pay, "run_compute", None)
    if compute is None:
        raise ValidationError(_("Pay computation is not available yet."))
    return compute


@transaction.atomic
def run_recompute(*, actor, run: PayRun) -> PayRun:
    """Compute the run's month again (new figures, adjustments): refused once signing started."""
    _check(actor, run)
    run = _locked(run)
    if run.status not in RECOMPUTABLE:
        raise _status_refusal(run, _("it cannot be recomputed."))
    return _run_compute()(
        actor=actor,
        branch=run.branch,
        month=run.month,
        corrects=run.corrects,
        reason=run.correction_reason,
    )


@transaction.atomic
def run_compute_month(*, actor, branch, month) -> PayRun:
    """The "compute pay" page: the pay engine computes the branch's month."""
    if not visible(actor, Branch, PAY_RUN).filter(pk=branch.pk).exists():
        raise PermissionDenied(_("You may not work on this branch's pay."))
    lock = month_lock(branch, month)
    if lock is not None:
        raise ValidationError(locked_message(lock))
    signed = PayRun.objects.filter(branch=branch, month=month, status=Status.SIGNED).order_by("-version")
    latest = signed.first()
    if latest is not None:
        raise ValidationError(
            _(
                "Pay report v%(version)s of this month is signed and never changes; open it and "
                "start a correction."
            )
            % {"version": latest.version}
        )
    return _run_compute()(actor=actor, branch=branch, month=month)


@transaction.atomic
def run_correct(*, actor, run: PayRun, reason: str) -> PayRun:
    """Start a correction of a signed run: a new version computed now, linked to the signed one,
    which stays signed."""
    _check(actor, run)
    run = _locked(run)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the correction.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("The reason is too long.")]})
    if run.status != Status.SIGNED:
        raise ValidationError(_("Only a signed pay report is corrected; this one can still be recomputed."))
    latest = _latest_signed(run)
    if latest is not None and latest.pk != run.pk:
        raise ValidationError(
            _("v%(version)s is the signed version in force; correct that one.") % {"version": latest.version}
        )
    open_one = (
        PayRun.objects.filter(corrects=run)
        .exclude(status__in=[Status.SIGNED, Status.SUPERSEDED])
        .order_by("-version")
        .first()
    )
    if open_one is not None:
        raise ValidationError(
            _("Correction v%(version)s of this report is already open; finish it.")
            % {"version": open_one.version}
        )
    return _run_compute()(actor=actor, branch=run.branch, month=run.month, corrects=run, reason=reason)


def run_delete(*, actor, run: PayRun) -> None:
    """Pay runs are records of pay decisions: never deleted (a signed one least of all)."""
    _check(actor, run)
    if run.status in PayRun.LOCKED:
        raise ValidationError(locked_message(run))
    raise ValidationError(
        _("A pay run is never deleted; compute the month again or, once signed, correct it.")
    )
