"""The handover's pure rules, table first: what a line waits for, who may confirm which side,
the pay position of a leaving person."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils.translation import override

from brokerdesk.assets import rules_handover as r

D = Decimal


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (r.LineState("asset"), r.STEP_ASSIGN),
        (r.LineState("asset", disposition="pass"), r.STEP_ASSIGN),
        (r.LineState("asset", disposition="pass", receiver_id=2), r.STEP_BOTH),
        (r.LineState("asset", disposition="return"), r.STEP_BOTH),
        (r.LineState("asset", disposition="return", given=True), r.STEP_RECEIVE),
        (r.LineState("archive", disposition="return", received=True), r.STEP_GIVE),
        (r.LineState("archive", disposition="pass", receiver_id=2, given=True, received=True), None),
        (r.LineState("client"), r.STEP_REASSIGN),
        (r.LineState("client", reassigned=True), r.STEP_NOTIFY),
        (r.LineState("client", reassigned=True, notified=True), None),
        (r.LineState("followup"), r.STEP_ASSIGN),
        (r.LineState("visit", receiver_id=3), r.STEP_ACCEPT),
        (r.LineState("visit", receiver_id=3, received=True), None),
        (r.LineState("pay"), r.STEP_ACKNOWLEDGE),
        (r.LineState("pay", acknowledged=True), None),
    ],
)
def test_what_a_line_waits_for(state, step):
    assert r.line_next_step(state) == step


GIVER, RECEIVER, OTHER = 1, 2, 3


@pytest.mark.parametrize(
    ("side", "kind", "disposition", "actor", "keeps", "refused"),
    [
        ("giver", "asset", "pass", GIVER, False, False),
        ("giver", "asset", "pass", RECEIVER, False, True),
        ("giver", "asset", "return", OTHER, True, True),  # the keeper cannot hand over for the person
        ("giver", "asset", "pass", None, False, True),  # a login without a staff record
        ("receiver", "asset", "pass", RECEIVER, False, False),
        ("receiver", "asset", "pass", GIVER, False, True),
        ("receiver", "asset", "pass", OTHER, True, True),  # the keeper does not receive a pass
        ("receiver", "asset", "return", OTHER, True, False),
        ("receiver", "asset", "return", OTHER, False, True),
        ("receiver", "asset", "return", GIVER, True, True),  # a keeper leaving cannot receive from themselves
        ("receiver", "archive", "return", OTHER, True, False),
        ("receiver", "followup", "pass", RECEIVER, False, False),
        ("receiver", "visit", "pass", OTHER, False, True),
    ],
)
def test_who_may_confirm_which_side(side, kind, disposition, actor, keeps, refused):
    reason = r.confirm_refusal(
        side=side,
        kind=kind,
        disposition=disposition,
        actor_staff_id=actor,
        giver_staff_id=GIVER,
        receiver_staff_id=RECEIVER if disposition == "pass" else None,
        actor_keeps_store=keeps,
    )
    assert (reason is not None) is refused


def test_the_wrong_person_is_told_who_must_confirm():
    with override("en"):
        reason = r.confirm_refusal(
            side="receiver",
            kind="asset",
            disposition="pass",
            actor_staff_id=OTHER,
            giver_staff_id=GIVER,
            receiver_staff_id=RECEIVER,
            actor_keeps_store=False,
            receiver_name="孙八",
        )
    assert reason == "Only 孙八 can confirm receiving this, with their own login."


@pytest.mark.parametrize(
    ("receiver", "branch", "active", "refused"),
    [
        (GIVER, 10, True, True),
        (RECEIVER, 11, True, True),
        (RECEIVER, 10, False, True),
        (RECEIVER, 10, True, False),
    ],
)
def test_who_may_receive(receiver, branch, active, refused):
    reason = r.receiver_refusal(
        giver_staff_id=GIVER,
        receiver_staff_id=receiver,
        receiver_branch_id=branch,
        branch_id=10,
        active=active,
    )
    assert (reason is not None) is refused


def test_pay_position_counts_unsigned_runs_and_unsettled_holdbacks():
    pos = r.pay_position(
        unsigned=[r.UnsignedRun(7, dt.date(2026, 11, 1), 1, "reviewed", D("7537.024"))],
        holdbacks=[
            r.Holdback(dt.date(2026, 7, 1), D("100.00")),  # Q3: settled by the September run
            r.Holdback(dt.date(2026, 10, 1), D("250.50")),  # Q4: not yet
        ],
        settled_quarter_ends={dt.date(2026, 9, 1)},
        pending_adjustments=[(dt.date(2026, 11, 1), D("-50"))],
        charges=D("300"),
    )
    assert pos.owed == D("7537.02") and pos.withheld == D("250.50")
    assert pos.adjustments == D("-50.00") and pos.charges == D("300.00")
    assert [h["month"] for h in pos.detail["holdbacks"]] == ["2026-10-01"]
    assert not pos.clear and len(pos.fingerprint) == 64


def test_the_pay_fingerprint_changes_with_the_position_only():
    def pos(amount):
        return r.pay_position(
            unsigned=[r.UnsignedRun(1, dt.date(2026, 9, 1), 1, "computed", D(amount))],
            holdbacks=[],
            settled_quarter_ends=set(),
        )

    assert pos("10.00").fingerprint == pos("10.004").fingerprint
    assert pos("10.00").fingerprint != pos("10.01").fingerprint
    assert r.pay_position(unsigned=[], holdbacks=[], settled_quarter_ends=set()).clear


def test_quarter_last_month():
    assert r.quarter_last_month(dt.date(2026, 1, 1)) == dt.date(2026, 3, 1)
    assert r.quarter_last_month(dt.date(2026, 12, 1)) == dt.date(2026, 12, 1)


def test_holdings_sentence():
    with override("en"):
        assert r.holdings_sentence({"asset": 1, "client": 3, "followup": 0, "visit": 2}) == (
            "1 asset, 3 clients, 2 planned visits"
        )
        assert r.holdings_sentence({}) == ""
