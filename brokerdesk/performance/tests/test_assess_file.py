"""An assessment shows what the personnel file holds for its period — the training attended and
the standing rewards and punishments (第十六条, 第二十四条) — to whoever may read that file."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from brokerdesk.people.models_archive import RewardPunishment
from brokerdesk.people.models_training import TrainingAttendance, TrainingProgramme, TrainingSession
from brokerdesk.performance.models import Assessment
from brokerdesk.performance.tests.factories_assess import monthly

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 1)


def _at(day: dt.date, hour: int = 9):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def assessed(org):
    cm = org.staff.cm
    a = monthly(cm, JAN, "80", status=Assessment.Status.DRAFT)
    programme = TrainingProgramme.objects.create(
        branch=org.branches.b1,
        title="集合资产管理计划产品培训",
        category="product",
        organiser="营业部",
        created_by=org.users.trade,
    )
    for day, result in ((dt.date(2026, 1, 15), "passed"), (dt.date(2026, 2, 10), "failed")):
        session = TrainingSession.objects.create(
            programme=programme,
            branch=org.branches.b1,
            starts_at=_at(day),
            ends_at=_at(day, 11),
            content="产品要素与销售适当性",
            created_by=org.users.trade,
        )
        TrainingAttendance.objects.create(session=session, staff=cm, result=result, score=Decimal("88.0"))
    for day, title, withdrawn in (
        (dt.date(2026, 1, 20), "一月开户之星", None),
        (dt.date(2026, 1, 25), "撤回的通报", timezone.now()),
        (dt.date(2025, 12, 30), "上月的嘉奖", None),
    ):
        RewardPunishment.objects.create(
            staff=cm,
            kind="reward",
            decided_on=day,
            title=title,
            reason="业绩突出",
            decided_by="营业部经理办公会",
            withdrawn_at=withdrawn,
            recorded_by=org.users.trade,
        )
    return a


def test_the_lead_sees_the_periods_training_and_standing_decisions(org, assessed, client_for):
    response = client_for(org.users.lead).get(reverse("performance:assessment-detail", args=[assessed.pk]))
    assert response.status_code == 200
    assert [r.session.starts_at.date() for r in response.context["file_training"]] == [dt.date(2026, 1, 15)]
    assert [d.title for d in response.context["file_decisions"]] == ["一月开户之星"]
    page = response.content.decode()
    assert 'id="from-file"' in page and "一月开户之星" in page and "撤回的通报" not in page


def test_a_regional_manager_reads_the_assessment_but_not_the_file(org, assessed, client_for):
    response = client_for(org.users.rm).get(reverse("performance:assessment-detail", args=[assessed.pk]))
    assert response.status_code == 200  # the assessment of a manager assigned to them
    assert response.context["file_training"] == [] and response.context["file_decisions"] == []
    assert 'id="from-file"' not in response.content.decode()
