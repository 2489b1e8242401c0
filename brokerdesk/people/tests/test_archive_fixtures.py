"""Shared helpers of the archive tests (no tests here): uploads and a filled-in file."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from brokerdesk.people import services_archive as services
from brokerdesk.people.models_archive import Qualification

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def pdf(name: str = "scan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def exe_as_pdf(name: str = "contract.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EXE, content_type="application/pdf")


def give_contract(actor, staff, starts_on=dt.date(2026, 1, 1), ends_on=None):
    kind = "cooperation" if staff.employment_type == "part_time" else "labour"
    return services.contract_create(actor=actor, staff=staff, kind=kind, starts_on=starts_on, ends_on=ends_on)


def give_registration(actor, staff, number: str, issued_on=dt.date(2024, 1, 1), expires_on=None):
    return services.qualification_create(
        actor=actor,
        staff=staff,
        kind=Qualification.Kind.REGISTRATION,
        number=number,
        issued_on=issued_on,
        expires_on=expires_on,
    )
