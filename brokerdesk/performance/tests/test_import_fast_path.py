"""The import's fast path for plain amounts must read exactly what the full check reads."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brokerdesk.performance.services_import import fen_of, parse_amount


@given(st.text(alphabet="0123456789-.,¥ e+٣", max_size=12))
def test_a_plain_amount_is_read_as_the_full_check_reads_it(text):
    fen = fen_of(text)
    if fen is None:
        return  # not plain: the full check reads it, or reports it
    assert parse_amount(text) == Decimal(fen) / 100
    Decimal(text)  # the text itself is a numeral (PostgreSQL's COPY receives it as written)
    assert text.isascii()


@given(st.integers(min_value=-(10**17), max_value=10**17))
def test_every_amount_in_fen_written_plainly_takes_the_fast_path(fen):
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    for text in (f"{sign}{whole}.{part:02d}", f"{sign}{whole}.{part:02d}".rstrip("0")):
        got = fen_of(text)
        if len(str(whole)) > 15:
            assert got is None
        else:
            assert got == fen


def test_what_is_not_plain_is_left_to_the_full_check():
    for text in ("", ".5", "1.234", "1,000", "¥5", "1e3", "٣", " 5", "5 ", "--5", "-", "+5", None, 5):
        assert fen_of(text) is None


@pytest.mark.django_db
def test_the_client_map_packs_in_the_database_what_pack_and_unpack_read(org):
    from brokerdesk.clients.models import Client, Tier
    from brokerdesk.performance.services_import import KEEP_TIER, _client_map, _pack, _unpack
    from brokerdesk.performance.tests.import_helpers import book, last_month

    c = book(org)
    gold = Tier.objects.get(code="gold")
    Client.objects.filter(pk=c.a2.pk).update(tier=gold)
    Client.objects.filter(pk=c.b1.pk).update(tier=gold, tier_manual=True, tier_reason="认定")
    found = _client_map(SimpleNamespace(month=last_month()))
    for client, tier in ((c.a1, 0), (c.a2, gold.pk), (c.b1, KEEP_TIER)):
        client = Client.objects.get(pk=client.pk)
        expected = (client.pk, client.branch_id, client.manager_id, client.opened_on.toordinal(), tier)
        assert _unpack(found[client.client_no]) == expected
        assert found[client.client_no] == _pack(*expected)
