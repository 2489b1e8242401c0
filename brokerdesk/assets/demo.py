"""Demo data for office assets."""

import datetime as dt
import random


def build(*, seed: int, today: dt.date) -> None:
    build_assets(seed=seed, today=today)
    build_handovers(seed=seed, today=today)


# --- Register, ledger and incidents (helper D) ----------------------------------------------------


def build_assets(*, seed: int, today: dt.date) -> None:
    """The first branch's register (the ``keeper`` login's), made through the services:

    - a laptop for each client manager of the first team (the demo ``cm`` among them) and a
      few in the store; printers at the outlets, one allocated to the team;
    - leaflets and gifts tracked by quantity, issued to several managers, some handed out
      to clients, one mistaken issue reversed;
    - incidents: a damaged laptop charged to a manager and approved by ``lead`` and
      ``manager`` (deducted in this month's pay), a lost box of leaflets charged to ``cm``
      waiting for ``lead``.
    """
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from brokerdesk.access.models import RoleAssignment
    from brokerdesk.access.roles import Role
    from brokerdesk.approvals import services as approvals
    from brokerdesk.assets import services_assets as svc
    from brokerdesk.assets.models_assets import Asset
    from brokerdesk.org.models import Branch, Outlet, Staff, Team

    User = get_user_model()
    keeper = User.objects.filter(username="keeper").first()
    if keeper is None or Asset.objects.exists():
        return
    branch_id = (
        RoleAssignment.objects.filter(user=keeper, role=Role.ASSET_KEEPER)
        .values_list("branch_id", flat=True)
        .first()
    )
    branch = Branch.objects.get(pk=branch_id)
    rng = random.Random(seed + 1113)
    teams = list(Team.objects.filter(branch=branch).order_by("code"))
    outlets = list(Outlet.objects.filter(branch=branch).order_by("name"))
    first_team = teams[0]
    managers = list(
        Staff.objects.filter(
            team=first_team, position=Staff.Position.CLIENT_MANAGER, status=Staff.Status.ACTIVE
        ).order_by("emp_no")
    )
    others = list(
        Staff.objects.filter(
            branch=branch, position=Staff.Position.CLIENT_MANAGER, status=Staff.Status.ACTIVE
        )
        .exclude(team=first_team)
        .order_by("emp_no")[:12]
    )
    bought = today.replace(year=today.year - 1, month=3, day=1)
    start = today - dt.timedelta(days=120)
    n = 0

    def tag(prefix: str) -> str:
        nonlocal n
        n += 1
        return f"{branch.code}-{prefix}-{n:04d}"

    def day(offset: int) -> dt.date:
        return start + dt.timedelta(days=offset)

    laptops = []
    for person in [*managers, *others[:4]]:
        laptop = svc.asset_register(
            actor=keeper,
            branch=branch,
            category=Asset.Category.COMPUTER,
            tag=tag("PC"),
            description="笔记本电脑",
            spec=rng.choice(["ThinkPad T14", "ThinkPad E14", "华为 MateBook 14"]),
            unit="台",
            value=Decimal(rng.choice(["5999.00", "6499.00", "6800.00"])),
            acquired_on=bought,
            team=person.team,
        )
        svc.asset_pass(
            actor=keeper,
            asset=laptop,
            from_staff=None,
            to_staff=person,
            day=day(rng.randint(0, 10)),
            reason="配发客户经理办公电脑",
        )
        laptops.append((laptop, person))
    for _i in range(3):
        svc.asset_register(
            actor=keeper,
            branch=branch,
            category=Asset.Category.COMPUTER,
            tag=tag("PC"),
            description="笔记本电脑",
            spec="ThinkPad E14",
            unit="台",
            value=Decimal("5999.00"),
            acquired_on=bought,
            reason="备用机入库",
        )
    for i, outlet in enumerate(outlets[:6]):
        svc.asset_register(
            actor=keeper,
            branch=branch,
            category=Asset.Category.OFFICE,
            tag=tag("PR"),
            description="激光打印机",
            spec="HP LaserJet M208",
            unit="台",
            value=Decimal("1580.00"),
            acquired_on=bought,
            outlet=outlet,
            team=first_team if i == 0 else None,
        )
    pads = svc.asset_register(
        actor=keeper,
        branch=branch,
        category=Asset.Category.OFFICE,
        tag=tag("PAD"),
        description="移动开户平板",
        spec="iPad 10",
        unit="台",
        value=Decimal("3299.00"),
        acquired_on=bought,
        outlet=outlets[0] if outlets else None,
    )
    if len(outlets) > 1:
        svc.asset_move(
            actor=keeper,
            asset=pads,
            kind="transfer",
            to_outlet=outlets[1],
            day=day(30),
            reason="网点开户业务调整",
        )
    leaflets = svc.asset_register(
        actor=keeper,
        branch=branch,
        category=Asset.Category.PROMOTIONAL,
        tag=tag("XC"),
        description="集合资产管理计划宣传折页",
        unit="份",
        value=Decimal("1.20"),
        acquired_on=start,
        quantity=2000,
        by_quantity=True,
    )
    gifts = svc.asset_register(
        actor=keeper,
        branch=branch,
        category=Asset.Category.PROMOTIONAL,
        tag=tag("LP"),
        description="客户答谢礼品（保温杯）",
        unit="个",
        value=Decimal("45.00"),
        acquired_on=start,
        quantity=120,
        by_quantity=True,
    )
    for person in [*managers, *others[:3]]:
        svc.asset_pass(
            actor=keeper,
            asset=leaflets,
            from_staff=None,
            to_staff=person,
            quantity=rng.choice([50, 100, 150]),
            day=day(40),
            reason="网点营销活动",
        )
        svc.asset_pass(
            actor=keeper,
            asset=gifts,
            from_staff=None,
            to_staff=person,
            quantity=rng.choice([5, 10]),
            day=day(41),
            reason="客户答谢",
        )
        svc.asset_move(
            actor=keeper,
            asset=leaflets,
            kind="dispatch",
            from_staff=person,
            quantity=rng.choice([20, 30, 40]),
            day=day(60),
            reason="网点活动向客户发放",
        )
    mistake = svc.asset_pass(
        actor=keeper,
        asset=gifts,
        from_staff=None,
        to_staff=managers[0],
        quantity=20,
        day=day(70),
        reason="客户答谢",
    )
    svc.line_reverse(actor=keeper, line=mistake, reason="数量登记错误（应为2个）", day=day(70))
    svc.asset_pass(
        actor=keeper,
        asset=gifts,
        from_staff=None,
        to_staff=managers[0],
        quantity=2,
        day=day(70),
        reason="客户答谢",
    )
    if len(managers) > 2:
        svc.asset_pass(
            actor=keeper,
            asset=leaflets,
            from_staff=managers[1],
            to_staff=managers[2],
            quantity=10,
            day=day(80),
            reason="同网点调剂",
        )
    svc.asset_move(actor=keeper, asset=leaflets, kind="receive", quantity=500, day=day(90), reason="补充印制")

    # Incidents (第十四条): an approved charge and one waiting for the lead.
    lead = User.objects.filter(username="lead").first()
    manager = User.objects.filter(username="manager").first()
    this_month = today.replace(day=1)
    if len(laptops) > 1 and lead and manager:
        laptop, person = laptops[1]
        incident = svc.incident_record(
            actor=keeper,
            asset=laptop,
            kind="damage",
            happened_on=today - dt.timedelta(days=20),
            description="外出拜访途中跌落，屏幕碎裂，维修费由本人承担一半。",
            responsible=person,
            amount=Decimal("600.00"),
            pay_month=this_month,
        )
        for user in (lead, manager):
            task = approvals.inbox(user).filter(request_id=incident.approval_id).first()
            if task is not None:
                approvals.task_act(actor=user, task=task, decision="approve", opinion="同意")
    cm = Staff.objects.filter(user__username="cm").first()
    if cm is not None and cm.branch_id == branch.pk:
        svc.incident_record(
            actor=keeper,
            asset=leaflets,
            kind="loss",
            happened_on=today - dt.timedelta(days=3),
            quantity=30,
            description="网点活动结束后宣传折页一箱遗失。",
            responsible=cm,
            amount=Decimal("36.00"),
            pay_month=this_month,
        )


# --- Departure and transfer handovers (helper E) --------------------------------------------------


def build_handovers(*, seed: int, today: dt.date) -> None:
    """Two handovers in the first branch (the ``trade`` login's), made through the services:

    - a completed transfer: a client manager holding no assets or archive items moved to
      another team, every client reassigned to the demo ``cm``, follow-ups and planned visits
      accepted by ``cm``, pay acknowledged by ``accountant``;
    - a departure under way for the demo login ``leaver`` (a client manager who is leaving):
      a few clients reassigned, one follow-up waiting for ``cm`` to accept, the rest to do.

    Built after the assets, so the leaver's checklist lists what they hold.
    """
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from brokerdesk.access.models import RoleAssignment
    from brokerdesk.access.roles import Role
    from brokerdesk.assets import selectors_handover as sel
    from brokerdesk.assets import services_handover as svc
    from brokerdesk.assets.models_handover import Handover, HandoverLine
    from brokerdesk.clients.models import Ownership
    from brokerdesk.org.demo import DEMO_PASSWORD
    from brokerdesk.org.models import Staff, Team

    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["trade", "accountant", "cm"])}
    if len(users) < 3 or Handover.objects.exists():
        return
    trade, accountant, cm_user = users["trade"], users["accountant"], users["cm"]
    branch_id = (
        RoleAssignment.objects.filter(user=trade, role=Role.TRADE_MANAGEMENT)
        .values_list("branch_id", flat=True)
        .first()
    )
    cm = Staff.objects.get(user=cm_user)
    day = timezone.localdate()  # the services date reassignments by the real calendar
    recent = Ownership.objects.filter(end__isnull=True, start__gte=day).values("client__manager_id")
    people = list(
        Staff.objects.filter(
            branch_id=branch_id,
            position=Staff.Position.CLIENT_MANAGER,
            status=Staff.Status.ACTIVE,
            user__isnull=True,
            team__isnull=False,
        )
        .exclude(pk=cm.pk)
        .exclude(pk__in=recent)
        .order_by("emp_no")
    )
    rng = random.Random(seed + 707)
    rng.shuffle(people)
    mover = next((p for p in people if not sel.held_assets(p) and not sel.custody_entries(p).exists()), None)
    if mover is not None:
        other_team = (
            Team.objects.filter(branch_id=branch_id).exclude(pk=mover.team_id).order_by("code").first()
        )
        if other_team is not None:
            h = svc.handover_start(
                actor=trade,
                staff=mover,
                kind=Handover.Kind.TRANSFER,
                effective_on=day + dt.timedelta(days=1),
                reason="调往" + other_team.name,
                to_branch=other_team.branch,
                to_team=other_team,
            )
            for line in h.lines.filter(status=HandoverLine.Status.OPEN).order_by("pk"):
                if line.kind == HandoverLine.Kind.CLIENT:
                    svc.client_reassign(
                        actor=trade, line=line, to=cm, effective_on=day, notified_on=day, notified_how="phone"
                    )
                elif line.kind in (HandoverLine.Kind.FOLLOWUP, HandoverLine.Kind.VISIT):
                    svc.line_assign(actor=trade, line=line, receiver=cm)
                    svc.line_confirm(actor=cm_user, line=line, side="receiver")
                elif line.kind == HandoverLine.Kind.PAY:
                    svc.pay_acknowledge(actor=accountant, line=line, note="已核对：当月薪酬随下月发放")
            svc.handover_complete(actor=trade, handover=h)
    leaver = next((p for p in people if p != mover), None)
    if leaver is None:
        return
    user = User.objects.create_user(username="leaver", password=DEMO_PASSWORD)
    RoleAssignment.objects.create(user=user, role=Role.CLIENT_MANAGER)
    Staff.objects.filter(pk=leaver.pk).update(user=user)
    leaver.user = user
    h = svc.handover_start(
        actor=trade,
        staff=leaver,
        kind=Handover.Kind.DEPARTURE,
        effective_on=day + dt.timedelta(days=14),
        reason="个人原因离职",
    )
    for line in h.lines.filter(kind=HandoverLine.Kind.CLIENT).order_by("pk")[:3]:
        svc.client_reassign(
            actor=trade, line=line, to=cm, effective_on=day, notified_on=day, notified_how="visit"
        )
    waiting = h.lines.filter(kind=HandoverLine.Kind.FOLLOWUP).order_by("pk").first()
    if waiting is not None:
        svc.line_assign(actor=trade, line=waiting, receiver=cm)
