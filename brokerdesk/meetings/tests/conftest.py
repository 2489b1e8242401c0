import pytest

from brokerdesk.access.roles import Role
from brokerdesk.org.tests.factories import login


@pytest.fixture
def org(org):
    """build_org, with a lead for team B (李四's) too."""
    org.users.lead_b = login("lead_b", Role.TEAM_LEAD, team=org.teams.b)
    return org
