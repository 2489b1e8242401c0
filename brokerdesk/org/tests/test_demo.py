"""The demo generator: the small profile of DESIGN.md, deterministic for a seed and date."""

import datetime as dt
import hashlib

import pytest
from django.core.management import call_command
from django.db import transaction

from brokerdesk.access.models import RoleAssignment
from brokerdesk.access.roles import Role
from brokerdesk.core.validators import validate_id_number, validate_mobile
from brokerdesk.org.demo import DemoBuilder
from brokerdesk.org.models import Branch, Outlet, Region, Staff, Team

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 29)


def _digest() -> str:
    rows = Staff.objects.order_by("emp_no").values_list(
        "emp_no", "name", "id_number", "mobile", "team__code", "outlet__name", "level__code", "status"
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def _build_and_digest(seed: int) -> str:
    with transaction.atomic():
        DemoBuilder(seed=seed, client_managers=60, today=TODAY).build()
        digest = _digest()
        transaction.set_rollback(True)
    return digest


def test_same_seed_gives_same_data_and_another_seed_differs():
    first = _build_and_digest(7)
    assert _build_and_digest(7) == first
    assert _build_and_digest(8) != first


def test_small_profile_matches_the_design_and_has_a_login_per_role(capsys):
    call_command("seed_demo", "--profile", "small", "--today", TODAY.isoformat())
    assert Region.objects.count() == 2
    assert Branch.objects.count() == 24
    assert 95 <= Team.objects.count() <= 105
    assert Staff.objects.filter(position=Staff.Position.CLIENT_MANAGER).count() == 600
    assert Outlet.objects.filter(partner_bank__isnull=False).count() > 200
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    out = capsys.readouterr().out
    assert "demo12345" in out and "lead" in out
    # Generated identity data is valid, so demo forms can be saved as they are.
    for staff in Staff.objects.order_by("?")[:50]:
        validate_id_number(staff.id_number)
        validate_mobile(staff.mobile)
    # Running it again on a filled database leaves the data alone.
    call_command("seed_demo", "--if-empty")
    assert Staff.objects.filter(position=Staff.Position.CLIENT_MANAGER).count() == 600
