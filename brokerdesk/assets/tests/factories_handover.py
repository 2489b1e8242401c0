"""Handover test helpers: give a person things to hand over (through the owning services),
and walk a checklist line to done."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from brokerdesk.assets import services_assets
from brokerdesk.assets import services_handover as svc
from brokerdesk.assets.models_handover import Handover, HandoverLine
from brokerdesk.assets.tests.factories_assets import register
from brokerdesk.clients import services_visits
from brokerdesk.clients.tests.factories import make_client, make_followup


def issue(org, *, to=None, quantity=1, **fields):
    """An asset registered in branch 1 and issued to ``to`` (张三 unless told)."""
    to = to or org.staff.cm
    asset = register(org, quantity=quantity, **fields)
    services_assets.asset_pass(
        actor=org.users.keeper, asset=asset, from_staff=None, to_staff=to, quantity=quantity, reason="领用"
    )
    asset.refresh_from_db()
    return asset


def archive_item(org, *, to=None, title="2026年9月薪酬月报表"):
    """A register entry of branch 1 whose original ``to`` (张三 unless told) has borrowed."""
    from brokerdesk.archives import services as archives

    entry = archives.entry_file(
        actor=org.users.trade,
        branch=org.branches.b1,
        kind="pay_report",
        month=timezone.localdate().replace(day=1),
        title=title,
        cabinet="A-01",
    )
    return archives.custody_pass(actor=org.users.trade, entry=entry, to_staff=to or org.staff.cm, note="借阅")


def holdings(org, *, clients=2, archive=True) -> SimpleNamespace:
    """张三 (org.staff.cm) holds a laptop, 50 leaflets, ``clients`` clients, an open follow-up,
    a planned visit and (unless told) the original of an archive item."""
    laptop = issue(org)
    leaflets = issue(org, quantity=50)
    people = [make_client(org.users.cm, name=f"客户{i}") for i in range(clients)]
    followup = make_followup(org, people[0], due_on=timezone.localdate() + dt.timedelta(days=5))
    visit = services_visits.visit_plan(
        actor=org.users.cm, client=people[-1], planned_on=timezone.localdate() + dt.timedelta(days=3)
    )
    entry = archive_item(org) if archive else None
    return SimpleNamespace(
        laptop=laptop, leaflets=leaflets, clients=people, followup=followup, visit=visit, entry=entry
    )


def start(org, kind=Handover.Kind.DEPARTURE, *, actor=None, staff=None, **values) -> Handover:
    defaults = {"effective_on": timezone.localdate() + dt.timedelta(days=10), "reason": "个人原因离职"}
    if kind == Handover.Kind.TRANSFER:
        defaults.update({"to_branch": org.branches.b1, "to_team": org.teams.b, "reason": "调往二部"})
    defaults.update(values)
    return svc.handover_start(
        actor=actor or org.users.trade, staff=staff or org.staff.cm, kind=kind, **defaults
    )


def line(handover, kind, **filters) -> HandoverLine:
    return handover.lines.get(kind=kind, status=HandoverLine.Status.OPEN, **filters)


def finish_all(org, handover, *, receiver=None) -> None:
    """Walk every open line to done: assets and archive items passed to 孙八 (cm_peer) and
    confirmed by both; clients reassigned to 孙八 and the client notified; follow-ups and
    visits accepted by 孙八; pay acknowledged by the accountant."""
    receiver = receiver or org.staff.cm_peer
    receiver_user = receiver.user
    today = timezone.localdate()
    for ln in handover.lines.filter(status=HandoverLine.Status.OPEN).order_by("pk"):
        if ln.kind in (HandoverLine.Kind.ASSET, HandoverLine.Kind.ARCHIVE):
            svc.line_assign(actor=org.users.cm, line=ln, disposition="pass", receiver=receiver)
            svc.line_confirm(actor=org.users.cm, line=ln, side="giver")
            svc.line_confirm(actor=receiver_user, line=ln, side="receiver")
        elif ln.kind in (HandoverLine.Kind.FOLLOWUP, HandoverLine.Kind.VISIT):
            svc.line_assign(actor=org.users.trade, line=ln, receiver=receiver)
            svc.line_confirm(actor=receiver_user, line=ln, side="receiver")
        elif ln.kind == HandoverLine.Kind.CLIENT:
            svc.client_reassign(
                actor=org.users.trade,
                line=ln,
                to=receiver,
                effective_on=today,
                notified_on=today,
                notified_how="phone",
            )
        elif ln.kind == HandoverLine.Kind.PAY:
            svc.pay_acknowledge(actor=org.users.accountant, line=ln, note="已核对")


def unsigned_pay(org, revenue="66913.46"):
    """An approved scheme and a computed (not yet signed) September run paying 张三."""
    from brokerdesk.performance import services_pay
    from brokerdesk.performance.tests.factories_pay import SEPTEMBER, month_ready, scheme

    scheme(org)
    month_ready(org, cm={"net_revenue": Decimal(revenue), "avg_assets": Decimal("2512325.00")})
    return services_pay.run_compute(actor=org.users.accountant, branch=org.branches.b1, month=SEPTEMBER)
