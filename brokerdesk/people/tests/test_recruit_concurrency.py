"""Recruiters pressing at the same moment (PostgreSQL only): eight concurrent authenticity
checks of one document record one; eight concurrent proposals open one approval request;
eight concurrent conversions create one staff record and one contract."""

import datetime as dt
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from brokerdesk.approvals.models import Request
from brokerdesk.org.models import Staff
from brokerdesk.people import services_recruitment as recruit
from brokerdesk.people.models_archive import Contract
from brokerdesk.people.models_recruitment import Candidate, CandidateDocument
from brokerdesk.people.tests.test_recruit_fixtures import (
    make_candidate,
    pdf,
    probation_passed,
    ready_for_decision,
)

THREADS = 8


def _race(fn) -> tuple[list, list]:
    barrier = threading.Barrier(THREADS)
    wins, refusals, errors = [], [], []
    lock = threading.Lock()

    def work(i: int) -> None:
        from django.db import connection as conn

        try:
            barrier.wait(timeout=30)
            result = fn(i)
            with lock:
                wins.append(result)
        except ValidationError as exc:
            with lock:
                refusals.append(exc)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return wins, refusals


def _user(pk):
    return get_user_model().objects.get(pk=pk)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_concurrent_checks_and_proposals_have_one_winner(org, postgres_only):
    candidate = make_candidate(org)
    doc = recruit.candidate_document_upload(
        actor=org.users.trade, candidate=candidate, slot="resume", upload=pdf()
    )
    hr_id = org.users.hr.pk
    wins, refusals = _race(
        lambda i: recruit.candidate_document_check(
            actor=_user(hr_id),
            document=CandidateDocument.objects.get(pk=doc.pk),
            result="authentic",
            note=f"#{i}",
        )
    )
    assert len(wins) == 1 and len(refusals) == THREADS - 1
    assert CandidateDocument.objects.get(pk=doc.pk).check_note == wins[0].check_note

    ready = ready_for_decision(org, name="并发")
    trade_id = org.users.trade.pk
    wins, refusals = _race(
        lambda i: recruit.candidate_propose(
            actor=_user(trade_id),
            candidate=Candidate.objects.get(pk=ready.pk),
            decision="probation",
            probation_starts_on=dt.date(2026, 4, 1),
            probation_ends_on=dt.date(2026, 6, 30),
        )
    )
    assert len(wins) == 1 and len(refusals) == THREADS - 1
    assert Request.objects.filter(flow__code="recruit_decision").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_conversions_create_one_staff_record(org, postgres_only):
    candidate = probation_passed(org)
    trade_id = org.users.trade.pk
    wins, refusals = _race(
        lambda i: recruit.candidate_convert(
            actor=_user(trade_id),
            candidate=Candidate.objects.get(pk=candidate.pk),
            emp_no=f"BJ07{i:02d}",
            today=dt.date(2026, 7, 1),
        )
    )
    assert len(wins) == 1 and len(refusals) == THREADS - 1
    assert Staff.objects.filter(emp_no__startswith="BJ07").count() == 1
    assert Contract.objects.count() == 1
