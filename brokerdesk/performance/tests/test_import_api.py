"""The CRM import API: upload (multipart), detail with reconciliation, bad rows, accepting the
good rows, refusals, scope and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from brokerdesk.performance.models import CrmImport
from brokerdesk.performance.tests.factories import make_import
from brokerdesk.performance.tests.import_helpers import book, csv_upload, last_month, row

pytestmark = pytest.mark.django_db
URL = "/api/performance/imports/"


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_upload_detail_errors_and_accept(org):
    c = book(org)
    client = api(org.users.accountant)
    resp = client.post(
        URL,
        {
            "month": f"{last_month():%Y-%m}",
            "branch": org.branches.b1.pk,
            "file": csv_upload([row(c.a1, org.staff.cm.emp_no, "7.50"), row("55555555", "nobody", "1")]),
        },
        format="multipart",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "invalid" and body["rows_bad"] == 1 and body["month"] == f"{last_month():%Y-%m}"
    pk = body["id"]
    errors = client.get(f"{URL}{pk}/errors/").json()
    assert errors["count"] == 2  # unknown manager and unknown client, both on line 3
    assert {e["line"] for e in errors["results"]} == {3}
    refused = client.post(f"{URL}{pk}/accept-good-rows/", {"confirm": False}, format="json")
    assert refused.status_code == 400
    done = client.post(f"{URL}{pk}/accept-good-rows/", {"confirm": True}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    detail = client.get(f"{URL}{pk}/").json()
    assert detail["rows_imported"] == 1 and all(r["ok"] for r in detail["reconciliation"])
    assert detail["imported_totals"]["net_revenue"] == "7.50"


def test_bad_input_is_a_400_with_field_errors(org):
    client = api(org.users.accountant)
    future = client.post(
        URL,
        {"month": "2999-01", "branch": org.branches.b1.pk, "file": csv_upload([["x"]])},
        format="multipart",
    )
    assert future.status_code == 400 and "month" in future.json()
    garbage = client.post(URL, {"month": "soon", "file": csv_upload([["x"]])}, format="multipart")
    assert garbage.status_code == 400 and "month" in garbage.json()
    bad_file = client.post(
        URL,
        {
            "month": f"{last_month():%Y-%m}",
            "branch": org.branches.b1.pk,
            "file": csv_upload([], header=["a"]),
        },
        format="multipart",
    )
    assert bad_file.status_code == 400 and "file" in bad_file.json()
    assert not CrmImport.objects.exists()


@pytest.mark.parametrize("who", ["cm", "lead", "manager", "outsider", "channel"])
def test_upload_needs_pay_run_on_the_branch(org, who):
    resp = api(getattr(org.users, who)).post(
        URL,
        {"month": f"{last_month():%Y-%m}", "branch": org.branches.b1.pk, "file": csv_upload([["x"]])},
        format="multipart",
    )
    assert resp.status_code == 403


@pytest.mark.parametrize("who", ["cm", "lead", "outsider", "region", "norole"])
def test_others_cannot_see_imports(org, who):
    imp = make_import(org.branches.b1, last_month(), org.users.accountant)
    client = api(getattr(org.users, who))
    assert client.get(f"{URL}{imp.pk}/").status_code == 404
    assert client.get(f"{URL}{imp.pk}/errors/").status_code == 404
    assert imp.pk not in [r["id"] for r in client.get(URL).json()["results"]]


def test_list_query_count_is_constant(org):
    client = api(org.users.accountant)
    make_import(org.branches.b1, last_month(), org.users.accountant)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(10):
        make_import(org.branches.b1, last_month(), org.users.accountant, is_current=False)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(URL).json()["results"]) == 11
    assert len(many.captured_queries) == len(few.captured_queries)
