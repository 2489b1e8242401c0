"""The register, the ledger and its derived stock (第十三条), through the services."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from brokerdesk.assets import selectors_assets as sel
from brokerdesk.assets import services_assets as svc
from brokerdesk.assets.models_assets import Asset, Holding, LedgerLine
from brokerdesk.assets.tests.factories_assets import register

pytestmark = pytest.mark.django_db


def _cached(asset):
    asset.refresh_from_db()
    held = dict(Holding.objects.filter(asset=asset).values_list("staff_id", "quantity"))
    out = {"store": asset.on_hand} if asset.on_hand else {}
    out.update(held)
    return out


def test_register_puts_the_opening_quantity_in_store(org):
    asset = register(org, quantity=200)
    assert asset.on_hand == 200 and asset.quantity == 200 and asset.status == "in_store"
    line = LedgerLine.objects.get(asset=asset)
    assert (line.kind, line.source, line.target, line.quantity) == ("receive", "outside", "store", 200)
    assert sel.ledger_balances(asset) == {"store": 200}


def test_issue_return_transfer_follow_the_ledger(org):
    s = org.staff
    leaflets = register(org, quantity=100)
    svc.asset_pass(actor=org.users.keeper, asset=leaflets, from_staff=None, to_staff=s.cm, quantity=30)
    svc.asset_pass(actor=org.users.keeper, asset=leaflets, from_staff=s.cm, to_staff=s.cm_peer, quantity=10)
    svc.asset_pass(actor=org.users.keeper, asset=leaflets, from_staff=s.cm_peer, to_staff=None, quantity=4)
    svc.asset_move(
        actor=org.users.keeper,
        asset=leaflets,
        kind="dispatch",
        from_staff=s.cm,
        quantity=5,
        reason="客户活动发放",
    )
    expected = {"store": 74, s.cm.pk: 15, s.cm_peer.pk: 6}
    assert sel.ledger_balances(leaflets) == expected == _cached(leaflets)
    leaflets.refresh_from_db()
    assert leaflets.quantity == 95 and leaflets.status == "issued" and leaflets.custodian_id is None
    assert {a.pk: q for a, q in sel.held_by(s.cm)} == {leaflets.pk: 15}
    assert sel.held_by_ledger(s.cm) == {leaflets.pk: 15}


def test_single_item_custodian_and_status(org):
    laptop = register(org)
    svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=None, to_staff=org.staff.cm)
    laptop.refresh_from_db()
    assert laptop.status == "issued" and laptop.custodian_id == org.staff.cm.pk
    svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=org.staff.cm, to_staff=None)
    laptop.refresh_from_db()
    assert laptop.status == "in_store" and laptop.custodian_id is None
    svc.asset_move(actor=org.users.keeper, asset=laptop, kind="dispose", reason="屏幕损坏无法维修")
    laptop.refresh_from_db()
    assert laptop.status == "disposed" and laptop.quantity == 0


def test_issuing_more_than_on_hand_is_refused_and_nothing_saved(org):
    leaflets = register(org, quantity=10)
    with pytest.raises(ValidationError) as e:
        svc.asset_pass(
            actor=org.users.keeper, asset=leaflets, from_staff=None, to_staff=org.staff.cm, quantity=11
        )
    assert "quantity" in e.value.message_dict
    assert LedgerLine.objects.filter(asset=leaflets).count() == 1
    assert _cached(leaflets) == {"store": 10}


def test_taking_back_more_than_a_person_holds_is_refused(org):
    leaflets = register(org, quantity=10)
    svc.asset_pass(actor=org.users.keeper, asset=leaflets, from_staff=None, to_staff=org.staff.cm, quantity=3)
    with pytest.raises(ValidationError) as e:
        svc.asset_pass(
            actor=org.users.keeper, asset=leaflets, from_staff=org.staff.cm, to_staff=None, quantity=4
        )
    assert "quantity" in e.value.message_dict


def test_a_single_item_is_not_issued_twice(org):
    laptop = register(org)
    svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=None, to_staff=org.staff.cm)
    with pytest.raises(ValidationError):
        svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=None, to_staff=org.staff.cm_peer)


def test_reversal_moves_the_quantity_back_and_the_line_stays(org):
    leaflets = register(org, quantity=50)
    line = svc.asset_pass(
        actor=org.users.keeper, asset=leaflets, from_staff=None, to_staff=org.staff.cm, quantity=20
    )
    rev = svc.line_reverse(actor=org.users.keeper, line=line, reason="数量录错")
    assert rev.reverses_id == line.pk and (rev.source, rev.target) == ("person", "store")
    assert _cached(leaflets) == {"store": 50} == sel.ledger_balances(leaflets)
    with pytest.raises(ValidationError):
        svc.line_reverse(actor=org.users.keeper, line=line, reason="again")
    with pytest.raises(ValidationError):
        line.reason = "changed"
        line.save()
    with pytest.raises(ValidationError):
        line.delete()
    assert LedgerLine.objects.count() == 3


def test_outlet_transfer_moves_the_register_entry(org):
    printer = register(org, category="office", description="打印机", outlet=org.outlets.o1)
    svc.asset_move(
        actor=org.users.keeper, asset=printer, kind="transfer", to_outlet=org.outlets.o1b, reason="网点调整"
    )
    printer.refresh_from_db()
    assert printer.outlet_id == org.outlets.o1b.pk and printer.on_hand == 1
    line = printer.lines.order_by("-id").first()
    assert (line.from_outlet_id, line.to_outlet_id) == (org.outlets.o1.pk, org.outlets.o1b.pk)
    svc.line_reverse(actor=org.users.keeper, line=line, reason="调错了")
    printer.refresh_from_db()
    assert printer.outlet_id == org.outlets.o1.pk


def test_other_branch_keeper_and_team_lead_cannot_move(org):
    laptop = register(org)
    for user in (org.users.keeper_b2, org.users.lead, org.users.cm):
        with pytest.raises(PermissionDenied):
            svc.asset_pass(actor=user, asset=laptop, from_staff=None, to_staff=org.staff.cm)
    with pytest.raises(PermissionDenied):
        register(org, keeper=org.users.keeper_b2)


def test_issue_to_someone_of_another_branch_is_refused(org):
    laptop = register(org)
    with pytest.raises(ValidationError) as e:
        svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=None, to_staff=org.staff.outsider)
    assert "to_staff" in e.value.message_dict


def test_tag_is_unique_per_branch_not_across(org):
    register(org, tag="PC-001")
    with pytest.raises(ValidationError) as e:
        register(org, tag="PC-001")
    assert "tag" in e.value.message_dict
    register(org, tag="PC-001", branch=org.branches.b2)
    assert Asset.objects.filter(tag="PC-001").count() == 2


def test_future_dates_refused(org):
    laptop = register(org)
    with pytest.raises(ValidationError) as e:
        svc.asset_pass(
            actor=org.users.keeper,
            asset=laptop,
            from_staff=None,
            to_staff=org.staff.cm,
            day=dt.date.today() + dt.timedelta(days=3),
        )
    assert "day" in e.value.message_dict


def test_cached_stock_equals_the_ledger_after_many_moves(org):
    import random

    rnd = random.Random(7)
    s = org.staff
    people = [s.cm, s.cm_peer, s.cm_b, s.lead]
    assets = [register(org, quantity=40) for _ in range(3)]
    for _ in range(60):
        a = rnd.choice(assets)
        a.refresh_from_db()
        holders = list(Holding.objects.filter(asset=a).values_list("staff_id", "quantity"))
        op = rnd.choice(["issue", "return", "transfer", "receive", "dispatch", "reverse"])
        try:
            if op == "issue":
                svc.asset_pass(
                    actor=org.users.keeper,
                    asset=a,
                    from_staff=None,
                    to_staff=rnd.choice(people),
                    quantity=rnd.randint(1, 8),
                )
            elif op == "return" and holders:
                sid, q = rnd.choice(holders)
                svc.asset_pass(
                    actor=org.users.keeper,
                    asset=a,
                    from_staff=s.cm.__class__.objects.get(pk=sid),
                    to_staff=None,
                    quantity=rnd.randint(1, q),
                )
            elif op == "transfer" and holders:
                sid, q = rnd.choice(holders)
                to = rnd.choice([p for p in people if p.pk != sid])
                svc.asset_pass(
                    actor=org.users.keeper,
                    asset=a,
                    from_staff=s.cm.__class__.objects.get(pk=sid),
                    to_staff=to,
                    quantity=rnd.randint(1, q),
                )
            elif op == "receive":
                svc.asset_move(
                    actor=org.users.keeper, asset=a, kind="receive", quantity=rnd.randint(1, 9), reason="补货"
                )
            elif op == "dispatch":
                svc.asset_move(
                    actor=org.users.keeper,
                    asset=a,
                    kind="dispatch",
                    quantity=rnd.randint(1, 5),
                    reason="活动发放",
                )
            elif op == "reverse":
                line = a.lines.filter(reversed_by__isnull=True).exclude(kind="reversal").order_by("?").first()
                if line is not None:
                    svc.line_reverse(actor=org.users.keeper, line=line, reason="冲销")
        except ValidationError:
            pass  # a refused move saves nothing; the check below covers that too
    for a in assets:
        assert sel.ledger_balances(a) == _cached(a)
        a.refresh_from_db()
        assert a.quantity == sum(sel.ledger_balances(a).values())


def test_search_follows_the_holders_and_the_register(org):
    laptop = register(org, tag="PC-777", description="笔记本电脑")

    def found(q):
        return set(sel.asset_list(user=org.users.keeper, filters={"q": q}).values_list("tag", flat=True))

    svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=None, to_staff=org.staff.cm)
    assert found("张三") == found("zs") == found("pc-777") == found("笔记本 zhangsan") == {"PC-777"}
    svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=org.staff.cm, to_staff=org.staff.cm_b)
    assert found("张三") == set() and found("李四") == {"PC-777"}
    svc.asset_update(actor=org.users.keeper, asset=laptop, description="台式电脑")
    assert found("台式") == {"PC-777"} and found("笔记本") == set()


def test_someone_who_moved_branch_can_still_give_back_what_they_hold(org):
    from brokerdesk.org.models import Staff

    laptop = register(org)
    svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=None, to_staff=org.staff.cm)
    Staff.objects.filter(pk=org.staff.cm.pk).update(branch=org.branches.b2, team=None, outlet=None)
    cm = Staff.objects.get(pk=org.staff.cm.pk)
    svc.asset_pass(actor=org.users.keeper, asset=laptop, from_staff=cm, to_staff=None)
    laptop.refresh_from_db()
    assert laptop.status == "in_store"
