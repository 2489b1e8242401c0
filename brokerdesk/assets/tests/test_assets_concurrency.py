"""Two keepers issuing the last units at the same moment (PostgreSQL): the asset row is
locked, so the store never goes below zero and the cached stock still equals the ledger."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from brokerdesk.assets import selectors_assets as sel
from brokerdesk.assets import services_assets as svc
from brokerdesk.assets.models_assets import Asset, Holding, LedgerLine
from brokerdesk.assets.tests.factories_assets import register
from brokerdesk.org.models import Staff

THREADS = 8
STOCK = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_take_more_than_on_hand(org):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    leaflets = register(org, quantity=STOCK)
    people = [org.staff.cm, org.staff.cm_peer, org.staff.cm_b, org.staff.lead]
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    done, refused, errors = [], [], []

    def work(i):
        from django.db import connection as conn

        try:
            actor = get_user_model().objects.get(pk=org.users.keeper.pk)
            asset = Asset.objects.get(pk=leaflets.pk)
            to = Staff.objects.get(pk=people[i % len(people)].pk)
            barrier.wait(timeout=30)
            svc.asset_pass(actor=actor, asset=asset, from_staff=None, to_staff=to, quantity=1)
            with lock:
                done.append(i)
        except ValidationError as exc:
            with lock:
                refused.append(exc)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(done) == STOCK and len(refused) == THREADS - STOCK
    assert all("quantity" in e.message_dict for e in refused)
    leaflets.refresh_from_db()
    assert leaflets.on_hand == 0 and leaflets.quantity == STOCK
    assert LedgerLine.objects.filter(asset=leaflets, kind="issue").count() == STOCK
    cached = dict(Holding.objects.filter(asset=leaflets).values_list("staff_id", "quantity"))
    assert sel.ledger_balances(leaflets) == cached
    assert sum(cached.values()) == STOCK
