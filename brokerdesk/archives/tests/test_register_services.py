"""Filing, editing, withdrawing, custody and monthly closing through the services: serial numbers
without gaps, closed months refusing every change (service and model guard), scope of who may
act, and bad input refused with nothing saved."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from brokerdesk.archives import selectors, services
from brokerdesk.archives.models_register import CustodyMove, MonthClosed, RegisterBatch, RegisterEntry
from brokerdesk.archives.tests.factories import exe_as_pdf, file_entry, last_month, office, pdf, this_month
from brokerdesk.core.models import SerialCounter
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

K = RegisterEntry.Kind


def test_serials_count_per_kind_branch_and_month(org):
    month = this_month()
    a = file_entry(org, kind=K.WORK_PLAN)
    b = file_entry(org, kind=K.WORK_PLAN)
    c = file_entry(org, kind=K.PAY_REPORT)
    d = file_entry(org, kind=K.WORK_PLAN, month=last_month())
    e = file_entry(org, actor=office(org), branch=org.branches.b2, kind=K.WORK_PLAN)
    assert a.serial_no == f"JH-BJ01-{month:%Y%m}-0001"
    assert b.serial_no == f"JH-BJ01-{month:%Y%m}-0002"
    assert c.serial_no == f"XC-BJ01-{month:%Y%m}-0001"
    assert d.serial_no == f"JH-BJ01-{last_month():%Y%m}-0001"
    assert e.serial_no == f"JH-SH01-{month:%Y%m}-0001"
    assert a.batch == b.batch == c.batch and a.batch != d.batch
    assert a.custodian is None and a.filed_by == org.users.trade


def test_a_refused_filing_leaves_no_gap(org):
    file_entry(org)
    with pytest.raises(ValidationError) as exc:
        file_entry(org, cabinet="")
    assert "cabinet" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        file_entry(org, scan=exe_as_pdf())
    assert "scan" in exc.value.message_dict
    third = file_entry(org)
    assert third.sequence == 2
    assert SerialCounter.objects.get(kind="register.work_plan", branch=org.branches.b1).value == 2


def test_bad_input_names_its_fields_and_saves_nothing(org):
    with pytest.raises(ValidationError) as exc:
        services.entry_file(
            actor=org.users.trade,
            branch=org.branches.b1,
            kind="poem",
            month=this_month() + dt.timedelta(days=40),
            title="  ",
            cabinet="",
            pages=0,
        )
    assert set(exc.value.message_dict) >= {"kind", "month", "title", "cabinet", "pages"}
    assert not RegisterEntry.objects.exists()
    assert not RegisterBatch.objects.exists()


def test_a_scan_is_checked_by_content_and_kept_with_its_name(org):
    entry = file_entry(org, scan=pdf("十月薪酬.pdf"))
    assert entry.scan_name == "十月薪酬.pdf"
    assert not entry.scan.name.endswith(".pdf")  # the stored name is ours


def test_only_the_register_keepers_file_and_only_in_their_branches(org):
    for user in (org.users.cm, org.users.lead, org.users.accountant, org.users.hr, org.users.keeper):
        with pytest.raises(PermissionDenied):
            file_entry(org, actor=user)
    with pytest.raises(PermissionDenied):
        file_entry(org, actor=org.users.trade, branch=org.branches.b2)
    assert file_entry(org, actor=org.users.manager).branch == org.branches.b1
    assert file_entry(org, actor=office(org), branch=org.branches.b2).branch == org.branches.b2


def test_the_same_submission_twice_files_once(org):
    first = file_entry(org, submission_key="k-1")
    again = file_entry(org, submission_key="k-1")
    assert again.pk == first.pk
    assert RegisterEntry.objects.count() == 1
    assert file_entry(org, submission_key="k-2").sequence == 2


def test_edit_and_withdraw_while_open(org):
    entry = file_entry(org)
    services.entry_update(
        actor=org.users.trade, entry=entry, title="2026年度工作计划（修订）", cabinet="柜2", pages=12
    )
    entry.refresh_from_db()
    assert (entry.title, entry.cabinet, entry.pages) == ("2026年度工作计划（修订）", "柜2", 12)
    assert entry.history.count() == 2
    with pytest.raises(ValidationError) as exc:
        services.entry_update(actor=org.users.trade, entry=entry, kind=K.OTHER)
    assert "kind" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.entry_update(actor=org.users.lead, entry=entry, title="x")
    with pytest.raises(ValidationError) as exc:
        services.entry_withdraw(actor=org.users.trade, entry=entry, reason="")
    assert "reason" in exc.value.message_dict
    services.entry_withdraw(actor=org.users.trade, entry=entry, reason="重复登记")
    entry.refresh_from_db()
    assert entry.withdrawn and entry.withdrawn_at
    with pytest.raises(ValidationError):
        services.entry_update(actor=org.users.trade, entry=entry, title="again")
    # The number stays taken: the next one follows it.
    assert file_entry(org).sequence == 2


def test_a_closed_month_refuses_every_change(org):
    entry = file_entry(org, month=last_month())
    batch = services.batch_close(actor=org.users.trade, batch=entry.batch, note="十月归档")
    assert batch.closed and batch.closed_by == org.users.trade and batch.note == "十月归档"
    with pytest.raises(ValidationError) as exc:
        file_entry(org, month=last_month())
    assert "month" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.entry_update(actor=org.users.trade, entry=entry, title="改")
    with pytest.raises(ValidationError):
        services.entry_withdraw(actor=org.users.trade, entry=entry, reason="错")
    with pytest.raises(ValidationError):
        services.batch_close(actor=org.users.trade, batch=batch)
    entry.refresh_from_db()
    assert entry.title == "2026年度工作计划" and not entry.withdrawn
    assert RegisterEntry.objects.count() == 1


def test_the_model_guards_a_closed_month_even_without_the_services(org):
    entry = file_entry(org, month=last_month())
    services.batch_close(actor=org.users.trade, batch=entry.batch)
    entry.refresh_from_db()
    entry.title = "直接改"
    with pytest.raises(MonthClosed):
        entry.save()
    with pytest.raises(MonthClosed):
        entry.save(update_fields=["title"])
    with pytest.raises(MonthClosed):
        RegisterEntry.objects.filter(pk=entry.pk).update(title="批量改")
    with pytest.raises(MonthClosed):
        entry.delete()
    with pytest.raises(MonthClosed):
        RegisterEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(MonthClosed):
        entry.batch.delete()
    extra = RegisterEntry(
        serial_no="JH-BJ01-190001-9999",
        kind=K.WORK_PLAN,
        branch=org.branches.b1,
        month=entry.month,
        sequence=9999,
        batch=entry.batch,
        title="补登",
        cabinet="柜1",
        filed_by=org.users.trade,
    )
    with pytest.raises(MonthClosed):
        extra.save()
    assert RegisterEntry.objects.get().title == "2026年度工作计划"


def test_a_correction_is_a_new_entry_in_an_open_month_naming_the_earlier_serial(org):
    old = file_entry(org, kind=K.PAY_REPORT, month=last_month(), title="上月薪酬月报")
    services.batch_close(actor=org.users.trade, batch=old.batch)
    fix = file_entry(org, kind=K.PAY_REPORT, title="上月薪酬月报（更正）", corrects=old)
    assert fix.month == this_month() and fix.corrects == old
    assert list(old.corrections.all()) == [fix]
    other = file_entry(org, actor=office(org), branch=org.branches.b2)
    with pytest.raises(ValidationError) as exc:
        file_entry(org, corrects=other)
    assert "corrects" in exc.value.message_dict


def test_a_month_closes_only_once_it_is_over_and_only_by_its_keepers(org):
    entry = file_entry(org)
    with pytest.raises(ValidationError):
        services.batch_close(actor=org.users.trade, batch=entry.batch)
    old = file_entry(org, month=last_month())
    for user in (org.users.lead, org.users.accountant, org.users.cm):
        with pytest.raises(PermissionDenied):
            services.batch_close(actor=user, batch=old.batch)
    b2 = file_entry(org, actor=office(org), branch=org.branches.b2, month=last_month())
    with pytest.raises(PermissionDenied):
        services.batch_close(actor=org.users.trade, batch=b2.batch)
    assert services.batch_close(actor=office(org), batch=b2.batch).closed
    empty = services.month_close(actor=org.users.manager, branch=org.branches.b1, month=dt.date(2025, 1, 1))
    assert empty.closed and empty.entries.count() == 0


def test_custody_pass_moves_the_original_and_writes_the_trail(org):
    entry = file_entry(org, month=last_month())
    services.batch_close(actor=org.users.trade, batch=entry.batch)  # custody still moves
    services.custody_pass(actor=org.users.trade, entry=entry, to_staff=org.staff.cm, note="借阅")
    entry.refresh_from_db()
    assert entry.custodian == org.staff.cm and entry.custody_since
    assert list(selectors.in_custody_of(org.staff.cm)) == [entry]
    services.custody_pass(actor=org.users.manager, entry=entry, to_staff=org.staff.lead)
    services.custody_pass(actor=org.users.trade, entry=entry, to_staff=None, note="归还")
    entry.refresh_from_db()
    assert entry.custodian is None and entry.custody_since is None
    moves = list(CustodyMove.objects.filter(entry=entry).values_list("from_staff", "to_staff", "note"))
    assert moves == [
        (None, org.staff.cm.pk, "借阅"),
        (org.staff.cm.pk, org.staff.lead.pk, ""),
        (org.staff.lead.pk, None, "归还"),
    ]
    assert not selectors.in_custody_of(org.staff.cm).exists()


def test_custody_refusals(org):
    entry = file_entry(org)
    with pytest.raises(ValidationError) as exc:
        services.custody_pass(actor=org.users.trade, entry=entry, to_staff=None)
    assert "to_staff" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.custody_pass(actor=org.users.trade, entry=entry, to_staff=org.staff.outsider)
    assert "to_staff" in exc.value.message_dict
    left = StaffFactory(name="离职者", branch=org.branches.b1, status=Staff.Status.LEFT)
    with pytest.raises(ValidationError):
        services.custody_pass(actor=org.users.trade, entry=entry, to_staff=left)
    services.custody_pass(actor=org.users.trade, entry=entry, to_staff=org.staff.cm)
    with pytest.raises(ValidationError):
        services.custody_pass(actor=org.users.trade, entry=entry, to_staff=org.staff.cm)
    for user in (org.users.cm, org.users.lead, org.users.keeper_b2):
        with pytest.raises(PermissionDenied):
            services.custody_pass(actor=user, entry=entry, to_staff=None)
    # The handover (HR: people.handover, company-wide) may pass on what a leaver holds.
    services.custody_pass(actor=org.users.hr, entry=entry, to_staff=None, note="离职交接")
    head_office = StaffFactory(name="综合室专员", branch=None, position=Staff.Position.HEAD_OFFICE)
    services.custody_pass(actor=org.users.trade, entry=entry, to_staff=head_office)
    assert CustodyMove.objects.filter(entry=entry).count() == 3
