"""Recruitment pages: who sees candidates (the branch's recruitment and archive roles and the
company departments; not another branch, a team lead or a client manager), bad input comes
back as field errors with nothing saved, documents are served only after the scope check and
every read is logged, and the talent reserve is searchable."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from brokerdesk.access.models import SensitiveAccess
from brokerdesk.access.roles import Role
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import login
from brokerdesk.people import services_recruitment as recruit
from brokerdesk.people.models_archive import Contract
from brokerdesk.people.models_recruitment import Candidate, CandidateDocument
from brokerdesk.people.tests.test_recruit_fixtures import (
    EXE,
    candidate_data,
    documents_in,
    make_candidate,
    pdf,
    probation_passed,
    ready_for_decision,
    trained,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trade_b2(org):
    return login("trade_b2", Role.TRADE_MANAGEMENT, branch=org.branches.b2)


def _detail(c):
    return reverse("people:recruit-detail", args=[c.pk])


# --- scope --------------------------------------------------------------------------------


def test_recruiters_of_the_branch_and_company_departments_see_the_candidate(org, client_for):
    candidate = make_candidate(org)
    for user in (org.users.trade, org.users.manager, org.users.deputy, org.users.hr):
        c = client_for(user)
        assert f'id="candidate-{candidate.pk}"' in c.get(reverse("people:recruit-list")).content.decode()
        assert c.get(_detail(candidate)).status_code == 200


def test_other_branch_team_lead_and_client_manager_cannot_see_or_change_a_candidate(
    org, client_for, trade_b2
):
    candidate = make_candidate(org)
    doc = recruit.candidate_document_upload(
        actor=org.users.trade, candidate=candidate, slot="resume", upload=pdf()
    )
    for user in (trade_b2, org.users.lead, org.users.cm, org.users.keeper, org.users.vp):
        c = client_for(user)
        page = c.get(reverse("people:recruit-list"))
        assert f"candidate-{candidate.pk}" not in page.content.decode()
        assert c.get(_detail(candidate)).status_code == 404
        assert c.post(_detail(candidate), {"form": "withdraw", "withdraw-note": "x"}).status_code == 404
        assert c.get(reverse("people:recruit-edit", args=[candidate.pk])).status_code == 404
        assert c.get(reverse("people:recruit-document-download", args=[doc.pk])).status_code == 404
        assert c.post(reverse("people:recruit-reactivate", args=[candidate.pk])).status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.APPLIED
    assert not SensitiveAccess.objects.exists()


def test_client_manager_gets_no_new_candidate_page(org, client_for):
    assert client_for(org.users.cm).get(reverse("people:recruit-create")).status_code == 404
    assert client_for(org.users.lead).get(reverse("people:recruit-create")).status_code == 404


def test_other_branch_recruiter_cannot_record_for_this_branch(org, client_for, trade_b2):
    data = candidate_data(org)
    data.update(branch=org.branches.b1.pk, team=org.teams.a.pk)
    response = client_for(trade_b2).post(reverse("people:recruit-create"), data)
    assert response.status_code == 400
    assert "branch" in response.context["form"].errors
    assert not Candidate.objects.exists()


# --- the application and bad input ----------------------------------------------------------


def _form_data(org, **over):
    data = candidate_data(org, **over)
    return {k: getattr(v, "pk", v) for k, v in data.items()}


def test_new_candidate_is_recorded_through_the_page(org, client_for):
    c = client_for(org.users.trade)
    assert c.get(reverse("people:recruit-create")).status_code == 200
    response = c.post(reverse("people:recruit-create"), _form_data(org, name="王小丫"))
    candidate = Candidate.objects.get()
    assert response.status_code == 302 and response.url == _detail(candidate)
    assert candidate.created_by == org.users.trade and candidate.name_pinyin == "wangxiaoya"


def test_bad_id_number_and_mobile_come_back_as_field_errors(org, client_for):
    response = client_for(org.users.trade).post(
        reverse("people:recruit-create"), _form_data(org, id_number="110101199001011234", mobile="123")
    )
    assert response.status_code == 400
    assert {"id_number", "mobile"} <= set(response.context["form"].errors)
    assert not Candidate.objects.exists()


def test_executable_renamed_pdf_is_refused_on_the_page(org, client_for):
    candidate = make_candidate(org)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(org.users.trade).post(
        _detail(candidate),
        {"form": "upload", "upload-slot": "diploma", "upload-file": SimpleUploadedFile("diploma.pdf", EXE)},
    )
    assert response.status_code == 400
    assert "file" in response.context["forms"]["upload"].errors
    assert not CandidateDocument.objects.exists()


def test_decision_before_verification_is_refused_with_a_clear_message(org, client_for):
    candidate = make_candidate(org)
    documents_in(org, candidate, verifier=False)
    trained(org, candidate)
    c = client_for(org.users.trade)
    with translation.override("en"):
        response = c.post(
            _detail(candidate),
            {
                "form": "propose",
                "propose-decision": "not_hired",
                "propose-note": "",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 400
        errors = [str(e) for e in response.context["forms"]["propose"].non_field_errors()]
    assert any("checked for authenticity" in e for e in errors), errors
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.APPLIED


def test_probation_ending_before_it_starts_is_a_field_error(org, client_for):
    candidate = ready_for_decision(org)
    response = client_for(org.users.trade).post(
        _detail(candidate),
        {
            "form": "propose",
            "propose-decision": "probation",
            "propose-probation_starts_on": "2026-04-01",
            "propose-probation_ends_on": "2026-03-01",
        },
    )
    assert response.status_code == 400
    assert "probation_ends_on" in response.context["forms"]["propose"].errors
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.APPLIED and candidate.approval is None


def test_propose_through_the_page_sends_it_for_approval(org, client_for):
    candidate = ready_for_decision(org)
    response = client_for(org.users.trade).post(
        _detail(candidate),
        {
            "form": "propose",
            "propose-decision": "probation",
            "propose-probation_starts_on": "2026-04-01",
            "propose-probation_ends_on": "2026-06-30",
            "propose-note": "建议试用",
        },
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (
        candidate.status == Candidate.Status.IN_APPROVAL
        and candidate.approval.flow.code == "recruit_decision"
    )
    page = client_for(org.users.manager).get(candidate.approval.get_absolute_url())
    assert _detail(candidate) in page.content.decode()  # "open the document" leads back here


def test_documents_are_served_after_the_scope_check_and_each_read_is_logged(org, client_for):
    candidate = make_candidate(org)
    doc = recruit.candidate_document_upload(
        actor=org.users.trade, candidate=candidate, slot="resume", upload=pdf()
    )
    response = client_for(org.users.hr).get(reverse("people:recruit-document-download", args=[doc.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    log = SensitiveAccess.objects.get()
    assert (log.user, log.model, log.object_id) == (org.users.hr, "people.CandidateDocument", str(doc.pk))


def test_id_number_is_masked_until_revealed_and_the_reveal_is_logged(org, client_for):
    candidate = make_candidate(org)
    c = client_for(org.users.trade)
    page = c.get(_detail(candidate)).content.decode()
    assert candidate.id_number not in page and candidate.mobile not in page
    page = c.get(_detail(candidate) + "?reveal=1").content.decode()
    assert candidate.id_number in page
    assert SensitiveAccess.objects.filter(object_id=str(candidate.pk), field="id_number").count() == 1


def test_check_form_records_the_check(org, client_for):
    candidate = make_candidate(org)
    doc = recruit.candidate_document_upload(
        actor=org.users.trade, candidate=candidate, slot="resume", upload=pdf()
    )
    response = client_for(org.users.hr).post(
        _detail(candidate),
        {"form": "check", "check-document": doc.pk, "check-result": "doubtful", "check-note": ""},
    )
    assert response.status_code == 400 and "note" in response.context["forms"]["check"].errors
    response = client_for(org.users.manager).post(
        _detail(candidate), {"form": "check", "check-document": doc.pk, "check-result": "authentic"}
    )
    assert response.status_code == 400  # the branch manager is not the designated person
    response = client_for(org.users.hr).post(
        _detail(candidate), {"form": "check", "check-document": doc.pk, "check-result": "authentic"}
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.check_result == "authentic" and doc.checked_by == org.users.hr


# --- probation and conversion ---------------------------------------------------------------


def test_convert_page_is_refused_before_the_probation_ends(org, client_for):
    candidate = probation_passed(
        org, starts_on=dt.date.today(), ends_on=dt.date.today() + dt.timedelta(days=60)
    )
    response = client_for(org.users.trade).get(reverse("people:recruit-convert", args=[candidate.pk]))
    assert response.status_code == 302 and response.url == _detail(candidate)


def test_convert_page_creates_staff_and_the_first_contract(org, client_for):
    candidate = probation_passed(org)
    c = client_for(org.users.trade)
    url = reverse("people:recruit-convert", args=[candidate.pk])
    assert c.get(url).status_code == 200
    bad = c.post(
        url,
        {
            "emp_no": "",
            "hired_on": "2026-06-15",
            "contract_starts_on": "2026-07-01",
            "contract_ends_on": "2026-06-01",
        },
    )
    assert bad.status_code == 400 and "emp_no" in bad.context["form"].errors
    response = c.post(
        url,
        {
            "emp_no": "BJ0300",
            "hired_on": "2026-07-01",
            "team": org.teams.a.pk,
            "outlet": org.outlets.o1.pk,
            "contract_starts_on": "2026-07-01",
            "contract_ends_on": "2027-06-30",
            "original_location": "档案柜A",
        },
    )
    assert response.status_code == 302
    staff = Staff.objects.get(emp_no="BJ0300")
    assert Contract.objects.get(staff=staff).original_location == "档案柜A"
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.HIRED


# --- talent reserve --------------------------------------------------------------------------


def test_talent_reserve_search_by_name_pinyin_skills_education_and_date(org, client_for):
    kept = make_candidate(org, name="林志强", skills="CFA一级 英语六级", education=Candidate.Education.MASTER)
    recruit.candidate_withdraw(actor=org.users.trade, candidate=kept, note="暂不考虑")
    other = make_candidate(org, name="赵敏", skills="", applied_on=dt.date(2025, 1, 5))
    recruit.candidate_withdraw(actor=org.users.trade, candidate=other, note="暂不考虑")
    open_one = make_candidate(org, name="林一")  # not in the reserve
    c = client_for(org.users.trade)
    url = reverse("people:recruit-reserve")

    def found(**params):
        page = c.get(url, params).content.decode()
        return {p.pk for p in (kept, other, open_one) if f'id="reserve-{p.pk}"' in page}

    assert found() == {kept.pk, other.pk}
    assert found(q="林志强") == {kept.pk}
    assert found(q="lzq") == {kept.pk}
    assert found(q="linzhi") == {kept.pk}
    assert found(q="CFA") == {kept.pk}
    assert found(education="master") == {kept.pk}
    assert found(applied_to="2025-12-31") == {other.pk}
    assert found(applied_from="2026-01-01") == {kept.pk}
    # Taken up again: no longer in the reserve.
    recruit.candidate_reactivate(actor=org.users.trade, candidate=kept)
    assert found() == {other.pk}
    # Another branch's recruiter sees none of them.
    b2 = login("trade_b2x", Role.TRADE_MANAGEMENT, branch=org.branches.b2)
    page = client_for(b2).get(url).content.decode()
    assert "reserve-" not in page.replace('id="reserve-filter"', "").replace('id="reserve-table"', "")


def test_reactivate_button_opens_a_new_application(org, client_for):
    candidate = make_candidate(org)
    recruit.candidate_withdraw(actor=org.users.trade, candidate=candidate, note="另有安排")
    response = client_for(org.users.trade).post(reverse("people:recruit-reactivate", args=[candidate.pk]))
    fresh = Candidate.objects.get(previous=candidate)
    assert response.status_code == 302 and response.url == _detail(fresh)


def test_every_page_renders_for_each_stage(org, client_for):
    stages = [
        make_candidate(org, name="甲"),
        ready_for_decision(org, name="乙"),
        probation_passed(org, name="丙"),
    ]
    c = client_for(org.users.trade)
    for candidate in stages:
        assert c.get(_detail(candidate)).status_code == 200
    for status in ("", "all", "probation", "not_hired"):
        assert c.get(reverse("people:recruit-list"), {"status": status}).status_code == 200
    assert c.get(reverse("people:recruit-list"), {"q": "jia"}, HTTP_HX_REQUEST="true").status_code == 200


def test_no_full_id_number_or_mobile_appears_on_any_recruitment_page_or_api_list(org, client_for):
    candidate = ready_for_decision(org, name="陈秘密")
    withdrawn = make_candidate(org, name="林保密")
    recruit.candidate_withdraw(actor=org.users.trade, candidate=withdrawn, note="暂不考虑")
    secrets = [candidate.id_number, candidate.mobile, withdrawn.id_number]
    urls = [
        "/people/recruitment/",
        "/people/recruitment/?status=all&q=陈",
        "/people/recruitment/reserve/",
        _detail(candidate),
        _detail(withdrawn),
        "/people/training/",
        "/people/training/records/",
        "/api/people/candidates/",
        f"/api/people/candidates/{candidate.pk}/",
        "/api/people/candidates/?reserve=1",
        "/api/people/training/records/",
    ]
    for user in (org.users.trade, org.users.hr, org.users.manager):
        c = client_for(user)
        for url in urls:
            text = c.get(url).content.decode()
            assert not any(s in text for s in secrets), (user, url)
