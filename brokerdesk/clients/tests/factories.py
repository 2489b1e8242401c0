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
