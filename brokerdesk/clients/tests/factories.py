"""Clients for tests, made through the service (so ownership and confirmation forms exist)."""

import datetime as dt
import itertools

from django.utils import timezone

from brokerdesk.clients import services
from brokerdesk.clients.models import Client
from brokerdesk.org.tests.factories import make_id_number

_numbers = itertools.count(1)


def make_client(
    actor, manager=None, *, name="陈客户", opened_on=None, kind=Client.Kind.INDIVIDUAL, **extra
) -> Client:
    n = next(_numbers)
    values = {
        "client_no": f"{880000000 + n}",
        "kind": kind,
        "name": name,
        "id_number": make_id_number(n + 300, area="110102")
        if kind == Client.Kind.INDIVIDUAL
        else "91350100M000100Y43",
        "mobile": f"139{n:08d}"[:11],
        "opened_on": opened_on or timezone.localdate() - dt.timedelta(days=40),
        "source": Client.Source.OUTLET,
    }
    values.update(extra)
    return services.client_create(actor=actor, client=Client(**values), manager=manager)


def make_followup(org, client, *, due_on, matter="转账延迟", visit=None, **extra):
    """A follow-up of ``client`` owned by org's client manager 张三 (ORM, no service rules)."""
    from brokerdesk.clients.models import FollowUp

    values = {
        "client": client,
        "visit": visit,
        "owner": org.staff.cm,
        "branch": org.branches.b1,
        "category": "service",
        "matter": matter,
        "due_on": due_on,
        "created_by": org.users.cm,
    }
    values.update(extra)
    return FollowUp.objects.create(**values)


def make_important_matter(org, *, acknowledge_in_hours: float):
    """An important inquiry taken by 孙八 and passed to 张三, due for acknowledgement in the
    given hours (negative: already late)."""
    from brokerdesk.clients.models import Inquiry

    now = timezone.now()
    return Inquiry.objects.create(
        branch=org.branches.b1,
        caller_name="来电人",
        mobile="13900001111",
        topic="预约开户",
        important=True,
        received_by=org.staff.cm_peer,
        received_at=now,
        assigned_to=org.staff.cm,
        acknowledge_by=now + dt.timedelta(hours=acknowledge_in_hours),
        created_by=org.users.cm_peer,
    )
