"""Assessment pages: who sees which assessments and level histories, the lead's marks over
htmx, confirming, generating, configuration, and constant query counts on every list."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import StaffFactory
from brokerdesk.performance import services_assess as services
from brokerdesk.performance.models import Assessment, AssessmentPolicy, DutyScore, LevelChange
from brokerdesk.performance.tests.factories_assess import import_months, monthly

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 1)


@pytest.fixture
def month(org):
    import_months(org.branches.b1, JAN, 1, org.users.accountant)
    services.assess_period(actor=org.users.manager, branch=org.branches.b1, period="month", starts_on=JAN)
    elsewhere = monthly(org.staff.outsider, JAN, "70", status=Assessment.Status.DRAFT)
    return {a.staff.name: a for a in Assessment.objects.select_related("staff")} | {"elsewhere": elsewhere}


def _names(resp):
    return {a.staff.name for a in resp.context["page"]}


def test_the_list_shows_each_role_its_scope(org, month, client_for):
    url = reverse("performance:assessment-list")
    assert _names(client_for(org.users.manager).get(url)) == {"张三", "孙八", "钱七", "李四"}
    assert _names(client_for(org.users.lead).get(url)) == {"张三", "孙八", "钱七"}
    assert _names(client_for(org.users.rm).get(url)) == {"张三", "孙八", "钱七"}  # assigned, and own
    assert _names(client_for(org.users.cm).get(url)) == {"张三"}
    assert _names(client_for(org.users.outsider).get(url)) == {"王五"}
    assert _names(client_for(org.users.region).get(url)) == {"张三", "孙八", "钱七", "李四"}
    assert _names(client_for(org.users.sysadmin).get(url)) == set()


def test_the_list_filters_by_period_team_and_person(org, month, client_for):
    c = client_for(org.users.manager)
    url = reverse("performance:assessment-list")
    assert _names(c.get(url, {"team": org.teams.b.pk})) == {"李四"}
    assert _names(c.get(url, {"period": "quarter"})) == set()
    assert _names(c.get(url, {"year": 2026, "month": 1, "q": "张"})) == {"张三"}
    htmx = c.get(url, {"period": "month"}, HTTP_HX_REQUEST="true")
    assert htmx.templates[0].name == "performance/assess_list_results.html"


@pytest.mark.parametrize(
    "user, whose, found",
    [
        ("lead", "李四", False),  # another team
        ("cm", "孙八", False),  # a peer
        ("outsider", "张三", False),  # another branch
        ("manager", "elsewhere", False),
        ("cm", "张三", True),
        ("lead", "张三", True),
        ("deputy", "李四", True),
    ],
)
def test_one_assessment_only_in_scope(org, month, client_for, user, whose, found):
    resp = client_for(getattr(org.users, user)).get(
        reverse("performance:assessment-detail", args=[month[whose].pk])
    )
    assert resp.status_code == (200 if found else 404)


def test_the_detail_shows_every_items_inputs_and_the_lead_form_to_the_lead_only(org, month, client_for):
    url = reverse("performance:assessment-detail", args=[month["张三"].pk])
    page = client_for(org.users.lead).get(url).content.decode()
    assert 'id="lead-form"' in page and 'id="item-attendance"' in page
    assert 'id="confirm-form"' not in page  # the lead marks; the branch confirms
    own = client_for(org.users.cm).get(url).content.decode()
    assert 'id="lead-form"' not in own and 'id="confirm-form"' not in own
    assert 'id="confirm-form"' in client_for(org.users.manager).get(url).content.decode()


def test_the_lead_marks_over_htmx(org, month, client_for):
    a = month["张三"]
    url = reverse("performance:assessment-score", args=[a.pk])
    field = f"score_{DutyScore._meta.get_field('item').related_model.objects.get(code='lead').pk}"
    c = client_for(org.users.lead)
    resp = c.post(url, {field: "101", "comment": "太高"}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and _("A score is from 0 to 100.") in resp.content.decode()
    assert not DutyScore.objects.filter(assessment=a, item__code="lead").exists()
    assert Assessment.objects.get(pk=a.pk).lead_comment == ""
    resp = c.post(url, {field: "88.5", "comment": "服务规范"}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and resp.templates[0].name == "performance/assess_body.html"
    assert DutyScore.objects.get(assessment=a, item__code="lead").score == D("88.50")
    assert Assessment.objects.get(pk=a.pk).lead_comment == "服务规范"
    # Without htmx a refusal re-renders the page with the error (400).
    assert c.post(url, {field: "-5"}).status_code == 400


def test_marking_outside_ones_scope_is_not_found(org, month, client_for):
    url = reverse("performance:assessment-score", args=[month["李四"].pk])
    assert client_for(org.users.lead).post(url, {"comment": "x"}).status_code == 404
    assert (
        client_for(org.users.cm)
        .post(reverse("performance:assessment-score", args=[month["张三"].pk]))
        .status_code
        == 404
    )


def test_confirming_from_the_page(org, month, client_for):
    a = month["张三"]
    services.assessment_score_lead(actor=org.users.lead, assessment=a, score="90")
    url = reverse("performance:assessment-confirm", args=[a.pk])
    client_for(org.users.lead).post(url)
    assert Assessment.objects.get(pk=a.pk).status == "draft"
    c = client_for(org.users.manager)
    assert c.post(url).status_code == 302
    assert Assessment.objects.get(pk=a.pk).status == "confirmed"
    resp = c.post(url, follow=True)
    expected = _("This assessment was confirmed on %(day)s: a confirmed assessment never changes.") % {
        "day": timezone.localdate().isoformat()
    }
    assert expected in [str(m) for m in resp.context["messages"]]
    page = c.get(reverse("performance:assessment-detail", args=[a.pk])).content.decode()
    assert 'id="confirm-form"' not in page and 'id="lead-form"' not in page


def test_my_assessments_and_level_history(org, month, client_for):
    LevelChange.objects.create(
        staff=org.staff.cm,
        level=org.levels[2],
        previous=org.levels[1],
        effective_from=dt.date(2026, 4, 1),
        reason=LevelChange.Reason.MANUAL,
        decided_by=org.users.manager,
    )
    mine = client_for(org.users.cm).get(reverse("performance:assessment-mine"))
    assert _names(mine) == {"张三"} and len(mine.context["changes"]) == 1
    assert (
        client_for(org.users.trade).get(reverse("performance:assessment-mine")).status_code == 404
    )  # no staff
    url = reverse("performance:level-history", args=[org.staff.cm.pk])
    assert client_for(org.users.lead).get(url).status_code == 200
    assert client_for(org.users.cm).get(url).status_code == 200
    for user in (org.users.cm_peer, org.users.outsider, org.users.cm_b):
        assert client_for(user).get(url).status_code == 404


def test_generating_from_the_page(org, client_for):
    url = reverse("performance:assessment-generate")
    assert client_for(org.users.cm).get(url).status_code == 404
    c = client_for(org.users.manager)
    assert c.get(url).status_code == 200
    future = timezone.localdate() + dt.timedelta(days=62)
    resp = c.post(
        url, {"branch": org.branches.b1.pk, "period": "month", "year": future.year, "month": future.month}
    )
    assert resp.status_code == 400 and not Assessment.objects.exists()
    resp = c.post(url, {"branch": org.branches.b1.pk, "period": "month", "year": 2026, "month": 1})
    assert resp.status_code == 400  # January not imported
    import_months(org.branches.b1, JAN, 1, org.users.accountant)
    resp = c.post(url, {"branch": org.branches.b1.pk, "period": "month", "year": 2026, "month": 1})
    assert resp.status_code == 302 and Assessment.objects.count() == 4
    resp = client_for(org.users.manager).post(
        url, {"branch": org.branches.b2.pk, "period": "month", "year": 2026, "month": 1}
    )
    assert resp.status_code == 400  # not a branch in the manager's scope


def test_configuration_is_channel_managements(org, client_for):
    url = reverse("performance:assessment-config")
    for user in (org.users.manager, org.users.cm, org.users.sysadmin):
        assert client_for(user).get(url).status_code == 404
    c = client_for(org.users.channel)
    assert c.get(url).status_code == 200
    data = {
        "name": "默认考核办法",
        "duty_weight": "30",
        "performance_weight": "70",
        "promote_from": "88",
        "demote_below": "95",
        "monthly_floor": "50",
        "floor_months": "3",
    }
    assert c.post(url, data).status_code == 400  # level-down line above the level-up line
    assert c.post(url, {**data, "demote_below": "60"}).status_code == 302
    assert AssessmentPolicy.objects.get().performance_weight == D("70.00")
    item_url = reverse("performance:duty-item-create")
    resp = c.post(
        item_url,
        {"name": "培训", "code": "training", "source": "lead", "weight": "5", "order": 9, "is_active": "on"},
    )
    assert resp.status_code == 302
    assert client_for(org.users.manager).get(item_url).status_code == 404


# --- constant query counts ------------------------------------------------------------------------


def _grow(org, n: int) -> None:
    for _i in range(n):
        person = StaffFactory(branch=org.branches.b1, team=org.teams.a, level=org.levels[0])
        for m in (1, 2):
            a = monthly(person, dt.date(2026, m, 1), "60")
            LevelChange.objects.get_or_create(
                staff=person,
                effective_from=dt.date(2026, m, 1),
                defaults={
                    "level": org.levels[m],
                    "reason": "manual",
                    "decided_by": org.users.manager,
                    "assessment": a,
                },
            )
    for m in (2, 3):
        monthly(org.staff.cm, dt.date(2026, m, 1), "60")
        LevelChange.objects.create(
            staff=org.staff.cm,
            level=org.levels[m - 1],
            effective_from=dt.date(2026, m, 1),
            reason="manual",
            decided_by=org.users.manager,
        )


@pytest.mark.parametrize(
    "user, url",
    [
        ("manager", "/performance/assessments/"),
        ("lead", "/performance/assessments/?period=month&team={team}"),
        ("cm", "/performance/assessments/mine/"),
        ("lead", "/performance/levels/{cm}/"),
        ("manager", "/api/performance/assessments/?format=json"),
        ("lead", "/api/performance/level-changes/?format=json"),
    ],
)
def test_lists_take_the_same_queries_for_few_or_many_rows(org, month, client_for, user, url):
    url = url.format(team=org.teams.a.pk, cm=org.staff.cm.pk)
    LevelChange.objects.create(
        staff=org.staff.cm,
        level=org.levels[1],
        effective_from=JAN,
        reason="hired",
        decided_by=org.users.manager,
    )
    c = client_for(getattr(org.users, user))
    c.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    _grow(org, 6)
    assert count() == few


def test_an_inactive_person_with_an_assessment_stays_in_the_file(org, month, client_for):
    Staff.objects.filter(pk=org.staff.cm.pk).update(status=Staff.Status.LEFT, left_on=dt.date(2026, 5, 1))
    assert (
        client_for(org.users.manager)
        .get(reverse("performance:assessment-detail", args=[month["张三"].pk]))
        .status_code
        == 200
    )


def test_confirming_a_period_from_the_list(org, month, client_for):
    services.assessment_score_lead(actor=org.users.lead, assessment=month["张三"], score="80")
    c = client_for(org.users.manager)
    listed = c.get(reverse("performance:assessment-list"), {"period": "month", "year": 2026, "month": 1})
    assert 'id="confirm-period-form"' in listed.content.decode()
    lead_page = client_for(org.users.lead).get(
        reverse("performance:assessment-list"), {"period": "month", "year": 2026, "month": 1}
    )
    assert 'id="confirm-period-form"' not in lead_page.content.decode()
    data = {
        "branch": org.branches.b1.pk,
        "period": "month",
        "starts_on": "2026-01-01",
        "next": "https://evil.example/",
    }
    resp = c.post(reverse("performance:assessment-confirm-period"), data)
    assert resp.status_code == 302 and resp.url == reverse("performance:assessment-list")
    assert Assessment.objects.get(pk=month["张三"].pk).status == "confirmed"
    assert Assessment.objects.filter(branch=org.branches.b1, status="draft").count() == 3
    assert (
        client_for(org.users.cm).post(reverse("performance:assessment-confirm-period"), data).status_code
        == 404
    )
