"""The pay report's services: finance's review, signing in order through the approvals engine
(主办会计 → 副经理（经理助理）→ 经理), returns, immutability once signing starts, and
corrections as new versions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from brokerdesk.access.roles import Role
from brokerdesk.approvals.exceptions import ApprovalError
from brokerdesk.approvals.models import Notification, Request, Task
from brokerdesk.approvals.services import inbox, request_resubmit, request_withdraw, task_act
from brokerdesk.org.tests.factories import login
from brokerdesk.performance import services_report as svc
from brokerdesk.performance.models import Frozen, PayLine, PayRun, PaySlip
from brokerdesk.performance.selectors_report import run_differences, signatures
from brokerdesk.performance.tests.factories import make_import
from brokerdesk.performance.tests.factories_report import D, fake_compute, make_run, office_user

S = PayRun.Status


def sign(user, run, decision="approve", opinion=""):
    task = inbox(user).get(request_id=run.approval_id)
    return task_act(actor=user, task=task, decision=decision, opinion=opinion)


def submitted(org, run=None):
    run = run or make_run(org)
    svc.run_review(actor=org.users.accountant, run=run, note="核对无误")
    return svc.run_submit(actor=org.users.accountant, run=run)


def signed(org, run=None):
    run = submitted(org, run)
    for user in (org.users.accountant, org.users.deputy, org.users.manager):
        sign(user, run)
    run.refresh_from_db()
    return run


# --- review --------------------------------------------------------------------------------------


def test_accountant_reviews_a_computed_run_with_a_note(org):
    run = make_run(org)
    run = svc.run_review(actor=org.users.accountant, run=run, note="  已核对提成与调整  ")
    assert run.status == S.REVIEWED
    assert run.review_note == "已核对提成与调整"
    assert run.reviewed_by == org.users.accountant and run.reviewed_at


def test_review_needs_a_note(org):
    run = make_run(org)
    with pytest.raises(ValidationError) as exc:
        svc.run_review(actor=org.users.accountant, run=run, note="  ")
    assert "note" in exc.value.message_dict
    assert PayRun.objects.get(pk=run.pk).status == S.COMPUTED


@pytest.mark.parametrize("who", ["deputy", "manager", "cm", "lead", "other_accountant"])
def test_only_the_branchs_finance_reviews(org, who):
    run = make_run(org)
    if who == "other_accountant":
        user = login("acc_b", Role.ACCOUNTANT, branch=org.branches.b2)
    else:
        user = getattr(org.users, who)
    with pytest.raises(PermissionDenied):
        svc.run_review(actor=user, run=run, note="x")
    assert PayRun.objects.get(pk=run.pk).status == S.COMPUTED


def test_review_refused_when_the_figures_were_imported_again(org):
    run = make_run(org)
    make_import(org.branches.b1, run.month, org.users.accountant)  # a newer version is current
    with pytest.raises(ValidationError, match="."):
        svc.run_review(actor=org.users.accountant, run=run, note="ok")
    assert PayRun.objects.get(pk=run.pk).status == S.COMPUTED


def test_review_twice_is_refused_clearly(org):
    run = make_run(org)
    svc.run_review(actor=org.users.accountant, run=run, note="one")
    with pytest.raises(ValidationError):
        svc.run_review(actor=org.users.accountant, run=run, note="two")
    assert PayRun.objects.get(pk=run.pk).review_note == "one"


# --- signing in order ----------------------------------------------------------------------------


def test_submit_moves_to_signing_and_the_accountant_signs_first(org):
    run = make_run(org)
    with pytest.raises(ValidationError):
        svc.run_submit(actor=org.users.accountant, run=run)  # not reviewed yet
    run = submitted(org, run)
    assert run.status == S.SIGNING
    assert run.approval.flow.code == "pay_report"
    assert run.approval.branch == org.branches.b1
    assert [t.step.role for t in inbox(org.users.accountant).filter(request=run.approval)] == ["accountant"]


def test_deputy_cannot_sign_before_the_accountant_nor_the_manager_before_the_deputy(org):
    run = submitted(org)
    first = Task.objects.get(request=run.approval, status="pending")
    assert not inbox(org.users.deputy).filter(request=run.approval).exists()
    assert not inbox(org.users.manager).filter(request=run.approval).exists()
    for early in (org.users.deputy, org.users.manager):
        with pytest.raises(ApprovalError):
            task_act(actor=early, task=first, decision="approve")
    sign(org.users.accountant, run)
    second = Task.objects.get(request=run.approval, status="pending")
    assert second.step.role == "deputy_manager"
    assert not inbox(org.users.manager).filter(request=run.approval).exists()
    with pytest.raises(ApprovalError):
        task_act(actor=org.users.manager, task=second, decision="approve")
    with pytest.raises(ApprovalError):  # the accountant cannot sign the deputy's step either
        task_act(actor=org.users.accountant, task=second, decision="approve")
    assert PayRun.objects.get(pk=run.pk).status == S.SIGNING
    sign(org.users.deputy, run)
    assert PayRun.objects.get(pk=run.pk).status == S.SIGNING
    sign(org.users.manager, run)
    run.refresh_from_db()
    assert run.status == S.SIGNED
    assert run.approval.status == Request.Status.APPROVED


def test_full_order_signs_hashes_files_and_notifies_the_integrated_office(org):
    office = office_user()
    run = signed(org)
    assert run.signed_at and run.filed_at
    assert run.content_hash == run.fingerprint()
    assert len(run.content_hash) == 64
    note = Notification.objects.get(user=office)
    assert note.url == run.get_absolute_url()
    names = [(s.label, s.name) for s in signatures(run)]
    assert [n for _label, n in names] == ["accountant", "deputy", "周九"]


def test_a_signer_returns_the_report_and_finance_sends_it_again_after_a_new_review(org):
    run = submitted(org)
    sign(org.users.accountant, run)
    sign(org.users.deputy, run, decision="return", opinion="提成比例需复核")
    run.refresh_from_db()
    assert run.status == S.RETURNED
    # Resubmitting from the approvals side without finance reviewing again is refused.
    with pytest.raises(ApprovalError):
        request_resubmit(actor=org.users.accountant, request=run.approval)
    run.refresh_from_db()
    assert run.status == S.RETURNED and run.approval.status == Request.Status.RETURNED
    svc.run_review(actor=org.users.accountant, run=run, note="已复核提成比例")
    run = svc.run_submit(actor=org.users.accountant, run=run)
    assert run.status == S.SIGNING
    assert run.approval.round == 2  # the same request, its trail kept
    for user in (org.users.accountant, org.users.deputy, org.users.manager):
        sign(user, run)
    run.refresh_from_db()
    assert run.status == S.SIGNED
    assert [s.name for s in signatures(run)] == ["accountant", "deputy", "周九"]


def test_rejected_or_withdrawn_report_is_editable_again(org):
    run = submitted(org)
    request_withdraw(actor=org.users.accountant, request=run.approval)
    run.refresh_from_db()
    assert run.status == S.RETURNED
    svc.run_review(actor=org.users.accountant, run=run, note="again")
    run = svc.run_submit(actor=org.users.accountant, run=run)  # a new request
    assert run.status == S.SIGNING
    sign(org.users.accountant, run)
    sign(org.users.deputy, run, decision="reject", opinion="数据有误")
    run.refresh_from_db()
    assert run.status == S.RETURNED


def test_a_second_unsigned_version_cannot_be_signed_while_one_is_signing(org):
    first = submitted(org)
    other = make_run(org, version=2)
    svc.run_review(actor=org.users.accountant, run=other, note="x")
    with pytest.raises(ValidationError):
        svc.run_submit(actor=org.users.accountant, run=other)
    assert PayRun.objects.get(pk=other.pk).status == S.REVIEWED
    assert PayRun.objects.get(pk=first.pk).status == S.SIGNING


# --- immutability ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["signing", "signed"])
def test_services_refuse_to_change_a_locked_run(org, monkeypatch, stage):
    calls = fake_compute(monkeypatch, org)
    run = submitted(org) if stage == "signing" else signed(org)
    before = list(PayLine.objects.filter(run=run).values_list("pk", "amount"))
    fields = PayRun.objects.filter(pk=run.pk).values().get()
    for attempt in (
        lambda: svc.run_review(actor=org.users.accountant, run=run, note="again"),
        lambda: svc.run_submit(actor=org.users.accountant, run=run),
        lambda: svc.run_recompute(actor=org.users.accountant, run=run),
        lambda: svc.run_delete(actor=org.users.accountant, run=run),
        lambda: svc.run_compute_month(actor=org.users.accountant, branch=run.branch, month=run.month),
        lambda: svc.ensure_editable(run),
    ):
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert f"v{run.version}" in " ".join(exc.value.messages)
    assert calls == []
    assert PayRun.objects.filter(pk=run.pk).values().get() == fields
    assert list(PayLine.objects.filter(run=run).values_list("pk", "amount")) == before
    assert PayRun.objects.count() == 1


@pytest.mark.parametrize("stage", ["signing", "signed"])
def test_orm_refuses_to_save_or_delete_lines_and_slips_of_a_locked_run(org, stage):
    run = submitted(org) if stage == "signing" else signed(org)
    line = PayLine.objects.filter(run=run).first()
    slip = PaySlip.objects.filter(run=run).first()
    line.amount += 1
    for attempt in (line.save, line.delete, slip.save, slip.delete, run.delete):
        with pytest.raises(Frozen):
            attempt()
    if stage == "signed":
        with pytest.raises(Frozen):
            PayRun.objects.get(pk=run.pk).save()
    assert PayLine.objects.get(pk=line.pk).amount == line.amount - 1


def test_stored_hash_matches_a_recomputation_after_signing(org):
    run = signed(org)
    fresh = PayRun.objects.get(pk=run.pk)
    assert fresh.content_hash == fresh.fingerprint()
    # A line changed behind the model's back (raw UPDATE) shows: the hash no longer matches.
    PayLine.objects.filter(run=run, component="commission", staff=org.staff.cm).update(amount=1)
    assert fresh.content_hash != fresh.fingerprint()


# --- corrections ----------------------------------------------------------------------------------


def test_correction_is_a_new_version_with_its_differences_and_is_signed_the_same_way(org, monkeypatch):
    calls = fake_compute(monkeypatch, org)
    old = signed(org)
    old_hash = old.content_hash
    with pytest.raises(ValidationError) as exc:
        svc.run_correct(actor=org.users.accountant, run=old, reason=" ")
    assert "reason" in exc.value.message_dict
    new = svc.run_correct(actor=org.users.accountant, run=old, reason="十月提成少算")
    assert calls[-1]["corrects"] == old and calls[-1]["reason"] == "十月提成少算"
    assert (new.version, new.corrects, new.status) == (2, old, S.COMPUTED)
    diff = run_differences(new)
    assert [(p.name, [(d.component, d.before, d.after, d.diff) for d in p.lines]) for p in diff.people] == [
        ("张三", [("commission", D("1234.56"), D("1334.56"), D("100.00"))])
    ]
    assert diff.total_diff == 100
    # Only one open correction at a time.
    with pytest.raises(ValidationError):
        svc.run_correct(actor=org.users.accountant, run=old, reason="again")
    signed(org, new)
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.status == S.SIGNED and new.content_hash == new.fingerprint()
    assert old.status == S.SIGNED and old.content_hash == old_hash == old.fingerprint()
    assert list(old.corrections.all()) == [new]
    # The older version is no longer the one in force: correct the newest.
    with pytest.raises(ValidationError):
        svc.run_correct(actor=org.users.accountant, run=old, reason="again")


def test_only_a_signed_run_is_corrected_and_only_by_finance(org, monkeypatch):
    fake_compute(monkeypatch, org)
    run = make_run(org)
    with pytest.raises(ValidationError):
        svc.run_correct(actor=org.users.accountant, run=run, reason="x")
    run = signed(org, run)
    with pytest.raises(PermissionDenied):
        svc.run_correct(actor=org.users.manager, run=run, reason="x")
    assert PayRun.objects.count() == 1


def test_an_uncorrected_new_version_is_not_signed_over_a_signed_one(org):
    signed(org)
    stray = make_run(org, version=2)
    svc.run_review(actor=org.users.accountant, run=stray, note="x")
    with pytest.raises(ValidationError):
        svc.run_submit(actor=org.users.accountant, run=stray)
    assert PayRun.objects.get(pk=stray.pk).status == S.REVIEWED


def test_compute_month_is_refused_for_another_branch(org, monkeypatch):
    calls = fake_compute(monkeypatch, org)
    with pytest.raises(PermissionDenied):
        svc.run_compute_month(actor=org.users.accountant, branch=org.branches.b2, month=make_run(org).month)
    assert calls == []
