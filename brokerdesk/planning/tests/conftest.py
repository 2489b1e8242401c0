import pytest

from brokerdesk.approvals.tests.conftest import flow_people  # noqa: F401 - shared fixture


@pytest.fixture
def approved_plan(flow_people):  # noqa: F811
    """Team A's 2026 plan, walked through the whole default route."""
    from brokerdesk.planning.tests.helpers import approve_plan, make_plan

    org = flow_people
    plan = make_plan(org)
    approve_plan(org, plan)
    plan.refresh_from_db()
    return plan
