"""The candidate, reserve and training lists (pages and API) run a constant number of queries
whatever the row count: each is measured with a few rows, then again after many more rows
(candidates with documents, approvals and training; sessions with attendees) were added."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brokerdesk.people import services_recruitment as recruit
from brokerdesk.people import services_training as training
from brokerdesk.people.tests.test_recruit_fixtures import (
    documents_in,
    make_candidate,
    pre_job_session,
    ready_for_decision,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "/people/recruitment/",
    "/people/recruitment/?status=all",
    "/people/recruitment/reserve/",
    "/people/training/",
    "/people/training/programmes/",
    "/people/training/records/",
]
API = [
    "/api/people/candidates/?format=json",
    "/api/people/candidates/?format=json&reserve=1",
    "/api/people/training/sessions/?format=json",
    "/api/people/training/programmes/?format=json",
    "/api/people/training/records/?format=json",
]


def _grow(org, n: int) -> None:
    for i in range(n):
        candidate = make_candidate(org, name=f"候选{i}")
        documents_in(org, candidate, slots=["resume", "diploma"])
        if i % 2:
            recruit.candidate_withdraw(actor=org.users.trade, candidate=candidate, note="暂不考虑")
    proposed = ready_for_decision(org, name="待批")
    recruit.candidate_propose(actor=org.users.trade, candidate=proposed, decision="not_hired", note="")
    for _i in range(max(1, n // 2)):
        session = pre_job_session(org)
        training.attendees_add(actor=org.users.trade, session=session, staff=[org.staff.cm, org.staff.cm_b])


def _count(c, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("user", ["trade", "hr", "cm"])
def test_lists_keep_a_constant_query_count(org, client_for, user):
    c = client_for(getattr(org.users, user))
    _grow(org, 2)
    few = {url: _count(c, url) for url in PAGES + API}
    _grow(org, 8)
    many = {url: _count(c, url) for url in PAGES + API}
    assert many == few
