"""Recruitment in a real Chromium (issue 7, "done when"): HR records a candidate, files their
documents (an executable renamed .pdf is refused), the designated person checks them, the
candidate attends pre-job training and gets a result, is evaluated, the decision goes through
approval (refused first while a document is unchecked), probation is passed, and the candidate
becomes regular staff with a one-year labour contract and their documents in the file."""

import datetime as dt

import pytest
from django.utils import timezone

from brokerdesk.core.tests.browser import (  # noqa: F401 - fixtures used by name
    PHONE,
    browser_fixture,
    login,
    new_page_fixture,
    page_fixture,
    skip_without_chromium,
)
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import PASSWORD, build_org
from brokerdesk.people.models_archive import ArchiveDocument, Contract
from brokerdesk.people.models_recruitment import Candidate
from brokerdesk.people.models_training import TrainingAttendance
from brokerdesk.people.tests.test_recruit_fixtures import EXE, PDF, PNG, next_id_number

pytestmark = [pytest.mark.browser, skip_without_chromium]

SLOTS = ["photo", "resume", "id_copy", "diploma", "guarantee", "guarantor_id"]


@pytest.fixture
def site(live_server):
    return live_server.url, build_org()


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def _file(name: str, content: bytes, mime: str = "application/pdf") -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


def test_hr_records_a_candidate_through_training_and_probation_to_regular_staff_with_a_contract(
    site, new_page
):
    base, org = site
    today = timezone.localdate()
    hr = new_page()
    login(hr, base, org.users.trade.username, PASSWORD)

    # 1. The application.
    hr.goto(f"{base}/people/recruitment/")
    _submit(hr, "#new-candidate")
    hr.locator("#id_branch").select_option(str(org.branches.b1.pk))
    hr.locator("#id_team").select_option(str(org.teams.a.pk))
    hr.locator("#id_employment_type").select_option("full_time")
    hr.locator("#id_name").fill("陈晓明")
    hr.locator("#id_gender").select_option("M")
    hr.locator("#id_mobile").fill("13700001111")
    hr.locator("#id_id_number").fill("110101199001011234")  # wrong check digit
    hr.locator("#id_education").select_option("bachelor")
    hr.locator("#id_skills").fill("证券从业资格")
    hr.locator("#id_source").select_option("campus")
    _submit(hr, "#candidate-form button[type=submit]")
    assert hr.locator(".field.has-error #id_id_number").count() == 1
    assert not Candidate.objects.exists()
    hr.locator("#id_id_number").fill(next_id_number())
    _submit(hr, "#candidate-form button[type=submit]")
    candidate = Candidate.objects.get()
    assert hr.url.endswith(f"/people/recruitment/{candidate.pk}/")

    # 2. Documents: an executable renamed .pdf is refused, then the six documents are filed.
    hr.locator("#id_upload-slot").select_option("diploma")
    hr.locator("#id_upload-file").set_input_files(_file("diploma.pdf", EXE))
    _submit(hr, "#upload-form button[type=submit]")
    assert hr.locator("#upload-form .has-error #id_upload-file").count() == 1
    for slot in SLOTS:
        hr.locator("#id_upload-slot").select_option(slot)
        upload = _file("photo.png", PNG, "image/png") if slot == "photo" else _file(f"{slot}.pdf", PDF)
        hr.locator("#id_upload-file").set_input_files(upload)
        _submit(hr, "#upload-form button[type=submit]")
        assert hr.locator(f"#slot-{slot}").get_attribute("data-check") == "pending"

    # 3. Proposing now is refused: nothing is checked and there is no training result.
    hr.locator("#id_propose-decision_1").check()  # not hired
    _submit(hr, "#propose-form button[type=submit]")
    assert hr.locator("#propose-errors").count() == 1
    assert Candidate.objects.get().status == Candidate.Status.APPLIED

    # 4. The designated person (HR department) checks each document against its original.
    verifier = new_page()
    login(verifier, base, org.users.hr.username, PASSWORD)
    verifier.goto(f"{base}/people/recruitment/{candidate.pk}/")
    for slot in SLOTS:
        verifier.locator(f"#check-result-{slot}").select_option("authentic")
        _submit(verifier, f"#check-{slot} button[type=submit]")
        assert verifier.locator(f"#slot-{slot}").get_attribute("data-check") == "authentic"

    # 5. Pre-job training: a programme, a session held last week, the candidate on its list.
    hr.goto(f"{base}/people/training/programmes/")
    _submit(hr, "#new-programme")
    hr.locator("#id_branch").select_option(str(org.branches.b1.pk))
    hr.locator("#id_title").fill("客户经理岗前培训")
    hr.locator("#id_category").select_option("pre_job")
    hr.locator("#id_organiser").fill("营业部交易管理岗")
    hr.locator("#id_pass_score").fill("60")
    _submit(hr, "#training-form button[type=submit]")
    _submit(hr, "#new-session-for-programme")
    held = timezone.localtime() - dt.timedelta(days=7)
    hr.locator("#id_branch").select_option(str(org.branches.b1.pk))
    hr.locator("#id_starts_at").fill(held.strftime("%Y-%m-%dT09:00"))
    hr.locator("#id_ends_at").fill(held.strftime("%Y-%m-%dT12:00"))
    hr.locator("#id_content").fill("证券基础知识、合规要求、客户服务规范")
    hr.locator("#id_trainer_name").fill("公司培训中心 王老师")
    _submit(hr, "#training-form button[type=submit]")
    hr.locator("#id_candidates").select_option(str(candidate.pk))
    _submit(hr, "#attendees-form button[type=submit]")
    hr.locator("#id_rows-0-score").fill("86")
    _submit(hr, "#save-results")
    _submit(hr, "#confirm-results")
    assert hr.locator("#session-state").get_attribute("data-state") == "confirmed"
    assert TrainingAttendance.objects.get(candidate=candidate).result == "passed"

    # 6. Evaluation and the decision: probation, already run its course for this test.
    hr.goto(f"{base}/people/recruitment/{candidate.pk}/")
    hr.locator("#id_evaluate-evaluation_score").fill("84.5")
    hr.locator("#id_evaluate-evaluation_comment").fill("岗前培训成绩良好，沟通能力强")
    _submit(hr, "#evaluate-form button[type=submit]")
    start, end = today - dt.timedelta(days=95), today - dt.timedelta(days=5)
    hr.locator("#id_propose-decision_0").check()  # probation
    hr.locator("#id_propose-probation_starts_on").fill(start.isoformat())
    hr.locator("#id_propose-probation_ends_on").fill((start - dt.timedelta(days=1)).isoformat())
    _submit(hr, "#propose-form button[type=submit]")
    assert hr.locator("#propose-form .has-error #id_propose-probation_ends_on").count() == 1
    hr.locator("#id_propose-probation_ends_on").fill(end.isoformat())
    hr.locator("#id_propose-note").fill("综合考评合格，建议试用")
    _submit(hr, "#propose-form button[type=submit]")
    assert hr.locator("#candidate-status").get_attribute("data-status") == "in_approval"

    # 7. The branch manager approves from the request page.
    boss = new_page()
    login(boss, base, org.users.manager.username, PASSWORD)
    candidate.refresh_from_db()
    boss.goto(f"{base}{candidate.approval.get_absolute_url()}")
    boss.locator("input[name=decision][value=approve]").check()
    boss.locator("#decide #id_opinion").fill("同意试用")
    _submit(boss, "#decide button[type=submit]")
    hr.goto(f"{base}/people/recruitment/{candidate.pk}/")
    assert hr.locator("#candidate-status").get_attribute("data-status") == "probation"

    # 8. Probation passed, then conversion to regular staff with the first contract.
    hr.locator("#id_assess-result_0").check()  # passed
    hr.locator("#id_assess-comment").fill("试用期表现良好，业绩达标")
    _submit(hr, "#assess-form button[type=submit]")
    _submit(hr, "#convert-link")
    hr.locator("#id_emp_no").fill("BJ0001")  # taken by 张三
    hr.locator("#id_outlet").select_option(str(org.outlets.o1.pk))
    hr.locator("#id_original_location").fill("档案柜A-3")
    _submit(hr, "#convert-form button[type=submit]")
    assert hr.locator(".has-error #id_emp_no").count() == 1
    assert not Contract.objects.exists()
    hr.locator("#id_emp_no").fill("BJ0100")
    _submit(hr, "#convert-form button[type=submit]")
    assert hr.url.endswith(f"/people/recruitment/{candidate.pk}/")
    assert hr.locator("#candidate-status").get_attribute("data-status") == "hired"

    staff = Staff.objects.get(emp_no="BJ0100")
    hired_on = end + dt.timedelta(days=1)
    assert (staff.name, staff.status, staff.team, staff.outlet, staff.hired_on) == (
        "陈晓明",
        Staff.Status.ACTIVE,
        org.teams.a,
        org.outlets.o1,
        max(hired_on, today),
    )
    contract = Contract.objects.get(staff=staff)
    assert contract.kind == "labour" and contract.original_location == "档案柜A-3"
    assert (contract.ends_on - contract.starts_on).days in (364, 365)
    assert ArchiveDocument.objects.filter(staff=staff, verified_by=org.users.hr).count() == 6
    assert TrainingAttendance.objects.get(candidate=candidate).staff == staff

    # The personnel file opens from the candidate's page; on a phone the page fits the screen.
    _submit(hr, "#staff-file-link")
    assert f"/{staff.pk}/" in hr.url
    phone = new_page(viewport=PHONE)
    login(phone, base, org.users.trade.username, PASSWORD)
    phone.goto(f"{base}/people/recruitment/{candidate.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
