"""Pay schemes through their services: drafts and their checks, approval on the team-standards
route (第二条), no change once approved, new versions, and the lookup of the scheme in force."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from brokerdesk.access.roles import Role
from brokerdesk.approvals.models import Request
from brokerdesk.approvals.tests.conftest import flow_people  # noqa: F401 - shared fixture
from brokerdesk.org.tests.factories import login
from brokerdesk.performance import services_schemes as svc
from brokerdesk.performance.models import PayScheme, SchemeBasePay, SchemeBracket
from brokerdesk.performance.tests.factories_pay import BRACKETS, act, approve, draft

pytestmark = pytest.mark.django_db
D = Decimal


def test_accountant_drafts_a_scheme_with_brackets_and_base_pay(org):
    scheme = draft(org, effective_from=dt.date(2026, 3, 15))
    assert scheme.status == PayScheme.Status.DRAFT and scheme.version == 1
    assert scheme.effective_from == dt.date(2026, 3, 1)  # a month is its first day
    assert [(b.lower, b.upper, b.rate) for b in scheme.brackets.order_by("lower")] == [
        (D("0.00"), D("50000.00"), D("0.100000")),
        (D("50000.00"), D("150000.00"), D("0.150000")),
        (D("150000.00"), None, D("0.200000")),
    ]
    assert scheme.base_pays.count() == 3


@pytest.mark.parametrize(
    ("brackets", "words"),
    [
        ([(0, 100, "0.1"), (90, None, "0.2")], "overlaps"),
        ([(0, 100, "0.1"), (120, None, "0.2")], "Gap"),
        ([(10, None, "0.1")], "start at 0"),
        ([(0, None, "0.1"), (100, None, "0.2")], "Only the last"),
        ([(0, 100, "1.2"), (100, None, "0.2")], "share from 0 to 1"),
        ([], "at least one"),
    ],
)
def test_bad_brackets_are_refused_with_a_clear_message_and_nothing_saved(org, brackets, words):
    rows = [
        {"lower": D(lo), "upper": None if up is None else D(up), "rate": D(rate)} for lo, up, rate in brackets
    ]
    with pytest.raises(ValidationError) as exc, _english():
        draft(org, brackets=rows)
    assert any(words in m for m in exc.value.message_dict["brackets"])
    assert not PayScheme.objects.exists() and not SchemeBracket.objects.exists()


def _english():
    from django.utils import translation

    return translation.override("en")


def test_negative_base_pay_and_a_team_of_another_branch_are_refused(org):
    rows = [{"level": org.levels[0], "employment_type": "full_time", "amount": D("-1")}]
    with pytest.raises(ValidationError) as exc:
        draft(org, base_pays=rows, team=org.teams.c)
    assert set(exc.value.message_dict) >= {"base_pays", "team"}
    twice = [{"level": org.levels[0], "employment_type": "full_time", "amount": D(1)}] * 2
    with pytest.raises(ValidationError) as exc:
        draft(org, base_pays=twice)
    assert "base_pays" in exc.value.message_dict


def test_rates_outside_zero_to_one_are_refused(org):
    with pytest.raises(ValidationError) as exc:
        draft(org, asset_rate=D("1.5"), override_rate=D("-0.1"))
    assert set(exc.value.message_dict) >= {"asset_rate", "override_rate"}


def test_part_timers_may_have_no_base_pay(org):
    rows = [{"level": org.levels[0], "employment_type": "part_time", "amount": D(0)}]
    scheme = draft(org, base_pays=rows)
    assert SchemeBasePay.objects.get(scheme=scheme).employment_type == "part_time"


@pytest.mark.parametrize("who", ["cm", "lead", "trade"])
def test_people_without_the_scheme_permission_cannot_draft(org, who):
    with pytest.raises(PermissionDenied):
        draft(org, actor=getattr(org.users, who))


def test_another_branchs_accountant_cannot_draft_for_this_branch(org):
    other = login("accountant_b2", Role.ACCOUNTANT, branch=org.branches.b2)
    with pytest.raises(PermissionDenied):
        draft(org, actor=other)


def test_scheme_goes_through_the_team_standards_route_and_then_never_changes(flow_people):  # noqa: F811
    org = flow_people
    scheme = draft(org)
    submitted = svc.scheme_submit(actor=org.users.accountant, scheme=scheme)
    assert submitted.status == PayScheme.Status.IN_APPROVAL
    assert submitted.approval.flow.code == "team_standards"
    with pytest.raises(ValidationError):
        svc.scheme_save(actor=org.users.accountant, scheme=submitted, brackets=BRACKETS)
    act(org.users.office, submitted)
    act(org.users.channel, submitted, countersign_departments=[org.departments.compliance])
    act(org.users.compliance, submitted)
    act(org.users.office, submitted)
    act(org.users.vp, submitted)
    act(org.users.office, submitted)
    approved = PayScheme.objects.get(pk=scheme.pk)
    assert approved.status == PayScheme.Status.APPROVED
    approved.name = "改名"
    with pytest.raises(ValidationError) as exc:
        svc.scheme_save(actor=org.users.accountant, scheme=approved)
    assert "new version" in str(exc.value) or "新版本" in str(exc.value)
    assert PayScheme.objects.get(pk=scheme.pk).name != "改名"
    with pytest.raises(ValidationError):
        svc.scheme_submit(actor=org.users.accountant, scheme=approved)


def test_returned_scheme_is_edited_and_resubmitted_on_the_same_request(flow_people):  # noqa: F811
    org = flow_people
    scheme = svc.scheme_submit(actor=org.users.accountant, scheme=draft(org))
    act(org.users.office, scheme, decision="return", opinion="提成比例请再斟酌")
    scheme.refresh_from_db()
    assert scheme.status == PayScheme.Status.RETURNED
    scheme.new_account_bonus = D("350.00")
    svc.scheme_save(actor=org.users.accountant, scheme=scheme)
    again = svc.scheme_submit(actor=org.users.accountant, scheme=scheme)
    assert again.status == PayScheme.Status.IN_APPROVAL and again.approval_id == scheme.approval_id
    assert Request.objects.get(pk=scheme.approval_id).round == 2


def test_withdrawn_scheme_can_be_edited_and_sent_again(flow_people):  # noqa: F811
    from brokerdesk.approvals.services import request_withdraw

    org = flow_people
    scheme = svc.scheme_submit(actor=org.users.accountant, scheme=draft(org))
    request_withdraw(actor=org.users.accountant, request=scheme.approval)
    scheme.refresh_from_db()
    assert scheme.status == PayScheme.Status.WITHDRAWN
    svc.scheme_save(actor=org.users.accountant, scheme=scheme, brackets=BRACKETS)
    again = svc.scheme_submit(actor=org.users.accountant, scheme=scheme)
    assert again.status == PayScheme.Status.IN_APPROVAL and again.approval_id != scheme.approval_id


def test_new_version_is_a_draft_copy_of_the_approved_scheme(flow_people):  # noqa: F811
    org = flow_people
    v1 = approve(org, draft(org))
    v2 = svc.scheme_new_version(actor=org.users.accountant, scheme=v1)
    assert (v2.version, v2.previous_id, v2.status) == (2, v1.pk, PayScheme.Status.DRAFT)
    assert v2.brackets.count() == v1.brackets.count() and v2.base_pays.count() == v1.base_pays.count()
    with pytest.raises(ValidationError):
        svc.scheme_new_version(actor=org.users.accountant, scheme=v1)  # one open new version at a time
    with pytest.raises(ValidationError):
        svc.scheme_new_version(actor=org.users.accountant, scheme=v2)  # only from an approved one
    v2.effective_from = dt.date(2026, 7, 1)
    svc.scheme_save(
        actor=org.users.accountant,
        scheme=v2,
        brackets=[{"lower": D(0), "upper": None, "rate": D("0.12")}],
    )
    approve(org, v2)
    assert svc.scheme_for(None, org.branches.b1, dt.date(2026, 6, 1)).pk == v1.pk
    assert svc.scheme_for(org.teams.a, org.branches.b1, dt.date(2026, 7, 1)).pk == v2.pk


def test_scheme_for_prefers_the_teams_own_scheme_and_ignores_drafts(org):
    from brokerdesk.performance.tests.factories import make_scheme

    branch = make_scheme(org.branches.b1, org.users.accountant)
    team = make_scheme(org.branches.b1, org.users.accountant, team=org.teams.a)
    later_branch = make_scheme(org.branches.b1, org.users.accountant, effective_from=dt.date(2026, 6, 1))
    make_scheme(
        org.branches.b1,
        org.users.accountant,
        effective_from=dt.date(2026, 8, 1),
        status=PayScheme.Status.DRAFT,
    )
    higher = make_scheme(org.branches.b1, org.users.accountant, effective_from=dt.date(2026, 6, 1), version=2)
    sep = dt.date(2026, 9, 1)
    assert svc.scheme_for(org.teams.a, org.branches.b1, sep).pk == team.pk
    assert svc.scheme_for(org.teams.b, org.branches.b1, sep).pk == higher.pk
    assert svc.scheme_for(org.teams.b, org.branches.b1, dt.date(2026, 5, 1)).pk == branch.pk
    assert svc.scheme_for(None, org.branches.b2, sep) is None
    assert later_branch.pk != higher.pk
