"""A crawl of every client page, export and API list as roles that may not see ID numbers and
phones in full: neither a full ID number nor any full mobile appears anywhere (RELIABILITY:
masking). The responsible manager and the branch manager are the control: they may reveal,
but the pages still show masked values until they ask."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from brokerdesk.clients import services_visits as sv
from brokerdesk.clients.models import ConfirmationForm
from brokerdesk.clients.tests.factories import make_client, make_followup, make_important_matter

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dXx]")


def _text(resp) -> str:
    if resp.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        wb = load_workbook(io.BytesIO(resp.content), read_only=True)
        return " ".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    return resp.content.decode()


@pytest.fixture
def data(org):
    today = timezone.localdate()
    client = make_client(
        org.users.cm, name="陈秘密", mobile="13912345678", opened_on=today - dt.timedelta(days=50)
    )
    visit = sv.visit_log(
        actor=org.users.cm, client=client, visited_on=today - dt.timedelta(days=2), content="走访"
    )
    fu = make_followup(org, client, visit=visit, due_on=today - dt.timedelta(days=1))
    matter = make_important_matter(org, acknowledge_in_hours=-1)
    form = ConfirmationForm.objects.get(client=client)
    secrets = [client.id_number, client.mobile, matter.mobile]
    urls = [
        "/clients/",
        "/clients/?q=陈",
        "/clients/export/",
        f"/clients/{client.pk}/",
        "/clients/due/",
        "/clients/visits/",
        f"/clients/visits/{visit.pk}/",
        "/clients/visits/verify/",
        "/clients/visits/overlaps/",
        "/clients/followups/?tab=all",
        f"/clients/followups/{fu.pk}/",
        "/clients/inquiries/?tab=all",
        f"/clients/inquiries/{matter.pk}/",
        "/clients/confirmations/",
        f"/clients/confirmations/{form.pk}/",
        f"/clients/confirmations/{form.pk}/print/",
        "/clients/confirmations/batches/",
        f"/clients/confirmations/batches/{form.batch_id}/",
        f"/clients/confirmations/batches/{form.batch_id}/export/",
        "/clients/reports/quarterly/",
        "/clients/reports/quarterly/export/",
        "/api/clients/clients/",
        f"/api/clients/clients/{client.pk}/",
        "/api/clients/visits/",
        "/api/clients/followups/",
        "/api/clients/inquiries/",
        f"/api/clients/inquiries/{matter.pk}/",
        "/api/clients/confirmations/",
        "/api/clients/ownerships/",
        "/",
    ]
    return secrets, urls


@pytest.mark.parametrize("who", ["lead", "rm", "region", "channel", "vp", "accountant"])
def test_no_full_id_number_or_mobile_on_any_client_page_export_or_api(org, client_for, data, who):
    secrets, urls = data
    c = client_for(getattr(org.users, who))
    seen = 0
    for url in urls:
        resp = c.get(url)
        assert resp.status_code in (200, 403, 404), (url, resp.status_code)
        if resp.status_code != 200:
            continue
        seen += 1
        text = _text(resp)
        assert not FULL_ID.search(text), (who, url)
        for secret in secrets:
            assert secret not in text, (who, url, secret)
    assert seen >= 5  # the crawl really read pages


def test_even_those_who_may_reveal_see_masked_values_until_they_ask(org, client_for, data):
    secrets, urls = data
    for who in ("cm", "manager"):
        c = client_for(getattr(org.users, who))
        for url in urls:
            resp = c.get(url)
            if resp.status_code == 200:
                text = _text(resp)
                assert not any(s in text for s in secrets), (who, url)
        detail = c.get(urls[3]).content.decode()
        assert "139****5678" in detail  # the value is there, masked (the crawl would see it)
