"""The OpenAPI schema is complete and valid: generated with no warning, served at /api/schema/."""

import io

import pytest
from django.core.management import call_command


def test_schema_generates_without_warnings_and_validates():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/planning/plans/" in out.getvalue()
    assert "/api/approvals/inbox/" in out.getvalue()


@pytest.mark.django_db
def test_schema_endpoint_needs_no_internet(client, org):
    client.force_login(org.users.lead, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/schema/").status_code == 200
