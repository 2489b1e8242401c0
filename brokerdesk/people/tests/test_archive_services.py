"""The archive's services: uploads checked by content (nothing saved when refused),
versions instead of replacement, verification by the designated person only, contracts
(end after start, one year by default, renewal linked), qualifications and decisions."""

import datetime as dt
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from brokerdesk.people import selectors_archive as selectors
from brokerdesk.people import services_archive as services
from brokerdesk.people.models_archive import ArchiveDocument, Contract, Qualification, RewardPunishment
from brokerdesk.people.tests.test_archive_fixtures import (
    exe_as_pdf,
    give_contract,
    give_registration,
    pdf,
    png,
)

pytestmark = pytest.mark.django_db


def _stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return (
        [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]
        if os.path.exists(root)
        else []
    )


# --- uploads ----------------------------------------------------------------------------


def test_executable_renamed_pdf_is_refused_and_nothing_saved(org, settings):
    with pytest.raises(ValidationError) as e:
        services.document_upload(actor=org.users.hr, staff=org.staff.cm, slot="resume", upload=exe_as_pdf())
    assert "file" in e.value.message_dict
    assert not ArchiveDocument.objects.exists()
    assert _stored_files(settings) == []


def test_oversize_upload_is_refused_and_nothing_saved(org, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = pdf(content=b"%PDF-1.4\n" + b"0" * 2048)
    with pytest.raises(ValidationError) as e:
        services.document_upload(actor=org.users.hr, staff=org.staff.cm, slot="diploma", upload=big)
    assert e.value.error_dict["file"][0].code == "too_large"
    assert not ArchiveDocument.objects.exists()
    assert _stored_files(settings) == []


def test_photo_must_be_an_image(org):
    with pytest.raises(ValidationError) as e:
        services.document_upload(actor=org.users.hr, staff=org.staff.cm, slot="photo", upload=pdf())
    assert "file" in e.value.message_dict
    doc = services.document_upload(actor=org.users.hr, staff=org.staff.cm, slot="photo", upload=png())
    assert doc.file_kind == "png" and doc.version == 1


def test_name_not_matching_content_is_refused(org):
    with pytest.raises(ValidationError):
        services.document_upload(
            actor=org.users.hr,
            staff=org.staff.cm,
            slot="resume",
            upload=SimpleUploadedFile("cv.docx", b"%PDF-1.4 x"),
        )


def test_contract_with_bad_signed_copy_saves_neither(org, settings):
    with pytest.raises(ValidationError) as e:
        services.contract_create(
            actor=org.users.hr,
            staff=org.staff.cm,
            kind="labour",
            starts_on=dt.date(2026, 1, 1),
            ends_on=None,
            signed_copy=exe_as_pdf(),
        )
    assert "signed_copy" in e.value.message_dict
    assert not Contract.objects.exists() and not ArchiveDocument.objects.exists()
    assert _stored_files(settings) == []


def test_stored_name_is_generated_not_the_users(org):
    doc = services.document_upload(
        actor=org.users.hr, staff=org.staff.cm, slot="resume", upload=pdf("../../etc/passwd.pdf")
    )
    assert ".." not in doc.file.name and "passwd" not in doc.file.name
    assert doc.file_name == "passwd.pdf"


def test_new_upload_is_a_new_version_and_the_verified_one_is_kept(org):
    hr, trade, cm = org.users.hr, org.users.trade, org.staff.cm
    v1 = services.document_upload(actor=hr, staff=cm, slot="id_copy", upload=pdf("id.pdf"))
    services.document_verify(actor=trade, document=v1, note="原件已核")
    v1.refresh_from_db()
    v2 = services.document_upload(actor=hr, staff=cm, slot="id_copy", upload=pdf("id2.pdf"))
    v1.refresh_from_db()
    assert v2.version == 2 and v2.previous_id == v1.pk and v2.verified_at is None
    assert v1.superseded_at is not None and v1.verified_at is not None and v1.verified_by == trade
    assert v1.file and os.path.exists(v1.file.path)  # the old file stays in the trail
    assert ArchiveDocument.objects.filter(staff=cm, slot="id_copy").count() == 2
    # The superseded version can no longer be verified or replaced.
    with pytest.raises(ValidationError):
        services.document_upload(actor=hr, staff=cm, slot="id_copy", upload=pdf(), replaces=v1)


def test_multi_slots_hold_several_documents(org):
    hr, cm = org.users.hr, org.staff.cm
    services.document_upload(actor=hr, staff=cm, slot="assessment", upload=pdf(), title="2026Q1")
    services.document_upload(actor=hr, staff=cm, slot="assessment", upload=pdf(), title="2026Q2")
    assert (
        ArchiveDocument.objects.filter(staff=cm, slot="assessment", superseded_at__isnull=True).count() == 2
    )


# --- verification -----------------------------------------------------------------------


def test_verification_needs_the_designated_person(org):
    doc = services.document_upload(actor=org.users.hr, staff=org.staff.cm, slot="diploma", upload=pdf())
    # The branch manager keeps files but is not a designated verifier; a lead and the person neither.
    for user in (org.users.manager, org.users.lead, org.users.cm, org.users.outsider):
        with pytest.raises(PermissionDenied):
            services.document_verify(actor=user, document=doc)
    doc.refresh_from_db()
    assert doc.verified_at is None
    services.document_verify(actor=org.users.trade, document=doc)
    doc.refresh_from_db()
    assert doc.verified_by == org.users.trade and doc.verified_at is not None
    assert doc.history.filter(history_change_reason="verified").exists()
    with pytest.raises(ValidationError):
        services.document_verify(actor=org.users.hr, document=doc)  # already verified


def test_nobody_verifies_their_own_file(org):
    from brokerdesk.org.models import Staff

    Staff.objects.filter(pk=org.staff.manager.pk).update(user=org.users.trade)
    me = Staff.objects.get(pk=org.staff.manager.pk)
    doc = services.document_upload(actor=org.users.hr, staff=me, slot="diploma", upload=pdf())
    with pytest.raises(PermissionDenied):
        services.document_verify(actor=org.users.trade, document=doc)


def test_missing_and_unverified_slots_are_visible(org):
    cm = org.staff.cm
    summary = selectors.file_summary(cm)
    assert {s.slot for s in summary["missing"]} == {
        "photo",
        "resume",
        "id_copy",
        "diploma",
        "guarantee",
        "guarantor_id",
        "contract",
    }
    services.document_upload(actor=org.users.hr, staff=cm, slot="photo", upload=png())
    summary = selectors.file_summary(cm)
    assert "photo" not in {s.slot for s in summary["missing"]}
    assert {s.slot for s in summary["unverified"]} == {"photo"}
    row = selectors.file_list(user=org.users.hr, filters={"q": cm.emp_no}).get()
    assert row.slots_filled == 1 and row.unverified_count == 1


# --- contracts --------------------------------------------------------------------------


def test_contract_ending_before_it_starts_is_refused(org):
    for end in (dt.date(2025, 12, 31), dt.date(2026, 1, 1)):
        with pytest.raises(ValidationError) as e:
            services.contract_create(
                actor=org.users.hr,
                staff=org.staff.cm,
                kind="labour",
                starts_on=dt.date(2026, 1, 1),
                ends_on=end,
            )
        assert "ends_on" in e.value.message_dict
    assert not Contract.objects.exists()


def test_contract_defaults_to_one_year_and_kind_follows_employment(org):
    c = give_contract(org.users.hr, org.staff.cm, starts_on=dt.date(2026, 3, 1))
    assert c.ends_on == dt.date(2027, 2, 28) and c.kind == "labour"
    org.staff.cm_b.employment_type = "part_time"
    org.staff.cm_b.save(update_fields=["employment_type"])
    with pytest.raises(ValidationError) as e:
        services.contract_create(
            actor=org.users.hr,
            staff=org.staff.cm_b,
            kind="labour",
            starts_on=dt.date(2026, 1, 1),
            ends_on=None,
        )
    assert "kind" in e.value.message_dict
    c2 = give_contract(org.users.hr, org.staff.cm_b)
    assert c2.kind == "cooperation"


def test_overlapping_contract_is_refused(org):
    give_contract(org.users.hr, org.staff.cm, starts_on=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as e:
        give_contract(org.users.hr, org.staff.cm, starts_on=dt.date(2026, 6, 1))
    assert "starts_on" in e.value.message_dict


def test_renewal_creates_the_next_contract_linked_to_the_previous(org):
    c = give_contract(org.users.hr, org.staff.cm, starts_on=dt.date(2026, 1, 1))
    nxt = services.contract_renew(actor=org.users.trade, contract=c)
    assert nxt.previous == c and nxt.starts_on == dt.date(2027, 1, 1) and nxt.ends_on == dt.date(2027, 12, 31)
    with pytest.raises(ValidationError):
        services.contract_renew(actor=org.users.trade, contract=c)
    assert Contract.objects.count() == 2


def test_signed_contract_dates_do_not_change(org):
    c = services.contract_create(
        actor=org.users.hr,
        staff=org.staff.cm,
        kind="labour",
        starts_on=dt.date(2026, 1, 1),
        ends_on=None,
        signed_copy=pdf(),
        original_location="A柜-3",
    )
    assert c.signed_copy.slot == "contract"
    with pytest.raises(ValidationError):
        services.contract_update(actor=org.users.hr, contract=c, ends_on=dt.date(2026, 6, 30))
    c = services.contract_update(actor=org.users.hr, contract=c, original_location="B柜-1", signed_copy=pdf())
    assert c.original_location == "B柜-1" and c.signed_copy.version == 2


def test_client_manager_without_contract_is_flagged(org):
    day = dt.date(2026, 5, 1)
    cm, peer = org.staff.cm, org.staff.cm_peer
    give_contract(org.users.hr, cm, starts_on=dt.date(2026, 1, 1))
    assert selectors.uncontracted_ids([cm.pk, peer.pk], day) == {peer.pk}
    flags = selectors.flags_for([cm, peer, org.staff.manager], day)
    assert flags[peer.pk]["no_contract"] and cm.pk not in flags or not flags[cm.pk]["no_contract"]
    assert org.staff.manager.pk not in flags  # only client managers on duty are flagged
    c = Contract.objects.get(staff=cm)
    services.contract_terminate(
        actor=org.users.hr, contract=c, terminated_on=dt.date(2026, 4, 30), reason="离职"
    )
    assert selectors.uncontracted_ids([cm.pk], day) == {cm.pk}


# --- qualifications ---------------------------------------------------------------------


def test_registration_valid_between_dates_and_until_revoked(org):
    cm = org.staff.cm
    q = give_registration(
        org.users.hr, cm, "S1", issued_on=dt.date(2025, 1, 1), expires_on=dt.date(2026, 6, 30)
    )
    assert selectors.registration_valid(cm, dt.date(2026, 6, 30))
    assert not selectors.registration_valid(cm, dt.date(2026, 7, 1))
    assert not selectors.registration_valid(cm, dt.date(2024, 12, 31))
    assert selectors.unregistered_ids([cm.pk, org.staff.cm_peer.pk], dt.date(2026, 1, 1)) == {
        org.staff.cm_peer.pk
    }
    services.qualification_revoke(
        actor=org.users.hr, qualification=q, revoked_on=dt.date(2026, 2, 1), reason="注销"
    )
    assert not selectors.registration_valid(cm, dt.date(2026, 2, 1))
    assert selectors.registration_valid(cm, dt.date(2026, 1, 31))


def test_other_licences_do_not_count_as_registration(org):
    services.qualification_create(
        actor=org.users.hr, staff=org.staff.cm, kind="fund", number="F1", issued_on=dt.date(2024, 1, 1)
    )
    assert not selectors.registration_valid(org.staff.cm, dt.date(2026, 1, 1))


def test_qualification_bad_input(org):
    with pytest.raises(ValidationError) as e:
        services.qualification_create(
            actor=org.users.hr,
            staff=org.staff.cm,
            kind="registration",
            number="",
            issued_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2025, 1, 1),
            ce_hours=-1,
        )
    assert {"number", "expires_on", "ce_hours"} <= set(e.value.message_dict)
    give_registration(org.users.hr, org.staff.cm, "DUP")
    with pytest.raises(ValidationError) as e:
        give_registration(org.users.hr, org.staff.cm_peer, "DUP")
    assert "number" in e.value.message_dict
    assert Qualification.objects.count() == 1


def test_renewed_expiry_is_warned_again(org):
    q = give_registration(org.users.hr, org.staff.cm, "S9", expires_on=dt.date(2026, 6, 30))
    Qualification.objects.filter(pk=q.pk).update(expiry_warned_on=dt.date(2026, 6, 1))
    q = services.qualification_update(
        actor=org.users.hr, qualification=q, expires_on=dt.date(2027, 6, 30), ce_hours="15.5"
    )
    assert q.expiry_warned_on is None and str(q.ce_hours) == "15.5"


# --- rewards and punishments ------------------------------------------------------------


def test_reward_recorded_and_available_to_assessment(org):
    hr, cm = org.users.hr, org.staff.cm
    r = services.reward_record(
        actor=hr,
        staff=cm,
        kind="reward",
        decided_on=dt.date(2026, 2, 1),
        title="开户之星",
        reason="二月开户第一",
        decided_by="营业部经理办公会",
        amount="500",
        document=pdf(),
    )
    p = services.reward_record(
        actor=hr,
        staff=cm,
        kind="punishment",
        decided_on=dt.date(2026, 3, 1),
        title="迟到",
        reason="三次迟到",
        decided_by="团队负责人",
    )
    assert str(r.amount) == "500.00" and r.document.slot == "reward_punishment"
    assert list(selectors.rewards_punishments_for(cm)) == [p, r]
    assert selectors.rewards_punishments_summary([cm.pk], dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == {
        cm.pk: {"reward": 1, "punishment": 1}
    }
    services.reward_withdraw(actor=hr, record=p, reason="复核撤销")
    assert list(selectors.rewards_punishments_for(cm)) == [r]
    assert RewardPunishment.objects.count() == 2  # withdrawn, not deleted
    with pytest.raises(ValidationError):
        services.reward_withdraw(actor=hr, record=p, reason="again")


def test_reward_bad_input_names_the_fields(org):
    with pytest.raises(ValidationError) as e:
        services.reward_record(
            actor=org.users.hr,
            staff=org.staff.cm,
            kind="bonus",
            decided_on=dt.date(2099, 1, 1),
            title="",
            reason="",
            decided_by="",
            amount="-1",
        )
    assert {"kind", "decided_on", "title", "reason", "decided_by", "amount"} <= set(e.value.message_dict)
    assert not RewardPunishment.objects.exists()


def test_lead_cannot_keep_files(org):
    with pytest.raises(PermissionDenied):
        services.reward_record(
            actor=org.users.lead,
            staff=org.staff.cm,
            kind="reward",
            decided_on=dt.date(2026, 1, 1),
            title="x",
            reason="x",
            decided_by="x",
        )
