"""The section's front page offers each role what it may use, and the main menu leads there."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _links(response) -> set[str]:
    return {c["url"] for c in response.context["cards"]}


def test_a_client_manager_sees_their_own_pay_and_assessments_not_the_branch_reports(org, client_for):
    response = client_for(org.users.cm).get(reverse("performance:home"))
    assert response.status_code == 200
    links = _links(response)
    assert reverse("performance:my-pay") in links
    assert reverse("performance:assessment-mine") in links
    assert reverse("performance:run-list") not in links
    assert reverse("performance:import-list") not in links
    assert reverse("performance:assessment-list") not in links
    assert 'href="/performance/"' in client_for(org.users.cm).get(reverse("home")).content.decode()


def test_finance_sees_imports_and_pay_reports(org, client_for):
    links = _links(client_for(org.users.accountant).get(reverse("performance:home")))
    assert {
        reverse("performance:import-list"),
        reverse("performance:run-list"),
        reverse("performance:stats"),
    } <= links


def test_a_team_lead_assesses_but_does_not_see_pay_reports(org, client_for):
    links = _links(client_for(org.users.lead).get(reverse("performance:home")))
    assert reverse("performance:assessment-list") in links
    assert reverse("performance:run-list") not in links
