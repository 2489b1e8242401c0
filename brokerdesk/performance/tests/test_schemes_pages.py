"""Pay scheme pages and API: the branch reads its schemes, finance drafts them with their bracket
and base-pay rows (errors next to the field), sends them for approval and makes new versions;
another branch sees nothing."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from brokerdesk.approvals.tests.conftest import flow_people  # noqa: F401 - shared fixture
from brokerdesk.performance.models import PayScheme
from brokerdesk.performance.tests.factories_pay import approve, draft

pytestmark = pytest.mark.django_db
D = Decimal


def form_data(org, brackets, base=None, **values):
    data = {
        "branch": org.branches.b1.pk,
        "team": "",
        "name": "客户经理薪酬标准",
        "effective_from": "2026-10",
        "min_performance_score": "60",
        "low_performance_factor": "0.8",
        "new_account_bonus": "300",
        "new_account_min_assets": "100000",
        "asset_rate": "0.0002",
        "attendance_deductions": "on",
        "override_rate": "0.03",
        "holdback_rate": "0.1",
        "holdback_release_revenue": "100000",
        "clawback": "on",
        "note": "",
    }
    data.update(values)
    base = base if base is not None else [(org.levels[0].pk, "full_time", "3000")]
    for prefix, rows, keys in (
        ("brackets", brackets, ("lower", "upper", "rate")),
        ("base", base, ("level", "employment_type", "amount")),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, row in enumerate(rows):
            for key, value in zip(keys, row, strict=True):
                data[f"{prefix}-{i}-{key}"] = "" if value is None else value
    return data


GOOD = [("0", "50000", "0.10"), ("50000", "", "0.15")]


def test_accountant_creates_a_draft_scheme_on_the_page(org, client_for):
    web = client_for(org.users.accountant)
    assert web.get(reverse("performance:scheme-create")).status_code == 200
    resp = web.post(reverse("performance:scheme-create"), form_data(org, GOOD))
    assert resp.status_code == 302, resp.content.decode()[:3000]
    scheme = PayScheme.objects.get()
    assert scheme.effective_from == dt.date(2026, 10, 1) and scheme.status == PayScheme.Status.DRAFT
    assert list(scheme.brackets.values_list("lower", "upper")) == [
        (D("0.00"), D("50000.00")),
        (D("50000.00"), None),
    ]
    assert list(scheme.base_pays.values_list("amount", flat=True)) == [D("3000.00")]
    page = web.get(scheme.get_absolute_url()).content.decode()
    assert "15%" in page and 'id="submit-scheme"' in page


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("0", "50000", "0.10"), ("40000", "", "0.15")], "overlaps"),
        ([("0", "50000", "0.10"), ("60000", "", "0.15")], "Gap"),
        ([("0", "50000", "0.10"), ("50000", "90000", "0.15")], "open-ended"),
        ([("0", "50000", "10"), ("50000", "", "0.15")], "share from 0 to 1"),
    ],
)
def test_bad_brackets_come_back_next_to_the_field_and_nothing_is_saved(org, client_for, rows, message):
    web = client_for(org.users.accountant)
    resp = web.post(reverse("performance:scheme-create"), form_data(org, rows), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400
    brackets = resp.context["brackets"]
    errors = [str(e) for f in brackets.forms for errs in f.errors.values() for e in errs]
    assert any(message in e for e in errors), errors
    assert not PayScheme.objects.exists()


def test_negative_base_pay_is_refused_next_to_the_field(org, client_for):
    web = client_for(org.users.accountant)
    resp = web.post(
        reverse("performance:scheme-create"),
        form_data(org, GOOD, base=[(org.levels[0].pk, "full_time", "-1")]),
    )
    assert resp.status_code == 400
    assert resp.context["base_pays"].forms[0].errors["amount"]


@pytest.mark.parametrize("who", ["cm", "lead", "rm", "trade"])
def test_everyone_of_the_branch_reads_schemes_but_only_finance_drafts(org, client_for, who):
    scheme = draft(org)
    web = client_for(getattr(org.users, who))
    assert web.get(reverse("performance:scheme-list")).context["page"].paginator.count == 1
    assert web.get(scheme.get_absolute_url()).status_code == 200
    assert web.get(reverse("performance:scheme-create")).status_code == 404
    assert web.get(reverse("performance:scheme-edit", args=[scheme.pk])).status_code == 404
    assert web.post(f"/api/performance/schemes/{scheme.pk}/submit/").status_code == 403


@pytest.mark.parametrize("who", ["outsider", "norole", "sysadmin"])
def test_another_branch_sees_no_scheme(org, client_for, who):
    scheme = draft(org)
    web = client_for(getattr(org.users, who))
    assert web.get(scheme.get_absolute_url()).status_code == 404
    assert web.get(reverse("performance:scheme-list")).context["page"].paginator.count == 0
    assert web.get(f"/api/performance/schemes/{scheme.pk}/").status_code == 404


def test_submit_and_new_version_from_the_page(flow_people, client_for):  # noqa: F811
    org = flow_people
    web = client_for(org.users.accountant)
    scheme = draft(org)
    resp = web.post(reverse("performance:scheme-submit", args=[scheme.pk]))
    assert resp.status_code == 302
    scheme.refresh_from_db()
    assert scheme.status == PayScheme.Status.IN_APPROVAL
    # In approval: the edit page refuses and sends back to the scheme.
    assert web.get(reverse("performance:scheme-edit", args=[scheme.pk])).status_code == 302
    approved = _walk(org, scheme)
    assert approved.status == PayScheme.Status.APPROVED
    resp = web.post(reverse("performance:scheme-new-version", args=[scheme.pk]))
    new = PayScheme.objects.get(previous=scheme)
    assert resp.status_code == 302 and resp["Location"] == new.get_absolute_url()
    assert new.version == 2 and new.status == PayScheme.Status.DRAFT
    edit = web.post(
        reverse("performance:scheme-edit", args=[new.pk]),
        form_data(org, [("0", "", "0.12")], name="新版本", effective_from="2026-11"),
    )
    assert edit.status_code == 302
    new.refresh_from_db()
    assert new.name == "新版本" and new.brackets.get().rate == D("0.12")


def _walk(org, scheme):
    from brokerdesk.performance.tests.factories_pay import act

    act(org.users.office, scheme)
    act(org.users.channel, scheme, countersign_departments=[org.departments.compliance])
    act(org.users.compliance, scheme)
    act(org.users.office, scheme)
    act(org.users.vp, scheme)
    act(org.users.office, scheme)
    scheme.refresh_from_db()
    return scheme


def api_body(org, brackets, **values):
    body = {
        "branch": org.branches.b1.pk,
        "name": "API薪酬标准",
        "effective_from": "2026-10-01",
        "brackets": [{"lower": lo, "upper": up, "rate": rate} for lo, up, rate in brackets],
        "base_pays": [{"level": org.levels[1].pk, "employment_type": "full_time", "amount": "4000.00"}],
    }
    body.update(values)
    return body


def post_json(web, url, body):
    return web.post(url, json.dumps(body), content_type="application/json")


def test_api_creates_a_scheme_and_refuses_overlapping_brackets_with_a_400(org, client_for):
    web = client_for(org.users.accountant)
    url = "/api/performance/schemes/"
    bad = post_json(web, url, api_body(org, [("0", "100", "0.1"), ("90", None, "0.2")]))
    assert bad.status_code == 400 and "brackets" in bad.json()
    gap = post_json(web, url, api_body(org, [("0", "100", "0.1"), ("120", None, "0.2")]))
    assert gap.status_code == 400 and "brackets" in gap.json()
    negative = post_json(
        web,
        url,
        api_body(
            org,
            [("0", None, "0.1")],
            base_pays=[{"level": org.levels[1].pk, "employment_type": "full_time", "amount": "-5"}],
        ),
    )
    assert negative.status_code == 400 and "base_pays" in negative.json()
    assert not PayScheme.objects.exists()
    ok = post_json(web, url, api_body(org, [("0", "100000", "0.1"), ("100000", None, "0.2")]))
    assert ok.status_code == 201, ok.json()
    data = ok.json()
    assert (
        data["status"] == "draft"
        and len(data["brackets"]) == 2
        and data["base_pays"][0]["amount"] == "4000.00"
    )
    patched = web.patch(
        f"{url}{data['id']}/", json.dumps({"name": "改过的名字"}), content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["name"] == "改过的名字"
    assert len(patched.json()["brackets"]) == 2  # rows kept when not sent


def test_api_refuses_writes_without_the_permission_and_edits_of_approved_schemes(flow_people, client_for):  # noqa: F811
    org = flow_people
    cm = client_for(org.users.cm)
    assert post_json(cm, "/api/performance/schemes/", api_body(org, [("0", None, "0.1")])).status_code == 403
    scheme = approve(org, draft(org))
    web = client_for(org.users.accountant)
    resp = web.patch(
        f"/api/performance/schemes/{scheme.pk}/", json.dumps({"name": "x"}), content_type="application/json"
    )
    assert resp.status_code == 400
    new = web.post(f"/api/performance/schemes/{scheme.pk}/new-version/")
    assert new.status_code == 201 and new.json()["version"] == 2 and new.json()["previous"] == scheme.pk
    sent = web.post(f"/api/performance/schemes/{new.json()['id']}/submit/")
    assert sent.status_code == 200 and sent.json()["status"] == "in_approval"
