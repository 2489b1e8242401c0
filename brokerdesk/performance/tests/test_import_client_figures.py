"""The import sets the tiers the month's figures give while it reads the file: it must give
every client the tier ``clients.services.tier_recompute`` gives (from the latest figures, which
it reads from the current import), and leave a tier set by hand alone."""

import pytest

from brokerdesk.clients.models import Client, Figure, Tier
from brokerdesk.clients.services import tier_recompute
from brokerdesk.performance import services_import as svc
from brokerdesk.performance.tests.import_helpers import book, csv_upload, last_month, row

pytestmark = pytest.mark.django_db


def test_the_import_sets_the_tiers_tier_recompute_would_and_keeps_manual_tiers(org):
    c = book(org)
    diamond, silver = Tier.objects.get(code="diamond"), Tier.objects.get(code="silver")
    Client.objects.filter(pk=c.b1.pk).update(tier=silver, tier_manual=True, tier_reason="营业部认定")
    emp = org.staff
    rows = [
        row(c.a1, emp.cm.emp_no, "60000.00", "100", "200"),  # revenue alone → 钻石
        row(c.a2, emp.cm.emp_no, "10.00", "100", "3000000.00"),  # assets exactly at 黄金's floor
        row(c.p1, emp.cm_peer.emp_no, "4999.99", "100", "999999.99"),  # just under 白银: none
        row(c.b1, emp.cm_b.emp_no, "100000.00", "100", "20000000.00"),  # manual 白银 stays
    ]
    imp = svc.import_start(
        actor=org.users.accountant, branch=org.branches.b1, month=last_month(), upload=csv_upload(rows)
    )
    assert imp.status == "done", imp.error

    after_import = dict(Client.objects.values_list("pk", "tier__code"))
    assert after_import[c.a1.pk] == "diamond"
    assert after_import[c.a2.pk] == "gold"
    assert after_import[c.p1.pk] is None
    assert after_import[c.b1.pk] == "silver"
    assert not Figure.objects.filter(client=c.a1, month=last_month()).exists()  # read from ClientMonth

    tier_recompute()  # the clients app's own rule agrees with what the import set
    assert dict(Client.objects.values_list("pk", "tier__code")) == after_import
    assert diamond.pk == Client.objects.get(pk=c.a1.pk).tier_id
