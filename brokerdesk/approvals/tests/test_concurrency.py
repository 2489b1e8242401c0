"""Many approvers pressing at the same moment on one step: exactly one action counts."""

import threading

import pytest
from django.db import connection, connections

from brokerdesk.access.roles import Role
from brokerdesk.approvals import services
from brokerdesk.approvals.exceptions import ApprovalError, RequestMoved
from brokerdesk.approvals.models import Action, Task
from brokerdesk.org.tests.factories import build_org, login

WORKERS = 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL")
def test_parallel_approve_and_reject_on_one_step_exactly_one_wins():
    org = build_org()
    officers = [login(f"office{i}", Role.INTEGRATED_OFFICE) for i in range(WORKERS)]
    req = services.request_submit(
        actor=org.users.manager,
        flow_code="team_document",
        subject=org.teams.a,
        title="并发测试",
        branch=org.branches.b1,
        team=org.teams.a,
    )
    task = Task.objects.get(request=req)
    barrier = threading.Barrier(WORKERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def press(i):
        try:
            barrier.wait(timeout=10)
            decision = "approve" if i % 2 else "reject"
            services.task_act(actor=officers[i], task=task, decision=decision, opinion=f"#{i}")
            result = "won"
        except RequestMoved:
            result = "moved"
        except ApprovalError as exc:
            result = f"other: {exc.messages}"
        except Exception as exc:  # noqa: BLE001 - reported in the assertion below
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("won") == 1, outcomes
    assert outcomes.count("moved") == WORKERS - 1, outcomes
    decisions = Action.objects.filter(request=req, kind__in=["approve", "reject"])
    assert decisions.count() == 1
    assert Task.objects.filter(request=req, step=task.step).exclude(status="pending").count() == 1
