"""The migration that removes the CRM copies an earlier import wrote into the clients' figures."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from brokerdesk.clients.models import Client, Figure
from brokerdesk.performance.tests.import_helpers import book

pytestmark = pytest.mark.django_db

migration = importlib.import_module("brokerdesk.performance.migrations.0004_crm_figures_off_clients")


def test_old_crm_copies_go_and_the_client_row_keeps_only_hand_figures(org):
    c = book(org)
    sep, oct_ = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
    Figure.objects.create(
        client=c.a1, month=sep, assets=Decimal("10.00"), revenue=Decimal("1.00"), source="entry"
    )
    Figure.objects.create(
        client=c.a1, month=oct_, assets=Decimal("99.00"), revenue=Decimal("9.00"), source="crm"
    )
    Figure.objects.create(
        client=c.a2, month=oct_, assets=Decimal("5.00"), revenue=Decimal("5.00"), source="crm"
    )
    Client.objects.filter(pk__in=[c.a1.pk, c.a2.pk]).update(
        assets=Decimal("99.00"), revenue=Decimal("9.00"), figures_month=oct_
    )
    Figure.objects.create(
        client=c.p1, month=oct_, assets=Decimal("7.00"), revenue=Decimal("7.00"), source="entry"
    )
    Client.objects.filter(pk=c.p1.pk).update(
        assets=Decimal("7.00"), revenue=Decimal("7.00"), figures_month=oct_
    )

    migration.forwards(apps, None)

    assert not Figure.objects.filter(source="crm").exists()
    a1, a2, p1 = (Client.objects.get(pk=x.pk) for x in (c.a1, c.a2, c.p1))
    assert (a1.assets, a1.revenue, a1.figures_month) == (Decimal("10.00"), Decimal("1.00"), sep)
    assert (a2.assets, a2.revenue, a2.figures_month) == (Decimal("0"), Decimal("0"), None)
    assert (p1.assets, p1.revenue, p1.figures_month) == (Decimal("7.00"), Decimal("7.00"), oct_)
    migration.forwards(apps, None)  # idempotent
    assert Client.objects.get(pk=c.a1.pk).figures_month == sep
