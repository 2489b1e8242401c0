"""Every read of departure and transfer handovers, and the one question org asks:
:func:`handover_blocking` — may this person's departure or transfer complete now?

The live holdings of a person (assets, clients, open follow-ups, planned visits, archive
items, pay owed or withheld) are read here from the other areas' own selectors, so the
checklist, its refresh and completion all see the same thing.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brokerdesk.access.scope import get_for_user, visible
from brokerdesk.assets import rules_handover as rules
from brokerdesk.assets.models_handover import Handover, HandoverEvent, HandoverLine
from brokerdesk.clients.models import Client, FollowUp, Visit
from brokerdesk.core.money import ZERO

OPEN_FOLLOWUP = (FollowUp.Status.OPEN, FollowUp.Status.SENT, FollowUp.Status.RESOLVED)


# --- the person's live holdings ------------------------------------------------------------


def held_assets(staff) -> list[tuple]:
    """(asset, quantity) the person holds now, from the asset ledger (helper D's interface)."""
    from brokerdesk.assets.selectors_assets import held_by

    return [(asset, qty) for asset, qty in held_by(staff) if qty > 0]


def custody_entries(staff) -> QuerySet:
    """Archive register entries whose original the person holds (helper C's interface)."""
    from brokerdesk.archives.selectors import in_custody_of

    return in_custody_of(staff)


def held_clients(staff) -> QuerySet[Client]:
    return Client.objects.filter(manager=staff, status=Client.Status.ACTIVE).order_by("client_no")


def open_followups(staff) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(owner=staff, status__in=OPEN_FOLLOWUP)
        .select_related("client")
        .order_by("due_on", "pk")
    )


def planned_visits(staff) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(author=staff, status=Visit.Status.PLANNED)
        .select_related("client")
        .order_by("planned_on", "pk")
    )


def holding_counts(staff) -> dict[str, int]:
    """How many of each kind the person still holds (the pay position is separate)."""
    return {
        rules.ASSET: len(held_assets(staff)),
        rules.CLIENT: held_clients(staff).count(),
        rules.FOLLOWUP: open_followups(staff).count(),
        rules.VISIT: planned_visits(staff).count(),
        rules.ARCHIVE: custody_entries(staff).count(),
    }


def _charges(staff, month: dt.date) -> Decimal:
    """Approved incident charges to deduct in the month's pay (helper D's interface)."""
    try:
        from brokerdesk.assets.services_assets import charges_for
    except ImportError:  # pragma: no cover - the interface is part of the assets area
        return ZERO
    return charges_for([staff.pk], month).get(staff.pk, ZERO)


def pay_position(staff, month: dt.date | None = None) -> rules.PayPosition:
    """Pay still owed to the person or withheld from them (see :func:`rules.pay_position`).

    ``month`` is the month whose incident charges count (the handover's effective month).
    """
    from brokerdesk.performance.models import PayAdjustment, PayLine, PayRun, PaySlip

    month = (month or timezone.localdate()).replace(day=1)
    unsigned = [
        rules.UnsignedRun(run_id, m, version, status, total)
        for run_id, m, version, status, total in PaySlip.objects.filter(staff=staff)
        .exclude(run__status__in=[PayRun.Status.SIGNED, PayRun.Status.SUPERSEDED])
        .values_list("run_id", "run__month", "run__version", "run__status", "total")
    ]
    # The basis of payment of a month is its latest signed run (a correction is a new version).
    branches = PaySlip.objects.filter(staff=staff).values("run__branch_id")
    latest: dict[tuple[int, dt.date], int] = {}
    for branch_id, m, pk in (
        PayRun.objects.filter(status=PayRun.Status.SIGNED, branch_id__in=branches)
        .order_by("branch_id", "month", "-version")
        .values_list("branch_id", "month", "pk")
    ):
        latest.setdefault((branch_id, m), pk)
    signed_ids = list(latest.values())
    holdbacks = [
        rules.Holdback(m, -amount)
        for m, amount in PayLine.objects.filter(
            run_id__in=signed_ids, staff=staff, component=PayLine.Component.HOLDBACK
        ).values_list("run__month", "amount")
    ]
    settled = set(
        PaySlip.objects.filter(run_id__in=signed_ids, staff=staff).values_list("run__month", flat=True)
    )
    settled = {m for m in settled if m == rules.quarter_last_month(m)}
    signed_months = {m for (_b, m) in latest}
    pending = [
        (m, amount)
        for m, amount in PayAdjustment.objects.filter(staff=staff).values_list("month", "amount")
        if m not in signed_months
    ]
    return rules.pay_position(
        unsigned=unsigned,
        holdbacks=holdbacks,
        settled_quarter_ends=settled,
        pending_adjustments=pending,
        charges=_charges(staff, month),
    )


# --- may the departure or transfer complete? -----------------------------------------------


def open_handover(staff) -> Handover | None:
    return Handover.objects.filter(staff=staff, status=Handover.Status.OPEN).first()


def checklist_blocking(handover: Handover) -> str | None:
    """Lines of the checklist still to do."""
    undone = handover.lines.filter(status=HandoverLine.Status.OPEN).count()
    if undone:
        return ngettext(
            "%(n)d line of the handover checklist is not done yet.",
            "%(n)d lines of the handover checklist are not done yet.",
            undone,
        ) % {"n": undone}
    return None


def live_blocking(staff, kind: str, handover: Handover | None = None) -> str | None:
    """What the person still holds now, whatever the ticks say: the checklist must reflect
    their holdings at completion time. ``handover`` is the checklist whose pay line counts
    as finance's acknowledgement (default: the latest completed one of this kind)."""
    counts = holding_counts(staff)
    what = rules.holdings_sentence(counts)
    if what:
        if handover is not None:
            return _(
                "%(name)s still holds %(what)s that the checklist has not handed over: refresh the "
                "checklist and hand them over."
            ) % {"name": staff.name, "what": what}
        return _(
            "%(name)s still holds %(what)s: start a %(kind)s handover and finish its checklist first."
        ) % {"name": staff.name, "what": what, "kind": str(Handover.Kind(kind).label).lower()}
    if handover is None:
        handover = (
            Handover.objects.filter(staff=staff, kind=kind, status=Handover.Status.COMPLETED)
            .order_by("-completed_at", "-pk")
            .first()
        )
    pay = pay_position(staff, handover.effective_on if handover else None)
    if pay.clear:
        return None
    acknowledged = (
        handover is not None
        and handover.lines.filter(
            kind=HandoverLine.Kind.PAY, status=HandoverLine.Status.DONE, pay_fingerprint=pay.fingerprint
        ).exists()
    )
    if acknowledged:
        return None
    return _(
        "Pay still owed to %(name)s (%(owed)s) or withheld (%(withheld)s) has not been acknowledged by "
        "finance in a handover."
    ) % {"name": staff.name, "owed": f"¥{pay.owed:,.2f}", "withheld": f"¥{pay.withheld:,.2f}"}


def handover_blocking(staff, kind: str) -> str | None:
    """Why the person's departure (``kind="departure"``) or transfer (``"transfer"``) may not
    complete now, or None when it may.

    Org services call this before setting a person's status to "left" and before a transfer
    to another branch or team. A person with an open handover is moved only by completing
    it (it records where they go); without one, only someone who holds nothing — no assets,
    clients, open follow-ups, planned visits or archive items, and no pay owed or withheld
    that finance has not acknowledged — may leave or move.
    """
    if kind not in Handover.Kind.values:
        raise ValueError(f"unknown handover kind {kind!r}")
    current = open_handover(staff)
    if current is not None:
        if current.kind != kind:
            return _("A %(kind)s handover is in progress for %(name)s: complete or cancel it first.") % {
                "kind": current.get_kind_display().lower(),
                "name": staff.name,
            }
        return checklist_blocking(current) or _(
            "The handover checklist of %(name)s is done: complete the handover on its page, which "
            "performs the %(kind)s."
        ) % {"name": staff.name, "kind": current.get_kind_display().lower()}
    return live_blocking(staff, kind)


# --- scoped reads for pages and API --------------------------------------------------------


def _line_counts():
    return {
        "line_total": Count("lines", filter=~Q(lines__status=HandoverLine.Status.DROPPED), distinct=True),
        "line_open": Count("lines", filter=Q(lines__status=HandoverLine.Status.OPEN), distinct=True),
        "line_done": Count("lines", filter=Q(lines__status=HandoverLine.Status.DONE), distinct=True),
    }


def handover_list(*, user, filters: dict | None = None) -> QuerySet[Handover]:
    qs = (
        visible(user, Handover)
        .select_related("staff", "branch", "team", "to_branch", "to_team")
        .annotate(**_line_counts())
        .order_by("-started_at", "-pk")
    )
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("q"):
        term = filters["q"].strip()
        qs = qs.filter(
            Q(staff__name__icontains=term)
            | Q(staff__emp_no__icontains=term)
            | Q(staff__pinyin_keys__icontains=term.lower())
        )
    return qs


def handover_get(*, user, pk, perm: str = "view") -> Handover:
    qs = visible(user, Handover).select_related(
        "staff",
        "staff__user",
        "branch",
        "team",
        "to_branch",
        "to_team",
        "to_outlet",
        "to_regional_manager",
        "started_by__staff",
        "completed_by__staff",
        "cancelled_by__staff",
    )
    return get_for_user(user, qs, pk, perm)


def lines_for(*, user, handover: Handover) -> QuerySet[HandoverLine]:
    """The lines of a handover the user may see (a receiver sees only theirs)."""
    return (
        visible(user, HandoverLine)
        .filter(handover=handover)
        .select_related(
            "asset",
            "client",
            "followup",
            "visit",
            "entry",
            "receiver",
            "giver_confirmed_by__staff",
            "receiver_confirmed_by__staff",
            "done_by__staff",
            "assigned_by__staff",
        )
        .order_by("kind", "pk")
    )


def events_for(*, user, handover: Handover) -> QuerySet[HandoverEvent]:
    return (
        visible(user, HandoverEvent)
        .filter(handover=handover)
        .select_related("actor__staff", "line")
        .order_by("at", "pk")
    )


def lines_with_events(*, user, handover: Handover) -> QuerySet[HandoverLine]:
    return lines_for(user=user, handover=handover).prefetch_related(
        Prefetch("events", queryset=HandoverEvent.objects.select_related("actor__staff").order_by("at", "pk"))
    )


def my_open_receipts(*, user, staff) -> QuerySet[HandoverLine]:
    """Open lines addressed to the user (things to receive or accept) on open handovers."""
    if staff is None:
        return HandoverLine.objects.none()
    return (
        visible(user, HandoverLine)
        .filter(receiver=staff, status=HandoverLine.Status.OPEN, handover__status=Handover.Status.OPEN)
        .select_related("handover__staff")
    )
