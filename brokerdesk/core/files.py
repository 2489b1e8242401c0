"""Uploaded documents: type decided by content, size capped, names never trusted."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Leading bytes of the kinds of document the back office files.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "office": (b"PK\x03\x04",),  # docx / xlsx are zip containers
}
EXTENSIONS = {"pdf": {".pdf"}, "png": {".png"}, "jpeg": {".jpg", ".jpeg"}, "office": {".docx", ".xlsx"}}
DOCUMENT_KINDS = ("pdf", "png", "jpeg", "office")


def sniff(head: bytes) -> str | None:
    for kind, prefixes in SIGNATURES.items():
        if any(head.startswith(p) for p in prefixes):
            return kind
    return None


def validate_document(upload, kinds: tuple[str, ...] = DOCUMENT_KINDS) -> str:
    """Check an upload by its content and size; return its kind or raise ValidationError."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        limit_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": limit_mb}, code="too_large")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind not in kinds:
        raise ValidationError(
            _("Only PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx) files are accepted."), code="type"
        )
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in EXTENSIONS[kind]:
        raise ValidationError(_("The file's name does not match its content."), code="mismatch")
    return kind


def safe_display_name(name: str) -> str:
    """The user's file name, reduced to its last part, for showing and for downloads only."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200] or "file"


def attachment_response(field_file, display_name: str):
    """Serve a stored document as a download. Callers check the user's scope first."""
    import mimetypes

    from django.http import FileResponse, Http404

    if not field_file:
        raise Http404
    name = safe_display_name(display_name or "file")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(field_file.open("rb"), as_attachment=True, filename=name, content_type=content_type)
