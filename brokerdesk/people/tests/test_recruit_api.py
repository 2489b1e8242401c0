"""Recruitment and training over the API: the pages' scopes (another branch, a team lead or a
client manager reaches no candidate; a client manager reads only their own training rows),
400 with field errors for bad input, and the whole way from application to regular staff."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from brokerdesk.access.models import SensitiveAccess
from brokerdesk.access.roles import Role
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import login
from brokerdesk.people import services_training as training
from brokerdesk.people.models_archive import Contract
from brokerdesk.people.models_recruitment import Candidate, CandidateDocument
from brokerdesk.people.models_training import TrainingAttendance
from brokerdesk.people.rules_recruitment import REQUIRED_SLOTS
from brokerdesk.people.tests.test_recruit_fixtures import (
    EXE,
    PDF,
    PNG,
    approve,
    candidate_data,
    make_candidate,
    pre_job_session,
    ready_for_decision,
)

pytestmark = pytest.mark.django_db
API = "/api/people/candidates/"


@pytest.fixture
def trade_b2(org):
    return login("trade_b2", Role.TRADE_MANAGEMENT, branch=org.branches.b2)


def _json(org, **over):
    data = candidate_data(org, **over)
    return {
        k: (v.pk if hasattr(v, "pk") else str(v) if isinstance(v, dt.date) else v) for k, v in data.items()
    }


# --- scope --------------------------------------------------------------------------------


def test_other_branch_lead_and_client_manager_reach_no_candidate(org, client_for, trade_b2):
    candidate = make_candidate(org)
    doc_url = None
    for user in (trade_b2, org.users.lead, org.users.cm, org.users.vp):
        c = client_for(user)
        listing = c.get(API)
        assert listing.status_code == 200 and listing.json()["count"] == 0
        assert c.get(f"{API}{candidate.pk}/").status_code == 404
    # Writes: another branch's recruiter gets 404 (not even told it exists); the others 403.
    c = client_for(trade_b2)
    assert (
        c.patch(f"{API}{candidate.pk}/", {"school": "x"}, content_type="application/json").status_code == 404
    )
    assert (
        c.post(f"{API}{candidate.pk}/withdraw/", {"note": "x"}, content_type="application/json").status_code
        == 404
    )
    assert client_for(org.users.cm).post(f"{API}{candidate.pk}/withdraw/", {"note": "x"}).status_code == 403
    doc_url = f"{API}{candidate.pk}/documents/1/download/"
    assert c.get(doc_url).status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.APPLIED and candidate.school == "北京大学"


def test_recruiter_lists_masked_numbers(org, client_for):
    candidate = make_candidate(org)
    body = client_for(org.users.trade).get(API).json()
    (row,) = body["results"]
    assert (
        row["id"] == candidate.pk
        and candidate.id_number not in str(body)
        and candidate.mobile not in str(body)
    )


def test_client_manager_reads_only_their_own_training_rows(org, client_for):
    session = pre_job_session(org)
    training.attendees_add(actor=org.users.trade, session=session, staff=[org.staff.cm, org.staff.cm_peer])
    mine = TrainingAttendance.objects.get(staff=org.staff.cm)
    peer = TrainingAttendance.objects.get(staff=org.staff.cm_peer)
    c = client_for(org.users.cm)
    rows = c.get("/api/people/training/records/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert c.get(f"/api/people/training/records/{peer.pk}/").status_code == 404
    assert [r["id"] for r in c.get(f"/api/people/training/sessions/{session.pk}/records/").json()] == [
        mine.pk
    ]
    response = c.post(
        f"/api/people/training/sessions/{session.pk}/results/",
        {"rows": [{"attendance": mine.pk, "score": "100"}]},
        content_type="application/json",
    )
    assert response.status_code == 403
    outsider = client_for(org.users.outsider)
    assert outsider.get(f"/api/people/training/sessions/{session.pk}/").status_code == 404
    assert outsider.get("/api/people/training/records/").json()["count"] == 0


# --- bad input ------------------------------------------------------------------------------


def test_bad_application_answers_400_with_field_errors(org, client_for):
    c = client_for(org.users.trade)
    response = c.post(
        API, _json(org, id_number="110101199001011234", mobile="1"), content_type="application/json"
    )
    assert response.status_code == 400 and {"id_number", "mobile"} <= set(response.json())
    first = c.post(API, _json(org), content_type="application/json")
    assert first.status_code == 201
    again = c.post(
        API, _json(org, id_number=Candidate.objects.get().id_number), content_type="application/json"
    )
    assert again.status_code == 400 and "id_number" in again.json()
    assert Candidate.objects.count() == 1


def test_executable_renamed_pdf_answers_400(org, client_for):
    candidate = make_candidate(org)
    response = client_for(org.users.trade).post(
        f"{API}{candidate.pk}/documents/", {"slot": "diploma", "file": SimpleUploadedFile("diploma.pdf", EXE)}
    )
    assert response.status_code == 400 and "file" in response.json()
    assert not CandidateDocument.objects.exists()


def test_decision_before_verification_answers_400(org, client_for):
    candidate = make_candidate(org)
    c = client_for(org.users.trade)
    c.post(f"{API}{candidate.pk}/documents/", {"slot": "resume", "file": SimpleUploadedFile("r.pdf", PDF)})
    response = c.post(
        f"{API}{candidate.pk}/propose/", {"decision": "not_hired"}, content_type="application/json"
    )
    assert response.status_code == 400 and {"documents", "training"} <= set(response.json())


def test_probation_ending_before_it_starts_answers_400(org, client_for):
    candidate = ready_for_decision(org)
    response = client_for(org.users.trade).post(
        f"{API}{candidate.pk}/propose/",
        {"decision": "probation", "probation_starts_on": "2026-04-01", "probation_ends_on": "2026-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "probation_ends_on" in response.json()


def test_check_by_someone_who_is_not_the_designated_person_is_403(org, client_for):
    candidate = make_candidate(org)
    c = client_for(org.users.manager)
    c.post(f"{API}{candidate.pk}/documents/", {"slot": "resume", "file": SimpleUploadedFile("r.pdf", PDF)})
    doc = CandidateDocument.objects.get()
    response = c.post(f"{API}{candidate.pk}/check/", {"document": doc.pk, "result": "authentic"})
    assert response.status_code == 403


# --- the whole way ----------------------------------------------------------------------------


def test_application_to_regular_staff_over_the_api(org, client_for):
    trade, hr = client_for(org.users.trade), client_for(org.users.hr)
    created = trade.post(API, _json(org, employment_type="part_time"), content_type="application/json")
    pk = created.json()["id"]
    for slot in REQUIRED_SLOTS:
        name, content = ("p.png", PNG) if slot == "photo" else (f"{slot}.pdf", PDF)
        assert (
            trade.post(
                f"{API}{pk}/documents/", {"slot": slot, "file": SimpleUploadedFile(name, content)}
            ).status_code
            == 201
        )
    for doc in hr.get(f"{API}{pk}/").json()["documents"]:
        assert hr.post(f"{API}{pk}/check/", {"document": doc["id"], "result": "authentic"}).status_code == 200
    download = hr.get(f"{API}{pk}/documents/{doc['id']}/download/")
    assert download.status_code == 200 and SensitiveAccess.objects.filter(channel="api").exists()
    # Pre-job training over the API.
    session = pre_job_session(org)
    sessions = f"/api/people/training/sessions/{session.pk}/"
    rows = trade.post(f"{sessions}attendees/", {"candidates": [pk]}, content_type="application/json").json()
    bad = trade.post(
        f"{sessions}results/",
        {"rows": [{"attendance": rows[0]["id"], "score": "150"}]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    ok = trade.post(
        f"{sessions}results/",
        {"rows": [{"attendance": rows[0]["id"], "score": "78"}]},
        content_type="application/json",
    )
    assert ok.json()[0]["result"] == "passed"
    assert trade.post(f"{sessions}confirm/").json()["results_confirmed_at"]
    evaluated = trade.post(
        f"{API}{pk}/evaluate/",
        {"evaluation_score": "81", "evaluation_comment": "合格"},
        content_type="application/json",
    )
    assert evaluated.json()["evaluation_score"] == "81.0"
    proposed = trade.post(
        f"{API}{pk}/propose/",
        {"decision": "probation", "probation_starts_on": "2026-04-01", "probation_ends_on": "2026-06-30"},
        content_type="application/json",
    )
    assert proposed.json()["status"] == "in_approval"
    approve(org.users.manager, Candidate.objects.get(pk=pk))
    assert trade.get(f"{API}{pk}/").json()["status"] == "probation"
    trade.post(
        f"{API}{pk}/probation-result/",
        {"result": "passed", "comment": "良好"},
        content_type="application/json",
    )
    converted = trade.post(
        f"{API}{pk}/convert/",
        {"emp_no": "BJ0500", "outlet": org.outlets.o2.pk},
        content_type="application/json",
    )
    assert converted.status_code == 400 and "outlet" in converted.json()  # another branch's outlet
    converted = trade.post(f"{API}{pk}/convert/", {"emp_no": "BJ0500"}, content_type="application/json")
    assert converted.status_code == 201, converted.json()
    staff = Staff.objects.get(emp_no="BJ0500")
    assert converted.json()["staff"] == staff.pk and staff.employment_type == "part_time"
    contract = Contract.objects.get(staff=staff)
    assert contract.kind == "cooperation" and contract.starts_on == dt.date(2026, 7, 1)
    assert TrainingAttendance.objects.get(candidate_id=pk).staff == staff
    assert Decimal(converted.json()["evaluation_score"]) == Decimal("81")


def test_reserve_search_over_the_api(org, client_for):
    c = client_for(org.users.trade)
    kept = make_candidate(org, name="林志强", skills="CFA一级")
    c.post(f"{API}{kept.pk}/withdraw/", {"note": "暂不考虑"}, content_type="application/json")
    make_candidate(org, name="林一")
    assert [r["id"] for r in c.get(API, {"reserve": "1", "q": "lzq"}).json()["results"]] == [kept.pk]
    assert [r["id"] for r in c.get(API, {"reserve": "1", "q": "CFA"}).json()["results"]] == [kept.pk]
    assert c.get(API, {"reserve": "1", "applied_from": "bad"}).status_code == 400
    fresh = c.post(f"{API}{kept.pk}/reactivate/", {}, content_type="application/json")
    assert fresh.status_code == 201 and fresh.json()["previous"] == kept.pk
    assert c.get(API, {"reserve": "1"}).json()["count"] == 0
