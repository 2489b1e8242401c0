"""The demo's register, ledger and incidents are made through the services (so they pass the
same rules as real ones); the cached stock equals the ledger."""

import datetime as dt

import pytest

from brokerdesk.assets import selectors_assets as sel
from brokerdesk.assets.demo import build_assets
from brokerdesk.assets.models_assets import Asset, Holding, Incident, LedgerLine

pytestmark = pytest.mark.django_db


def test_the_demo_register(org):
    build_assets(seed=1, today=dt.date(2026, 11, 29))
    assert Asset.objects.filter(branch=org.branches.b1).count() > 10
    assert LedgerLine.objects.filter(kind="reversal").exists()
    assert Holding.objects.filter(staff=org.staff.cm).exists()
    assert Incident.objects.filter(status="approved").count() == 1
    assert Incident.objects.filter(status="in_approval", responsible=org.staff.cm).count() == 1
    for asset in Asset.objects.all():
        held = dict(Holding.objects.filter(asset=asset).values_list("staff_id", "quantity"))
        cached = {"store": asset.on_hand, **held} if asset.on_hand else held
        assert sel.ledger_balances(asset) == cached
    build_assets(seed=1, today=dt.date(2026, 11, 29))  # a second run adds nothing
    assert Incident.objects.count() == 2
