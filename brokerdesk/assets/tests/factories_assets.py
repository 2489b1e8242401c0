"""Asset test helpers: register an asset in a branch through the service, as its keeper."""

import datetime as dt
import itertools
from decimal import Decimal

from brokerdesk.assets import services_assets as svc

_seq = itertools.count(1)
BOUGHT = dt.date(2025, 6, 1)


def register(org, *, branch=None, keeper=None, quantity=1, by_quantity=None, **fields):
    """An asset registered by the branch's keeper (branch 1 unless told), ``quantity`` in store."""
    branch = branch or org.branches.b1
    keeper = keeper or (org.users.keeper if branch == org.branches.b1 else org.users.keeper_b2)
    n = next(_seq)
    if by_quantity is None:
        by_quantity = quantity != 1
    values = {
        "category": "promotional" if by_quantity else "computer",
        "tag": f"ZC-{n:05d}",
        "description": "宣传折页" if by_quantity else "笔记本电脑",
        "value": Decimal("8.50") if by_quantity else Decimal("6800.00"),
        "acquired_on": BOUGHT,
        "unit": "份" if by_quantity else "台",
    }
    values.update(fields)
    return svc.asset_register(
        actor=keeper, branch=branch, quantity=quantity, by_quantity=by_quantity, **values
    )


def approve_charge(org, incident, *, decision="approve", opinion=""):
    """Walk an incident's charge through its route: the team lead (if any), then the manager."""
    from brokerdesk.approvals import services as approvals

    for user in (org.users.lead, org.users.manager):
        task = approvals.inbox(user).filter(request_id=incident.approval_id).first()
        if task is None:
            continue
        approvals.task_act(actor=user, task=task, decision=decision, opinion=opinion or "同意")
        if decision != "approve":
            break
    incident.refresh_from_db()
    return incident


def charge(org, *, asset=None, who=None, amount="300.00", month=None, kind="damage", **kw):
    """An incident charging ``who`` (cm unless told) in ``month``, submitted for approval."""
    asset = asset or register(org)
    return svc.incident_record(
        actor=org.users.keeper,
        asset=asset,
        kind=kind,
        happened_on=kw.pop("happened_on", dt.date(2026, 9, 10)),
        description=kw.pop("description", "屏幕摔裂"),
        responsible=who or org.staff.cm,
        amount=Decimal(amount),
        pay_month=month or dt.date(2026, 9, 1),
        **kw,
    )
