"""Confirming under concurrency (PostgreSQL only): ten confirmations of one quarterly
assessment at the same moment, from the manager and the deputy: exactly one gets through,
one level change is recorded, the others are told it is already confirmed."""

import threading
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from brokerdesk.performance import services_assess as services
from brokerdesk.performance.models import Assessment, AssessmentPolicy, LevelChange
from brokerdesk.performance.tests.factories_assess import Q1, approved_plan, import_months, make_stat, share

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_confirmations_make_one_level_change(org):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL")
    imports = import_months(org.branches.b1, Q1, 3, org.users.accountant)
    plan = approved_plan(org.teams.a, org.users.lead)
    for m in (1, 2, 3):
        share(plan, org.staff.cm, m, new_accounts=1, net_revenue="0", asset_growth="0")
    for imp in imports:
        make_stat(imp, org.staff.cm, new_accounts=1)
    AssessmentPolicy.objects.update(promote_from=D(50), demote_below=D(30))
    services.assess_period(
        actor=org.users.manager, branch=org.branches.b1, period="quarter", starts_on=Q1, team=org.teams.a
    )
    a = Assessment.objects.get(staff=org.staff.cm, period="quarter")
    services.assessment_score_lead(actor=org.users.lead, assessment=a, score="80")
    user_ids = [org.users.manager.pk, org.users.deputy.pk]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        from django.db import connection as conn

        try:
            actor = get_user_model().objects.get(pk=user_ids[i % 2])
            mine = Assessment.objects.get(pk=a.pk)
            barrier.wait(timeout=30)
            services.assessment_confirm(actor=actor, assessment=mine)
            result = "confirmed"
        except ValidationError as exc:
            result = "refused" if "已确认的考核不能再更改" in str(exc) else f"other: {exc}"
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            result = f"error: {exc!r}"
        finally:
            conn.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["confirmed"] + ["refused"] * (THREADS - 1), outcomes
    assert LevelChange.objects.filter(reason=LevelChange.Reason.QUARTERLY).count() == 1
    assert Assessment.objects.get(pk=a.pk).history.filter(status="confirmed").count() == 1
