"""The training archive (第二十四条) through its services and pages: who organises and records
what, results after the session by the organiser's designated person, confirmed results that
no longer change, and what each person sees (a client manager only their own rows)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from brokerdesk.org.tests.factories import login
from brokerdesk.people import services_training as svc
from brokerdesk.people.models_training import TrainingAttendance, TrainingProgramme, TrainingSession
from brokerdesk.people.selectors_training import attendance_list, records_for
from brokerdesk.people.tests.test_recruit_fixtures import make_candidate

pytestmark = pytest.mark.django_db


def _programme(org, actor, branch, **kw):
    return svc.programme_save(
        actor=actor,
        programme=TrainingProgramme(
            branch=branch,
            title=kw.pop("title", "产品知识培训"),
            category=kw.pop("category", TrainingProgramme.Category.PRODUCT),
            organiser="营业部",
            pass_score=kw.pop("pass_score", Decimal("60")),
        ),
    )


_B1 = object()


def _session(org, actor, *, branch=_B1, team=None, programme=None, days_ago=2, hours=2):
    if branch is _B1:
        branch = team.branch if team else org.branches.b1
    programme = programme or _programme(org, actor, branch)
    start = timezone.now() - dt.timedelta(days=days_ago)
    return svc.session_save(
        actor=actor,
        session=TrainingSession(
            programme=programme,
            branch=branch,
            team=team,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=hours),
            content="集合资产管理计划产品要点",
            trainer_name="公司产品部 李老师",
        ),
    )


def _result(org, actor, session, staff, **row):
    attendance = TrainingAttendance.objects.get(session=session, staff=staff)
    return svc.results_record(actor=actor, session=session, rows=[{"attendance": attendance.pk, **row}])


# --- who organises and records --------------------------------------------------------------


def test_team_lead_organises_their_team_sessions_only(org):
    session = _session(org, org.users.lead, team=org.teams.a)
    assert session.branch == org.branches.b1
    with pytest.raises(PermissionDenied):
        _session(org, org.users.lead, team=org.teams.b)
    with pytest.raises(PermissionDenied):
        _session(org, org.users.lead, branch=org.branches.b1)  # a branch session is the branch's
    branch_session = _session(org, org.users.trade)
    with pytest.raises(PermissionDenied):
        svc.attendees_add(actor=org.users.lead, session=branch_session, staff=[org.staff.cm])


def test_company_department_organises_company_wide_and_a_branch_cannot(org):
    programme = _programme(org, org.users.hr, None, title="合规年度培训")
    session = _session(org, org.users.hr, branch=None, programme=programme)
    assert session.branch is None
    with pytest.raises(PermissionDenied):
        _programme(org, org.users.trade, None)
    with pytest.raises(PermissionDenied):
        _session(org, org.users.trade, branch=None, programme=programme)
    with pytest.raises(PermissionDenied):
        svc.attendees_add(actor=org.users.trade, session=session, staff=[org.staff.cm])


def test_client_manager_and_outsider_cannot_record(org):
    session = _session(org, org.users.trade)
    svc.attendees_add(actor=org.users.trade, session=session, staff=[org.staff.cm])
    for user in (org.users.cm, org.users.outsider, org.users.keeper):
        with pytest.raises(PermissionDenied):
            _result(org, user, session, org.staff.cm, score=Decimal("90"))


def test_session_ending_before_it_starts_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        _session(org, org.users.trade, hours=-1)
    assert "ends_at" in exc.value.message_dict


def test_trainer_must_be_named(org):
    programme = _programme(org, org.users.trade, org.branches.b1)
    start = timezone.now()
    with pytest.raises(ValidationError) as exc:
        svc.session_save(
            actor=org.users.trade,
            session=TrainingSession(
                programme=programme,
                branch=org.branches.b1,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                content="x",
            ),
        )
    assert "trainer_name" in exc.value.message_dict


# --- results ---------------------------------------------------------------------------------


def test_results_follow_the_pass_mark_and_are_entered_after_the_session(org):
    session = _session(org, org.users.trade)
    svc.attendees_add(actor=org.users.trade, session=session, staff=[org.staff.cm, org.staff.cm_peer])
    _result(org, org.users.trade, session, org.staff.cm, score=Decimal("75"))
    _result(org, org.users.trade, session, org.staff.cm_peer, score=Decimal("55"))
    rows = {a.staff_id: a for a in session.attendances.all()}
    assert rows[org.staff.cm.pk].result == "passed" and rows[org.staff.cm.pk].recorded_by == org.users.trade
    assert rows[org.staff.cm_peer.pk].result == "failed"
    future = _session(org, org.users.trade, days_ago=-1)
    svc.attendees_add(actor=org.users.trade, session=future, staff=[org.staff.cm])
    with pytest.raises(ValidationError):
        _result(org, org.users.trade, future, org.staff.cm, score=Decimal("90"))


def test_bad_scores_are_refused_by_row_and_nothing_is_saved(org):
    session = _session(org, org.users.trade)
    svc.attendees_add(actor=org.users.trade, session=session, staff=[org.staff.cm, org.staff.cm_peer])
    a, b = session.attendances.order_by("id")
    with pytest.raises(ValidationError) as exc:
        svc.results_record(
            actor=org.users.trade,
            session=session,
            rows=[
                {"attendance": a.pk, "score": Decimal("80")},
                {"attendance": b.pk, "result": "absent", "score": Decimal("101")},
            ],
        )
    assert "rows-1-score" in exc.value.message_dict
    a.refresh_from_db()
    assert a.result == "pending"


def test_confirmed_results_no_longer_change(org):
    session = _session(org, org.users.trade)
    svc.attendees_add(actor=org.users.trade, session=session, staff=[org.staff.cm])
    with pytest.raises(ValidationError):
        svc.results_confirm(actor=org.users.trade, session=session)  # a result is missing
    _result(org, org.users.trade, session, org.staff.cm, score=Decimal("88"))
    svc.results_confirm(actor=org.users.trade, session=session)
    session.refresh_from_db()
    assert session.is_confirmed and session.results_confirmed_by == org.users.trade
    with pytest.raises(ValidationError):
        _result(org, org.users.trade, session, org.staff.cm, score=Decimal("10"))
    with pytest.raises(ValidationError):
        svc.attendees_add(actor=org.users.trade, session=session, staff=[org.staff.cm_peer])
    session.content = "改了"
    with pytest.raises(ValidationError):
        svc.session_save(actor=org.users.trade, session=session)
    with pytest.raises(ValidationError):
        svc.results_confirm(actor=org.users.trade, session=session)


def test_candidates_attend_only_their_branch_sessions_and_only_recruiters_add_them(org):
    candidate = make_candidate(org)
    other_branch = make_candidate(org, actor=org.users.hr, branch=org.branches.b2, team=org.teams.c)
    session = _session(org, org.users.trade)
    with pytest.raises(ValidationError) as exc:
        svc.attendees_add(actor=org.users.trade, session=session, candidates=[other_branch])
    assert "candidates" in exc.value.message_dict
    team_session = _session(org, org.users.lead, team=org.teams.a)
    with pytest.raises(ValidationError):  # a team lead does not handle candidates
        svc.attendees_add(actor=org.users.lead, session=team_session, candidates=[candidate])
    (row,) = svc.attendees_add(actor=org.users.trade, session=session, candidates=[candidate])
    assert row.candidate == candidate and row.staff is None
    assert svc.attendees_add(actor=org.users.trade, session=session, candidates=[candidate]) == []


# --- what each person sees ----------------------------------------------------------------------


def test_client_manager_sees_only_their_own_training_records(org, client_for):
    session = _session(org, org.users.trade)
    svc.attendees_add(actor=org.users.trade, session=session, staff=[org.staff.cm, org.staff.cm_peer])
    mine = TrainingAttendance.objects.get(staff=org.staff.cm)
    peer = TrainingAttendance.objects.get(staff=org.staff.cm_peer)
    assert list(attendance_list(user=org.users.cm)) == [mine]
    c = client_for(org.users.cm)
    page = c.get(reverse("people:training-records")).content.decode()
    assert f'id="record-{mine.pk}"' in page and f'id="record-{peer.pk}"' not in page
    detail = c.get(session.get_absolute_url())
    assert detail.status_code == 200
    assert f'id="attendee-{peer.pk}"' not in detail.content.decode()
    assert c.post(session.get_absolute_url(), {"form": "confirm"}).status_code == 404
    # A session they did not attend is not theirs to see.
    other = _session(org, org.users.trade)
    assert c.get(other.get_absolute_url()).status_code == 404
    assert client_for(org.users.outsider).get(session.get_absolute_url()).status_code == 404


def test_team_lead_sees_the_team_rows_and_branch_sees_the_branch(org):
    session = _session(org, org.users.trade)
    svc.attendees_add(
        actor=org.users.trade, session=session, staff=[org.staff.cm, org.staff.cm_b, org.staff.lead]
    )
    lead_rows = {a.staff_id for a in attendance_list(user=org.users.lead)}
    assert lead_rows == {org.staff.cm.pk, org.staff.lead.pk}  # team A, not team B's cm_b
    assert {a.staff_id for a in attendance_list(user=org.users.manager)} == {
        org.staff.cm.pk,
        org.staff.cm_b.pk,
        org.staff.lead.pk,
    }
    b2 = login("trade_b2t", "trade_management", branch=org.branches.b2)
    assert not attendance_list(user=b2).exists()
    assert not attendance_list(user=org.users.keeper).exists()  # asset keeper: not an archive role


def test_records_for_gives_a_persons_rows_for_the_file(org):
    session = _session(org, org.users.trade)
    svc.attendees_add(actor=org.users.trade, session=session, staff=[org.staff.cm])
    _result(org, org.users.trade, session, org.staff.cm, score=Decimal("92.5"))
    (row,) = records_for(org.staff.cm)
    assert (row.session, row.result, row.score) == (session, "passed", Decimal("92.5"))
    assert not records_for(org.staff.cm_peer).exists()


# --- pages ------------------------------------------------------------------------------------


def test_session_page_flow_adds_attendees_records_results_and_confirms(org, client_for):
    c = client_for(org.users.trade)
    programme = _programme(org, org.users.trade, org.branches.b1)
    start = (timezone.localtime() - dt.timedelta(days=1)).replace(second=0, microsecond=0)
    response = c.post(
        reverse("people:training-session-create"),
        {
            "programme": programme.pk,
            "branch": org.branches.b1.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "content": "讲解",
            "trainer_name": "李老师",
        },
    )
    assert response.status_code == 400 and "ends_at" in response.context["form"].errors
    response = c.post(
        reverse("people:training-session-create"),
        {
            "programme": programme.pk,
            "branch": org.branches.b1.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "content": "讲解",
            "trainer_name": "李老师",
        },
    )
    session = TrainingSession.objects.get()
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    response = c.post(
        session.get_absolute_url(), {"form": "attendees", "staff": [org.staff.cm.pk, org.staff.cm_b.pk]}
    )
    assert response.status_code == 302
    rows = list(session.attendances.order_by("id"))
    data = {"form": "results", "rows-TOTAL_FORMS": "2", "rows-INITIAL_FORMS": "2"}
    for i, row in enumerate(rows):
        data[f"rows-{i}-attendance"] = row.pk
        data[f"rows-{i}-score"] = "101" if i else "80"
    response = c.post(session.get_absolute_url(), data)
    assert response.status_code == 400 and "score" in response.context["results"].forms[1].errors
    data["rows-1-score"] = ""
    data["rows-1-result"] = "absent"
    assert c.post(session.get_absolute_url(), data).status_code == 302
    assert c.post(session.get_absolute_url(), {"form": "confirm"}).status_code == 302
    session.refresh_from_db()
    assert session.is_confirmed
    assert sorted(session.attendances.values_list("result", flat=True)) == ["absent", "passed"]
    for url in (
        reverse("people:training-session-list"),
        reverse("people:training-programme-list"),
        programme.get_absolute_url(),
        reverse("people:training-records"),
        reverse("people:training-programme-create"),
    ):
        assert c.get(url).status_code == 200, url


def test_lead_cannot_see_another_teams_session_page(org, client_for):
    session = _session(org, org.users.trade, team=org.teams.b)
    assert client_for(org.users.lead).get(session.get_absolute_url()).status_code == 404
    assert client_for(org.users.manager).get(session.get_absolute_url()).status_code == 200
