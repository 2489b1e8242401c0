"""The pay report pages: who sees the runs (scope), the people × components table, finance's
actions and their refusals on a locked run, corrections and their differences, the printable
page, and a constant query count for the list and the detail."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from brokerdesk.access.roles import Role
from brokerdesk.approvals.services import inbox, task_act
from brokerdesk.org.tests.factories import StaffFactory, login
from brokerdesk.performance import services_report as svc
from brokerdesk.performance.models import PayLine, PayRun
from brokerdesk.performance.tests.factories_report import OCTOBER, fake_compute, make_run, office_user

S = PayRun.Status
PAGES = ["run-detail", "run-export", "run-print"]


def sign_all(org, run):
    svc.run_review(actor=org.users.accountant, run=run, note="ok")
    svc.run_submit(actor=org.users.accountant, run=run)
    for user in (org.users.accountant, org.users.deputy, org.users.manager):
        task = inbox(user).get(request_id=PayRun.objects.get(pk=run.pk).approval_id)
        task_act(actor=user, task=task, decision="approve")
    run.refresh_from_db()
    return run


def other_accountant(org):
    return login("acc_b", Role.ACCOUNTANT, branch=org.branches.b2)


# --- scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["accountant", "deputy", "manager", "office"])
def test_pay_view_holders_see_the_branchs_runs(org, client_for, who):
    run = make_run(org)
    user = office_user() if who == "office" else getattr(org.users, who)
    c = client_for(user)
    resp = c.get(reverse("performance:run-list"))
    assert resp.status_code == 200
    assert f'id="run-{run.pk}"' in resp.content.decode()
    for name in PAGES:
        assert c.get(reverse(f"performance:{name}", args=[run.pk])).status_code == 200, name


@pytest.mark.parametrize(
    "who", ["cm", "lead", "rm", "trade", "region", "channel", "hr", "vp", "norole", "acc_b"]
)
def test_nobody_else_sees_a_run(org, client_for, who):
    run = make_run(org)
    user = other_accountant(org) if who == "acc_b" else getattr(org.users, who)
    c = client_for(user)
    resp = c.get(reverse("performance:run-list"))
    assert resp.status_code == 404 or f'id="run-{run.pk}"' not in resp.content.decode()
    for name in PAGES:
        assert c.get(reverse(f"performance:{name}", args=[run.pk])).status_code == 404, name


def test_other_branchs_accountant_lists_only_their_own_branch(org, client_for):
    mine = make_run(org)
    theirs = make_run(org, [(org.staff.outsider, {"base": 1000})], branch=org.branches.b2)
    body = client_for(other_accountant(org)).get(reverse("performance:run-list")).content.decode()
    assert f'id="run-{theirs.pk}"' in body and f'id="run-{mine.pk}"' not in body


def test_list_filters_by_month_branch_and_status(org, client_for):
    october = make_run(org)
    november = make_run(org, month=october.month.replace(month=11), status=S.REVIEWED)
    c = client_for(office_user())
    url = reverse("performance:run-list")
    body = c.get(url, {"month": "2026-11"}).content.decode()
    assert f'id="run-{november.pk}"' in body and f'id="run-{october.pk}"' not in body
    body = c.get(url, {"status": "computed"}).content.decode()
    assert f'id="run-{october.pk}"' in body and f'id="run-{november.pk}"' not in body
    body = c.get(url, {"branch": org.branches.b2.pk}).content.decode()
    assert f'id="run-{october.pk}"' not in body


# --- the table ------------------------------------------------------------------------------------


def test_detail_shows_people_by_component_with_totals(org, client_for):
    run = make_run(org)
    resp = client_for(org.users.deputy).get(run.get_absolute_url())
    body = resp.content.decode()
    assert body.count('id="person-') == 3
    assert "张三" in body and "孙八" in body and "李四" in body
    # 3000 + 1234.56 + 400 - 50 + 2500 + 800.10 - 80.01 + 3500 + 2000 + 100 - 12.34
    assert resp.context["table"].total == run.total
    assert "¥13,392.31" in body
    assert resp.context["table"].totals["commission"] == sum(
        PayLine.objects.filter(run=run, component="commission").values_list("amount", flat=True)
    )


def test_deputy_sees_no_finance_actions(org, client_for):
    run = make_run(org)
    body = client_for(org.users.deputy).get(run.get_absolute_url()).content.decode()
    assert 'id="review-form"' not in body and 'id="recompute-button"' not in body


# --- finance's actions --------------------------------------------------------------------------------


def test_accountant_reviews_and_submits_from_the_page(org, client_for):
    run = make_run(org)
    c = client_for(org.users.accountant)
    resp = c.post(reverse("performance:run-review", args=[run.pk]), {"note": ""})
    assert resp.status_code == 400
    assert PayRun.objects.get(pk=run.pk).status == S.COMPUTED
    resp = c.post(reverse("performance:run-review", args=[run.pk]), {"note": "核对无误"})
    assert resp.status_code == 302
    assert PayRun.objects.get(pk=run.pk).status == S.REVIEWED
    resp = c.post(reverse("performance:run-submit", args=[run.pk]))
    assert resp.status_code == 302
    run.refresh_from_db()
    assert run.status == S.SIGNING
    body = c.get(run.get_absolute_url()).content.decode()
    assert 'id="sign-link"' in body  # the accountant signs the first step
    assert 'id="review-form"' not in body


def test_deputy_cannot_review_from_the_page(org, client_for):
    run = make_run(org)
    resp = client_for(org.users.deputy).post(reverse("performance:run-review", args=[run.pk]), {"note": "x"})
    assert resp.status_code == 403
    assert PayRun.objects.get(pk=run.pk).status == S.COMPUTED


def test_other_branch_cannot_post_actions(org, client_for):
    run = make_run(org)
    c = client_for(other_accountant(org))
    for name in ("run-review", "run-submit", "run-recompute", "run-correct"):
        assert (
            c.post(reverse(f"performance:{name}", args=[run.pk]), {"note": "x", "reason": "x"}).status_code
            == 404
        )


@pytest.mark.parametrize("stage", ["signing", "signed"])
def test_page_refuses_to_change_a_locked_run_with_a_message(org, client_for, monkeypatch, stage):
    calls = fake_compute(monkeypatch, org)
    run = make_run(org)
    if stage == "signed":
        run = sign_all(org, run)
    else:
        svc.run_review(actor=org.users.accountant, run=run, note="ok")
        run = svc.run_submit(actor=org.users.accountant, run=run)
    before = PayRun.objects.filter(pk=run.pk).values().get()
    lines = list(PayLine.objects.filter(run=run).values_list("pk", "amount"))
    c = client_for(org.users.accountant)
    for name, data in (("run-review", {"note": "again"}), ("run-submit", {}), ("run-recompute", {})):
        resp = c.post(reverse(f"performance:{name}", args=[run.pk]), data)
        assert resp.status_code == 400, name
        shown = [str(m) for m in resp.context["messages"]]
        assert shown == [svc.locked_message(run)], name
    resp = c.post(reverse("performance:run-compute"), {"branch": run.branch_id, "month": "2026-10"})
    assert resp.status_code == 400
    assert calls == []
    assert PayRun.objects.filter(pk=run.pk).values().get() == before
    assert list(PayLine.objects.filter(run=run).values_list("pk", "amount")) == lines
    assert PayRun.objects.count() == 1


def test_signed_run_shows_hash_and_correction_form(org, client_for):
    run = sign_all(org, make_run(org))
    body = client_for(org.users.accountant).get(run.get_absolute_url()).content.decode()
    assert run.content_hash in body
    assert 'id="correct-form"' in body
    body = client_for(org.users.manager).get(run.get_absolute_url()).content.decode()
    assert 'id="correct-form"' not in body
    assert "周九" in body  # the manager's signature


def test_correction_from_the_page_shows_differences_and_old_version_says_corrected(
    org, client_for, monkeypatch
):
    fake_compute(monkeypatch, org)
    old = sign_all(org, make_run(org))
    c = client_for(org.users.accountant)
    resp = c.post(reverse("performance:run-correct", args=[old.pk]), {"reason": ""})
    assert resp.status_code == 400 and PayRun.objects.count() == 1
    resp = c.post(reverse("performance:run-correct", args=[old.pk]), {"reason": "十月提成少算"})
    new = PayRun.objects.get(corrects=old)
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "performance:run-differences", args=[new.pk]
    )
    resp = c.get(resp["Location"])
    body = resp.content.decode()
    assert body.count('class="diff-line"') == 1
    assert f'data-staff="{org.staff.cm.pk}" data-component="commission"' in body
    assert "+¥100.00" in body
    # The old version stays signed and says who corrects it.
    body = c.get(old.get_absolute_url()).content.decode()
    assert 'class="corrected-by"' in body
    assert _("Correction v%(v)s in progress.") % {"v": 2} in body
    assert PayRun.objects.get(pk=old.pk).status == S.SIGNED
    sign_all(org, new)
    body = c.get(old.get_absolute_url()).content.decode()
    assert _("Corrected by v%(v)s.") % {"v": 2} in body
    assert 'id="correct-form"' not in body  # v2 is now the version in force


def test_differences_page_needs_a_correction(org, client_for):
    run = make_run(org)
    assert (
        client_for(org.users.accountant)
        .get(reverse("performance:run-differences", args=[run.pk]))
        .status_code
        == 404
    )


def test_print_page_is_a4_landscape_without_navigation(org, client_for):
    run = sign_all(org, make_run(org))
    body = client_for(org.users.deputy).get(reverse("performance:run-print", args=[run.pk])).content.decode()
    assert "size: A4 landscape" in body
    assert "mainnav" not in body
    assert "13,392.31" in body
    assert "周九" in body


def test_compute_page_calls_the_pay_engine(org, client_for, monkeypatch):
    calls = fake_compute(monkeypatch, org)
    from brokerdesk.performance.tests.factories import make_import

    make_import(org.branches.b1, make_run(org).month, org.users.accountant)
    c = client_for(org.users.accountant)
    assert c.get(reverse("performance:run-compute")).status_code == 200
    resp = c.post(reverse("performance:run-compute"), {"branch": org.branches.b1.pk, "month": "2026-10"})
    assert resp.status_code == 302
    assert calls[-1]["branch"] == org.branches.b1 and calls[-1]["corrects"] is None
    assert client_for(org.users.deputy).get(reverse("performance:run-compute")).status_code == 404


# --- query counts ---------------------------------------------------------------------------------


def _count(c, url):
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def _many(org, n):
    people = []
    for i in range(n):
        s = StaffFactory(branch=org.branches.b1, team=org.teams.a, level=org.levels[0], name=f"员工{i}")
        people.append((s, {"base": 2000, "commission": "10.01", "attendance": -5}))
    return people


def test_list_query_count_does_not_grow_with_runs(org, client_for):
    c = client_for(office_user())
    sign_all(org, make_run(org))
    url = reverse("performance:run-list")
    few = _count(c, url)
    for m in range(1, 9):
        make_run(
            org, [(org.staff.outsider, {"base": 1})], branch=org.branches.b2, month=OCTOBER.replace(month=m)
        )
    assert _count(c, url) == few


def test_detail_query_count_does_not_grow_with_people(org, client_for):
    c = client_for(org.users.accountant)
    small = sign_all(org, make_run(org, _many(org, 2)))
    big = sign_all(org, make_run(org, _many(org, 30), month=small.month.replace(month=11)))
    assert _count(c, small.get_absolute_url()) == _count(c, big.get_absolute_url())
    assert _count(c, reverse("performance:run-print", args=[small.pk])) == _count(
        c, reverse("performance:run-print", args=[big.pk])
    )


@pytest.mark.parametrize("who", ["cm", "lead", "acc_b"])
def test_nobody_else_sees_a_correction_or_its_differences(org, client_for, monkeypatch, who):
    fake_compute(monkeypatch, org)
    old = sign_all(org, make_run(org))
    new = svc.run_correct(actor=org.users.accountant, run=old, reason="更正")
    user = other_accountant(org) if who == "acc_b" else getattr(org.users, who)
    c = client_for(user)
    assert c.get(reverse("performance:run-differences", args=[new.pk])).status_code == 404
    assert c.get(new.get_absolute_url()).status_code == 404
    assert (
        client_for(office_user()).get(reverse("performance:run-differences", args=[new.pk])).status_code
        == 200
    )
