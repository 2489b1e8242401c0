"""Work logs and client visits: a logged visit records the day's visit and names a client for
the spot-check draw, and the log's page lists the visits of its day."""

import pytest

from brokerdesk.clients.models import Visit
from brokerdesk.clients.tests.factories import make_client
from brokerdesk.worklogs import services as worklog_services
from brokerdesk.worklogs.tests.helpers import TEXTS, days_ago, make_log

pytestmark = pytest.mark.django_db


def _visit(org, client, day):
    return Visit.objects.create(
        client=client,
        author=org.staff.cm,
        branch=org.branches.b1,
        team=org.teams.a,
        status=Visit.Status.DONE,
        visited_on=day,
        content="上门讲解两融业务",
        created_by=org.users.cm,
    )


def test_a_logged_visit_covers_a_log_that_claims_a_visit(org):
    client = make_client(org.users.cm, name="陈先生")
    covered = make_log(org.staff.cm, days_ago(2), "下午外出拜访陈先生。")
    bare = make_log(org.staff.cm, days_ago(3), "上午外出拜访客户。" + TEXTS[1])
    _visit(org, client, days_ago(2))
    weights, reasons = worklog_services.pool_for(team=org.teams.a, start=days_ago(5), end=days_ago(1))
    assert reasons[covered.pk] == []
    assert "visit_without_outing" in {r["code"] for r in reasons[bare.pk]}


def test_the_log_page_lists_the_visits_of_its_day(org, client_for):
    client = make_client(org.users.cm, name="陈先生")
    log = make_log(org.staff.cm, days_ago(2))
    visit = _visit(org, client, days_ago(2))
    html = client_for(org.users.cm).get(log.get_absolute_url()).content.decode()
    assert f"/clients/visits/{visit.pk}/" in html and "陈先生" in html
    # The lead sees the team member's log and its visits; another branch sees neither.
    assert "陈先生" in client_for(org.users.lead).get(log.get_absolute_url()).content.decode()
    assert client_for(org.users.outsider).get(log.get_absolute_url()).status_code == 404
