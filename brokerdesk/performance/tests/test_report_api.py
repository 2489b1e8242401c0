"""The pay report over the API: the same scope as the pages (``pay.view``), finance's actions,
400 with a clear message on a locked run, never a delete, and constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from brokerdesk.access.roles import Role
from brokerdesk.approvals.services import inbox, task_act
from brokerdesk.org.tests.factories import StaffFactory, login
from brokerdesk.performance import services_report as svc
from brokerdesk.performance.models import PayLine, PayRun
from brokerdesk.performance.tests.factories_report import OCTOBER, fake_compute, make_run, office_user

S = PayRun.Status
BASE = "/api/performance/runs/"


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def sign_all(org, run):
    svc.run_review(actor=org.users.accountant, run=run, note="ok")
    svc.run_submit(actor=org.users.accountant, run=run)
    for user in (org.users.accountant, org.users.deputy, org.users.manager):
        task = inbox(user).get(request_id=PayRun.objects.get(pk=run.pk).approval_id)
        task_act(actor=user, task=task, decision="approve")
    run.refresh_from_db()
    return run


@pytest.mark.parametrize("who", ["accountant", "deputy", "manager", "office"])
def test_readers_list_and_open_runs(org, who):
    run = make_run(org)
    c = api(office_user() if who == "office" else getattr(org.users, who))
    data = c.get(BASE).json()
    assert [r["id"] for r in data["results"]] == [run.pk]
    detail = c.get(f"{BASE}{run.pk}/").json()
    assert detail["total"] == "13392.31"
    assert len(detail["rows"]) == 3
    row = next(r for r in detail["rows"] if r["name"] == "张三")
    assert row["components"]["commission"] == "1234.56" and row["total"] == "4584.56"
    assert detail["totals"]["total"] == "13392.31"
    assert [s["label"] for s in detail["signatures"]] != []
    resp = c.get(f"{BASE}{run.pk}/export/")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxml")


@pytest.mark.parametrize("who", ["cm", "lead", "rm", "trade", "region", "channel", "vp", "acc_b"])
def test_others_see_no_run(org, who):
    run = make_run(org)
    user = (
        login("acc_b", Role.ACCOUNTANT, branch=org.branches.b2) if who == "acc_b" else getattr(org.users, who)
    )
    c = api(user)
    assert c.get(BASE).json()["results"] == []
    for suffix in ("", "export/"):
        assert c.get(f"{BASE}{run.pk}/{suffix}").status_code == 404
    assert c.post(f"{BASE}{run.pk}/review/", {"note": "x"}).status_code in (403, 404)
    assert PayRun.objects.get(pk=run.pk).status == S.COMPUTED


def test_filters(org):
    october = make_run(org)
    november = make_run(org, month=OCTOBER.replace(month=11), status=S.REVIEWED)
    c = api(org.users.accountant)
    assert [r["id"] for r in c.get(BASE, {"month": "2026-11"}).json()["results"]] == [november.pk]
    assert [r["id"] for r in c.get(BASE, {"status": "computed"}).json()["results"]] == [october.pk]


def test_review_submit_and_sign_through_the_api(org):
    run = make_run(org)
    c = api(org.users.accountant)
    resp = c.post(f"{BASE}{run.pk}/review/", {"note": ""}, format="json")
    assert resp.status_code == 400 and "note" in resp.json()
    assert api(org.users.deputy).post(f"{BASE}{run.pk}/review/", {"note": "x"}).status_code == 403
    resp = c.post(f"{BASE}{run.pk}/review/", {"note": "核对无误"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "reviewed"
    resp = c.post(f"{BASE}{run.pk}/submit/")
    assert resp.status_code == 200 and resp.json()["status"] == "signing"
    assert resp.json()["current_step"]
    # Signing goes through the approvals API, in order.
    assert api(org.users.deputy).get("/api/approvals/inbox/").json()["results"] == []
    tasks = c.get("/api/approvals/inbox/").json()["results"]
    assert len(tasks) == 1


@pytest.mark.parametrize("stage", ["signing", "signed"])
def test_locked_run_answers_400_and_nothing_changes(org, monkeypatch, stage):
    calls = fake_compute(monkeypatch, org)
    run = make_run(org)
    if stage == "signed":
        run = sign_all(org, run)
    else:
        svc.run_review(actor=org.users.accountant, run=run, note="ok")
        run = svc.run_submit(actor=org.users.accountant, run=run)
    before = PayRun.objects.filter(pk=run.pk).values().get()
    lines = list(PayLine.objects.filter(run=run).values_list("pk", "amount"))
    c = api(org.users.accountant)
    for verb, suffix, data in (
        ("post", "review/", {"note": "again"}),
        ("post", "submit/", {}),
        ("post", "recompute/", {}),
    ):
        resp = getattr(c, verb)(f"{BASE}{run.pk}/{suffix}", data, format="json")
        assert resp.status_code == 400, suffix
        assert svc.locked_message(run) in str(resp.json()), suffix
    for verb in ("put", "patch", "delete"):
        assert getattr(c, verb)(f"{BASE}{run.pk}/", {"total": "1"}, format="json").status_code == 405
    assert calls == []
    assert PayRun.objects.filter(pk=run.pk).values().get() == before
    assert list(PayLine.objects.filter(run=run).values_list("pk", "amount")) == lines


def test_delete_is_refused_even_before_signing(org):
    run = make_run(org)
    resp = api(org.users.accountant).delete(f"{BASE}{run.pk}/")
    assert resp.status_code == 405
    assert PayRun.objects.filter(pk=run.pk).exists()


def test_correct_through_the_api_and_read_differences(org, monkeypatch):
    fake_compute(monkeypatch, org)
    old = sign_all(org, make_run(org))
    c = api(org.users.accountant)
    assert c.post(f"{BASE}{old.pk}/correct/", {"reason": ""}, format="json").status_code == 400
    resp = c.post(f"{BASE}{old.pk}/correct/", {"reason": "十月提成少算"}, format="json")
    assert resp.status_code == 200
    new = resp.json()
    assert new["version"] == 2 and new["corrects"] == old.pk and new["corrects_version"] == 1
    diff = c.get(f"{BASE}{new['id']}/differences/").json()
    assert diff["total_diff"] == "100.00"
    assert [(p["name"], [line["component"] for line in p["lines"]]) for p in diff["people"]] == [
        ("张三", ["commission"])
    ]
    assert c.get(f"{BASE}{old.pk}/differences/").status_code == 404
    assert c.get(f"{BASE}{old.pk}/").json()["status"] == "signed"


def _count(c, url):
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_api_query_counts_do_not_grow(org):
    c = api(org.users.accountant)
    small = sign_all(org, make_run(org))
    few = _count(c, BASE)
    people = [
        (
            StaffFactory(branch=org.branches.b1, team=org.teams.b, name=f"甲{i}"),
            {"base": 1000, "commission": 5},
        )
        for i in range(25)
    ]
    big = make_run(org, people, month=OCTOBER.replace(month=11))
    for m in range(1, 6):
        make_run(org, people[:1], month=OCTOBER.replace(month=m))
    assert _count(c, BASE) == few
    sign_all(org, big)
    assert _count(c, f"{BASE}{small.pk}/") == _count(c, f"{BASE}{big.pk}/")
