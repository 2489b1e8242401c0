import pytest

from brokerdesk.access.roles import Role
from brokerdesk.org.tests.factories import login


@pytest.fixture
def org(org):
    """build_org, with a lead for team B (李四's) too."""
    org.users.lead_b = login("lead_b", Role.TEAM_LEAD, team=org.teams.b)
    return org


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the English messages; pages still follow the request's language."""
    from django.utils import translation

    with translation.override("en"):
        yield
