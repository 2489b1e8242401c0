"""The monthly CRM import rewrites the tier of about a tenth of the clients. On PostgreSQL that
write stays on the row's own page, without touching the client table's twenty indexes (a HOT
update), only while no index holds the tier and the pages have room (fillfactor). These tests
keep both true: an index on the tier added later would make every import's tier changes six
to eight times slower (benchmarks/README-performance.md)."""

import pytest
from django.db import connection

from brokerdesk.clients.models import Client, Tier
from brokerdesk.clients.tests.factories import make_client

pytestmark = pytest.mark.django_db


def test_no_index_of_the_client_table_holds_the_tier():
    table = Client._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexed = {name: c["columns"] for name, c in constraints.items() if c["index"] or c["unique"]}
    assert indexed, "the client table has indexes"
    assert not [name for name, columns in indexed.items() if "tier_id" in columns]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="fillfactor is PostgreSQL's")
def test_the_client_table_leaves_room_on_its_pages():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [Client._meta.db_table])
        (options,) = cursor.fetchone()
    assert "fillfactor=85" in (options or [])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="HOT updates are PostgreSQL's")
def test_a_tier_change_is_a_hot_update(org):
    client = make_client(org.users.manager, org.staff.cm, name="甲一")
    tier = Tier.objects.order_by("rank").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s", [Client._meta.db_table]
        )
        before = (cursor.fetchone() or (0,))[0]  # this transaction's counts (the test's)
        Client.objects.filter(pk=client.pk).update(tier=tier)
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
            [Client._meta.db_table],
        )
        updated, hot = cursor.fetchone()
    assert updated >= 1 and hot == before + 1
