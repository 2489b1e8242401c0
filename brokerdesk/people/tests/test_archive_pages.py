"""Archive pages and API: constant query counts on the lists and the dashboard, forms and
the API answering bad input with field errors, downloads logged, expiry reminders sent to HR
and the lead once."""

import datetime as dt
import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brokerdesk.access.models import SensitiveAccess
from brokerdesk.approvals.models import Notification
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import StaffFactory
from brokerdesk.people import services_archive as services
from brokerdesk.people.models_archive import ArchiveDocument, Contract, DocumentDownload, Qualification
from brokerdesk.people.reminders_archive import send_expiry_warnings
from brokerdesk.people.tests.test_archive_fixtures import (
    exe_as_pdf,
    give_contract,
    give_registration,
    pdf,
    png,
)

pytestmark = pytest.mark.django_db
_seq = itertools.count(1)


def _grow(org, n: int) -> None:
    """Add ``n`` people to the first branch, each with documents, a contract and a licence
    in various states, so a per-row query shows up as a different count."""
    hr, trade = org.users.hr, org.users.trade
    today = timezone.localdate()
    for _ in range(n):
        k = next(_seq)
        s = StaffFactory(branch=org.branches.b1, team=org.teams.a if k % 2 else org.teams.b, name=f"档案{k}")
        d = services.document_upload(actor=hr, staff=s, slot="photo", upload=png())
        if k % 3:
            services.document_verify(actor=trade, document=d)
        if k % 2:
            give_contract(hr, s, starts_on=today - dt.timedelta(days=350))
        if k % 4:
            give_registration(hr, s, f"Q{k:05d}", expires_on=today + dt.timedelta(days=10 + k))


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/people/staff/",
        "/people/staff/?show=missing",
        "/people/staff/?show=expiring",
        "/people/staff/?q=dang",
        "/people/",
        "/api/people/files/?format=json",
        "/api/people/files/?format=json&show=no_registration",
        "/api/people/documents/?format=json",
        "/api/people/contracts/?format=json",
        "/api/people/qualifications/?format=json",
    ],
)
def test_lists_keep_a_constant_query_count(org, client_for, url):
    c = client_for(org.users.trade)
    _grow(org, 3)
    few = _count(c, url)
    _grow(org, 12)
    assert _count(c, url) == few, url


def test_file_list_search_by_pinyin_and_filters(org, client_for):
    give_contract(org.users.hr, org.staff.cm)
    c = client_for(org.users.trade)
    rows = lambda q: {s.pk for s in c.get("/people/staff/" + q).context["page"].object_list}  # noqa: E731
    assert rows("?q=zs") == {org.staff.cm.pk}
    assert rows("?q=BJ0001") == {org.staff.cm.pk}
    no_contract = rows("?show=no_contract")
    assert org.staff.cm_peer.pk in no_contract and org.staff.cm.pk not in no_contract
    assert org.staff.cm.pk in rows("?show=missing")


def test_dashboard_counts_and_own_file_link(org, client_for):
    hr = org.users.hr
    give_contract(hr, org.staff.cm, starts_on=timezone.localdate() - dt.timedelta(days=360))
    page = client_for(org.users.trade).get("/people/")
    dash = page.context["dash"]
    assert org.staff.cm.pk in {c.staff_id for c in dash["expiring_contracts"]}
    assert org.staff.cm_peer.pk in {s.pk for s in dash["no_contract"]}
    assert org.staff.cm.pk in {s.pk for s in dash["no_registration"]}
    mine = client_for(org.users.cm).get("/people/")
    assert mine.status_code == 200 and not mine.context["oversees"]
    assert reverse("people:file-detail", args=[org.staff.cm.pk]).encode() in mine.content
    assert client_for(org.users.cm).get("/people/me/").url == reverse(
        "people:file-detail", args=[org.staff.cm.pk]
    )


def test_download_is_logged(org, client_for):
    doc = services.document_upload(
        actor=org.users.hr, staff=org.staff.cm, slot="resume", upload=pdf("cv.pdf")
    )
    r = client_for(org.users.lead).get(reverse("people:document-download", args=[doc.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert r["Content-Disposition"].startswith("attachment")
    row = DocumentDownload.objects.get()
    assert row.user == org.users.lead and row.document == doc and row.channel == "page"
    assert SensitiveAccess.objects.filter(user=org.users.lead, model="people.ArchiveDocument").count() == 1
    api = client_for(org.users.cm).get(f"/api/people/documents/{doc.pk}/download/")
    assert api.status_code == 200
    assert DocumentDownload.objects.filter(channel="api", user=org.users.cm).count() == 1
    # Who downloaded: visible to the keeper, not to the person.
    assert client_for(org.users.trade).get("/api/people/downloads/").json()["count"] == 2
    assert client_for(org.users.cm).get("/api/people/downloads/").json()["count"] == 0


def test_upload_form_refuses_executable_with_a_field_error(org, client_for):
    c = client_for(org.users.trade)
    url = reverse("people:document-upload", args=[org.staff.cm.pk])
    r = c.post(url, {"slot": "resume", "file": exe_as_pdf()})
    assert r.status_code == 200 and "file" in r.context["form"].errors
    assert not ArchiveDocument.objects.exists()
    r = c.post(url, {"slot": "resume", "file": pdf()})
    assert r.status_code == 302 and ArchiveDocument.objects.filter(slot="resume").count() == 1


def test_contract_form_end_before_start(org, client_for):
    c = client_for(org.users.trade)
    url = reverse("people:contract-create", args=[org.staff.cm.pk])
    r = c.post(url, {"kind": "labour", "starts_on": "2026-03-01", "ends_on": "2026-02-01"})
    assert r.status_code == 200 and "ends_on" in r.context["form"].errors
    assert not Contract.objects.exists()
    r = c.post(
        url, {"kind": "labour", "starts_on": "2026-03-01", "original_location": "A-1", "signed_copy": pdf()}
    )
    assert r.status_code == 302
    contract = Contract.objects.get()
    assert contract.ends_on == dt.date(2027, 2, 28) and contract.signed_copy is not None
    r = c.post(reverse("people:contract-renew", args=[contract.pk]), {})
    assert r.status_code == 302 and Contract.objects.get(previous=contract).starts_on == dt.date(2027, 3, 1)


def test_verify_page_refuses_who_is_not_designated(org, client_for):
    doc = services.document_upload(actor=org.users.hr, staff=org.staff.cm, slot="diploma", upload=pdf())
    url = reverse("people:document-verify", args=[doc.pk])
    # The branch manager sees and keeps the file but is not a designated verifier.
    assert client_for(org.users.manager).post(url, {"note": "x"}).status_code == 404
    doc.refresh_from_db()
    assert doc.verified_at is None
    assert client_for(org.users.trade).post(url, {"note": "原件已核"}).status_code == 302
    doc.refresh_from_db()
    assert doc.verified_by == org.users.trade


def test_file_page_renders_all_sections(org, client_for):
    hr = org.users.hr
    cm = org.staff.cm
    services.document_upload(actor=hr, staff=cm, slot="photo", upload=png())
    give_contract(hr, cm)
    give_registration(hr, cm, "S77")
    services.reward_record(
        actor=hr,
        staff=cm,
        kind="reward",
        decided_on=dt.date(2026, 1, 2),
        title="t",
        reason="r",
        decided_by="d",
    )
    page = client_for(org.users.trade).get(reverse("people:file-detail", args=[cm.pk]))
    assert page.status_code == 200
    for anchor in (
        b'id="slots"',
        b'id="contracts"',
        b'id="qualifications"',
        b'id="rewards"',
        b'id="assessments"',
    ):
        assert anchor in page.content
    assert b'id="training"' in page.content or b'id="file-training"' in page.content


# --- API bad input ----------------------------------------------------------------------


def test_api_upload_and_bad_input(org, client_for):
    c = client_for(org.users.trade)
    r = c.post("/api/people/documents/", {"staff": org.staff.cm.pk, "slot": "resume", "file": exe_as_pdf()})
    assert r.status_code == 400 and "file" in r.json()
    r = c.post("/api/people/documents/", {"staff": org.staff.outsider.pk, "slot": "resume", "file": pdf()})
    assert r.status_code == 400 and "staff" in r.json()
    assert not ArchiveDocument.objects.exists()
    r = c.post("/api/people/documents/", {"staff": org.staff.cm.pk, "slot": "resume", "file": pdf()})
    assert r.status_code == 201, r.content
    doc_id = r.json()["id"]
    r = c.post(f"/api/people/documents/{doc_id}/verify/", {"note": "ok"})
    assert r.status_code == 200 and r.json()["is_verified"]
    r = client_for(org.users.manager).post(f"/api/people/documents/{doc_id}/verify/", {})
    assert r.status_code == 403


def test_api_contract_end_before_start_and_renewal(org, client_for):
    c = client_for(org.users.trade)
    bad = {"staff": org.staff.cm.pk, "kind": "labour", "starts_on": "2026-03-01", "ends_on": "2026-01-01"}
    r = c.post("/api/people/contracts/", bad)
    assert r.status_code == 400 and "ends_on" in r.json()
    r = c.post(
        "/api/people/contracts/", {"staff": org.staff.cm.pk, "kind": "labour", "starts_on": "2026-03-01"}
    )
    assert r.status_code == 201 and r.json()["ends_on"] == "2027-02-28"
    pk = r.json()["id"]
    r = c.post(f"/api/people/contracts/{pk}/renew/", {})
    assert r.status_code == 201 and r.json()["previous"] == pk
    r = client_for(org.users.cm).post(f"/api/people/contracts/{pk}/terminate/", {})
    assert r.status_code == 403  # own contract: readable, not changeable
    r = c.post(f"/api/people/contracts/{pk}/terminate/", {"terminated_on": "2020-01-01", "reason": "x"})
    assert r.status_code == 400 and "terminated_on" in r.json()


def test_api_qualification_and_reward(org, client_for):
    c = client_for(org.users.hr)
    r = c.post(
        "/api/people/qualifications/",
        {
            "staff": org.staff.cm.pk,
            "kind": "registration",
            "number": "S-1",
            "issued_on": "2026-01-01",
            "expires_on": "2025-01-01",
        },
    )
    assert r.status_code == 400 and "expires_on" in r.json()
    r = c.post(
        "/api/people/qualifications/",
        {"staff": org.staff.cm.pk, "kind": "registration", "number": "S-1", "issued_on": "2025-01-01"},
    )
    assert r.status_code == 201
    r = c.patch(
        f"/api/people/qualifications/{r.json()['id']}/",
        {"ce_hours": "12.0"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["ce_hours"] == "12.0"
    r = c.post(
        "/api/people/rewards/", {"staff": org.staff.cm.pk, "kind": "reward", "decided_on": "2026-01-01"}
    )
    assert r.status_code == 400 and {"title", "reason", "decided_by"} <= set(r.json())
    files = c.get(f"/api/people/files/{org.staff.cm.pk}/").json()
    assert files["has_registration"] is True and files["has_contract"] is False


# --- reminders --------------------------------------------------------------------------


def test_reminder_command_notifies_hr_and_lead_once(org, settings):
    settings.PEOPLE_EXPIRY_WARN_DAYS = 30
    today = timezone.localdate()
    hr, trade, lead = org.users.hr, org.users.trade, org.users.lead
    soon = give_contract(hr, org.staff.cm, starts_on=today - dt.timedelta(days=340))  # ends in ~25 days
    give_contract(hr, org.staff.cm_peer, starts_on=today - dt.timedelta(days=100))  # ends in ~265 days
    give_registration(hr, org.staff.cm, "R1", expires_on=today + dt.timedelta(days=5))
    call_command("people_reminders")
    url = soon.get_absolute_url()
    got = set(Notification.objects.filter(url=url).values_list("user_id", flat=True))
    assert got == {hr.pk, trade.pk, lead.pk}
    assert Notification.objects.filter(url__contains="qualification").count() == 3
    assert not Notification.objects.filter(user=org.users.keeper_b2).exists()
    assert not Notification.objects.filter(
        url=Contract.objects.get(staff=org.staff.cm_peer).get_absolute_url()
    )
    before = Notification.objects.count()
    call_command("people_reminders")
    assert send_expiry_warnings() == 0
    assert Notification.objects.count() == before


def test_reminder_window_is_configurable(org, settings):
    today = timezone.localdate()
    give_contract(org.users.hr, org.staff.cm, starts_on=today - dt.timedelta(days=300))  # ~65 days left
    settings.PEOPLE_EXPIRY_WARN_DAYS = 30
    assert send_expiry_warnings() == 0
    settings.PEOPLE_EXPIRY_WARN_DAYS = 90
    assert send_expiry_warnings() == 3
    assert Contract.objects.get().expiry_warned_on == today


def test_renewed_contract_is_not_warned(org):
    today = timezone.localdate()
    c = give_contract(org.users.hr, org.staff.cm, starts_on=today - dt.timedelta(days=350))
    services.contract_renew(actor=org.users.hr, contract=c)
    assert send_expiry_warnings() == 0
    assert Qualification.objects.count() == 0
    assert Staff.objects.filter(pk=org.staff.cm.pk).exists()


def test_demo_builds_archive_records(org):
    from django.contrib.auth import get_user_model

    from brokerdesk.people.demo import build_archive

    get_user_model().objects.create_superuser(username="admin", password="x-demo-42")
    build_archive(seed=7, today=timezone.localdate())
    assert Contract.objects.count() > 0 and Qualification.objects.count() > 0
    assert ArchiveDocument.objects.filter(staff__branch=org.branches.b1).exists()
