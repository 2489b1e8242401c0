import pytest

from brokerdesk.access.roles import Role
from brokerdesk.org.models import Department
from brokerdesk.org.tests.factories import login


@pytest.fixture
def flow_people(org):
    """The head-office people of the default team-document flow, on top of ``org``."""
    compliance = Department.objects.create(kind=Department.Kind.COMPLIANCE, name="合规部")
    finance = Department.objects.create(kind=Department.Kind.FINANCE, name="计划财务部")
    people = {
        "office": login("office", Role.INTEGRATED_OFFICE),
        "compliance": login("compliance", Role.COUNTERSIGN_DEPT, department=compliance),
        "finance": login("finance", Role.COUNTERSIGN_DEPT, department=finance),
    }
    org.users.office = people["office"]
    org.users.compliance = people["compliance"]
    org.users.finance = people["finance"]
    org.departments = type("D", (), {"compliance": compliance, "finance": finance})
    return org
