"""CRM import pages: upload, progress, bad rows, reconciliation, versions, accepting the good
rows; who sees what; constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brokerdesk.performance.models import CrmImport
from brokerdesk.performance.tests.factories import make_import
from brokerdesk.performance.tests.import_helpers import book, csv_upload, last_month, row

pytestmark = pytest.mark.django_db


def upload(client, rows, **extra):
    data = {"month": f"{last_month():%Y-%m}", "file": csv_upload(rows), **extra}
    return client.post(reverse("performance:import-create"), data)


def test_accountant_uploads_and_sees_the_reconciliation(org, client_for):
    c = book(org)
    web = client_for(org.users.accountant)
    form = web.get(reverse("performance:import-create"))
    assert form.status_code == 200
    resp = upload(web, [row(c.a1, org.staff.cm.emp_no, "12.34"), row(c.a2, org.staff.cm.emp_no, "1")])
    imp = CrmImport.objects.get()
    assert resp.status_code == 302 and resp["Location"] == imp.get_absolute_url()
    assert imp.branch == org.branches.b1 and imp.status == CrmImport.Status.DONE
    page = web.get(imp.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="reconciliation"' in html and "¥13.34" in html
    assert 'value="100"' in html  # the progress bar is full
    assert "hx-trigger" not in html.split('id="import-progress"')[1].split(">")[0]  # no polling when done


def test_bad_rows_are_listed_with_lines_and_the_good_rows_can_be_accepted(org, client_for):
    c = book(org)
    web = client_for(org.users.accountant)
    upload(web, [row(c.a1, org.staff.cm.emp_no, "5"), row("777777777", org.staff.cm.emp_no, "1")])
    imp = CrmImport.objects.get()
    assert imp.status == CrmImport.Status.INVALID
    html = web.get(imp.get_absolute_url()).content.decode()
    assert 'id="bad-rows"' in html and "777777777" in html and 'id="accept-form"' in html
    # without the confirmation nothing happens
    web.post(reverse("performance:import-accept", args=[imp.pk]), {})
    imp.refresh_from_db()
    assert imp.status == CrmImport.Status.INVALID
    resp = web.post(reverse("performance:import-accept", args=[imp.pk]), {"confirm": "on"})
    assert resp.status_code == 302
    imp.refresh_from_db()
    assert imp.status == CrmImport.Status.DONE and imp.rows_imported == 1
    csv_resp = web.get(reverse("performance:import-errors-csv", args=[imp.pk]))
    body = b"".join(csv_resp.streaming_content).decode()
    assert "777777777" in body and "\n3," in body


def test_upload_errors_are_shown_on_the_form(org, client_for):
    web = client_for(org.users.accountant)
    resp = web.post(
        reverse("performance:import-create"),
        {"month": f"{last_month():%Y-%m}", "file": csv_upload([["x"]], header=["foo"])},
    )
    assert resp.status_code == 400
    assert resp.context["form"].errors["file"]
    assert not CrmImport.objects.exists()


def test_progress_partial_polls_while_running_and_refreshes_when_done(org, client_for):
    imp = make_import(org.branches.b1, last_month(), org.users.accountant, status=CrmImport.Status.VALIDATING)
    CrmImport.objects.filter(pk=imp.pk).update(progress_done=50, progress_total=200, phase="reading")
    web = client_for(org.users.accountant)
    url = reverse("performance:import-progress", args=[imp.pk])
    resp = web.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in resp.content.decode() and 'value="25"' in resp.content.decode()
    assert "HX-Refresh" not in resp
    CrmImport.objects.filter(pk=imp.pk).update(status=CrmImport.Status.DONE)
    resp = web.get(url, headers={"HX-Request": "true"})
    assert resp["HX-Refresh"] == "true"


@pytest.mark.parametrize("who", ["outsider", "cm", "lead", "rm", "region", "sysadmin", "norole"])
def test_others_cannot_see_the_branch_import(org, client_for, who):
    imp = make_import(org.branches.b1, last_month(), org.users.accountant)
    web = client_for(getattr(org.users, who))
    for name in ("import-detail", "import-progress", "import-errors-csv"):
        assert web.get(reverse(f"performance:{name}", args=[imp.pk])).status_code == 404
    listed = web.get(reverse("performance:import-list"))
    assert listed.status_code == 404 or imp.file_name not in listed.content.decode()


def test_another_branch_accountant_cannot_see_it(org, client_for):
    from brokerdesk.org.tests.factories import login

    imp = make_import(org.branches.b1, last_month(), org.users.accountant)
    other = login("acc2", "accountant", branch=org.branches.b2)
    web = client_for(other)
    assert web.get(imp.get_absolute_url()).status_code == 404
    resp = web.get(reverse("performance:import-list"))
    assert resp.status_code == 200 and f'id="import-{imp.pk}"' not in resp.content.decode()
    assert web.post(reverse("performance:import-accept", args=[imp.pk]), {"confirm": "on"}).status_code == 404


@pytest.mark.parametrize("who", ["manager", "deputy"])
def test_branch_managers_see_imports_but_cannot_upload(org, client_for, who):
    imp = make_import(org.branches.b1, last_month(), org.users.accountant)
    web = client_for(getattr(org.users, who))
    assert web.get(imp.get_absolute_url()).status_code == 200
    assert web.get(reverse("performance:import-create")).status_code == 404


def test_list_query_count_does_not_grow_with_rows(org, client_for):
    web = client_for(org.users.accountant)
    url = reverse("performance:import-list")
    make_import(org.branches.b1, last_month(), org.users.accountant)
    web.get(url)
    with CaptureQueriesContext(connection) as few:
        assert web.get(url).status_code == 200
    for _ in range(15):
        make_import(org.branches.b1, last_month(), org.users.manager, is_current=False)
    with CaptureQueriesContext(connection) as many:
        resp = web.get(url)
    assert resp.content.decode().count('class="badge import-') == 16
    assert len(many.captured_queries) == len(few.captured_queries)


def test_detail_query_count_does_not_grow_with_bad_rows(org, client_for):
    from brokerdesk.performance.models import ImportRowError

    imp = make_import(org.branches.b1, last_month(), org.users.accountant, status=CrmImport.Status.INVALID)
    web = client_for(org.users.accountant)
    ImportRowError.objects.create(crm_import=imp, line=2, column="client_no", message="x")
    CrmImport.objects.filter(pk=imp.pk).update(rows_bad=1, rows_total=2)
    web.get(imp.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        web.get(imp.get_absolute_url())
    ImportRowError.objects.bulk_create(
        [ImportRowError(crm_import=imp, line=i, column="month", message="y") for i in range(3, 200)]
    )
    with CaptureQueriesContext(connection) as many:
        web.get(imp.get_absolute_url())
    assert len(many.captured_queries) == len(few.captured_queries)
