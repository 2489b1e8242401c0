"""Uploads are judged by content and size; their names are never used as paths."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from brokerdesk.core.files import safe_display_name, validate_document
from brokerdesk.org.models import CooperationAgreement


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("协议.pdf", b"%PDF-1.7 ...", "pdf"),
        ("scan.JPG", b"\xff\xd8\xff\xe0rest", "jpeg"),
        ("a.docx", _docx(), "office"),
    ],
)
def test_accepted_documents(name, content, kind):
    assert validate_document(SimpleUploadedFile(name, content)) == kind


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("evil.pdf", b"MZ\x90\x00 windows executable", "type"),
        ("page.html", b"<html><script>", "type"),
        ("fake.pdf", b"\x89PNG\r\n\x1a\nxxxx", "mismatch"),
        ("noext", b"%PDF-1.4", "mismatch"),
    ],
)
def test_refused_documents(name, content, code):
    with pytest.raises(ValidationError) as exc:
        validate_document(SimpleUploadedFile(name, content))
    assert exc.value.code == code


def test_oversize_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        validate_document(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2000))
    assert exc.value.code == "too_large"


def test_path_parts_are_stripped_from_display_names():
    assert safe_display_name("../../etc/passwd") == "passwd"
    assert safe_display_name("C:\\Users\\x\\合同.pdf") == "合同.pdf"


@pytest.mark.django_db
def test_agreement_upload_stores_under_a_generated_name_and_refuses_fakes(org, client_for):
    c = client_for(org.users.manager)
    data = {
        "bank": org.bank.pk,
        "branch": org.branches.b1.pk,
        "year": 2027,
        "title": "2027年度协议",
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "outlets": [org.outlets.o1.pk],
    }
    fake = SimpleUploadedFile("../../协议.pdf", b"MZ not a pdf")
    resp = c.post(reverse("org:agreement-create"), {**data, "attachment": fake})
    assert resp.status_code == 400 and "attachment" in resp.context["form"].errors
    assert not CooperationAgreement.objects.filter(year=2027).exists()
    good = SimpleUploadedFile("../../协议.pdf", b"%PDF-1.4 real")
    resp = c.post(reverse("org:agreement-create"), {**data, "attachment": good})
    assert resp.status_code == 302
    agreement = CooperationAgreement.objects.get(year=2027)
    assert agreement.attachment_name == "协议.pdf"
    assert ".." not in agreement.attachment.name and "协议" not in agreement.attachment.name
