"""Factories for the organisation, and ``build_org``: two branches in two regions with a
team each, and a login for every role the permission tests exercise."""

import datetime as dt
from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model

from brokerdesk.access.models import RoleAssignment
from brokerdesk.access.roles import Role
from brokerdesk.core.validators import id_check_char
from brokerdesk.org.models import (
    Branch,
    CooperationAgreement,
    Department,
    Level,
    Outlet,
    PartnerBank,
    Region,
    Staff,
    StaffAssignment,
    Team,
)
from brokerdesk.org.rules import name_pinyin, pinyin_search_keys

PASSWORD = "correct-horse-42"


def make_id_number(n: int, area: str = "110101") -> str:
    first17 = f"{area}1990{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"R{n:02d}")
    name = factory.Sequence(lambda n: f"地区{n}")


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}营业部")
    city = "北京"


class BankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerBank

    code = factory.Sequence(lambda n: f"BK{n}")
    name = factory.Sequence(lambda n: f"合作银行{n}")
    short_name = factory.Sequence(lambda n: f"银行{n}")


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    branch = factory.SubFactory(BranchFactory)
    partner_bank = factory.SubFactory(BankFactory)
    name = factory.Sequence(lambda n: f"网点{n}")
    address = "长安街1号"
    opens_at = dt.time(9, 0)
    closes_at = dt.time(17, 0)
    weekdays = "12345"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    branch = factory.SubFactory(BranchFactory)
    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"营销{n}部")
    founded_on = dt.date(2024, 1, 1)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        skip_postgeneration_save = True

    emp_no = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    gender = Staff.Gender.MALE
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    id_number = factory.Sequence(make_id_number)
    employment_type = Staff.EmploymentType.FULL_TIME
    position = Staff.Position.CLIENT_MANAGER
    status = Staff.Status.ACTIVE
    branch = factory.SubFactory(BranchFactory)
    hired_on = dt.date(2025, 3, 1)
    name_pinyin = factory.LazyAttribute(lambda o: name_pinyin(o.name))
    pinyin_keys = factory.LazyAttribute(lambda o: pinyin_search_keys(o.name))

    @factory.post_generation
    def placement(obj, create, extracted, **kwargs):
        if create:
            StaffAssignment.objects.create(
                staff=obj,
                branch=obj.branch,
                team=obj.team,
                outlet=obj.outlet,
                regional_manager=obj.regional_manager,
                starts_on=obj.hired_on or dt.date(2025, 1, 1),
            )


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationAgreement

    bank = factory.SubFactory(BankFactory)
    branch = factory.SubFactory(BranchFactory)
    year = 2026
    title = "2026年度营销合作协议"
    starts_on = dt.date(2026, 1, 1)
    ends_on = dt.date(2026, 12, 31)


def grant(user, role: str, **anchor) -> None:
    RoleAssignment.objects.create(user=user, role=role, **anchor)


def login(username: str, role: str | None = None, staff: Staff | None = None, **anchor):
    user = UserFactory(username=username)
    if role:
        grant(user, role, **anchor)
    if staff is not None:
        Staff.objects.filter(pk=staff.pk).update(user=user)
        staff.user = user
    return user


def build_org() -> SimpleNamespace:
    """Two regions, a branch in each, two teams in the first branch and one in the second.

    People (``o.staff``) and logins (``o.users``):
    - cm (张三, owner) and cm_peer in team A, both under regional manager rm;
    - cm_b (李四) in team B of the same branch; lead_a leads team A;
    - outsider (王五), a client manager in the other branch;
    - manager, deputy manager, accountant, trade post and asset keeper of branch 1 (and an
      asset keeper of branch 2), channel management
      and HR (company), region head of region 1, and the system administrator (no data scope).
    """
    from brokerdesk.core.tests.migration_data import restore_migration_data

    restore_migration_data()
    levels = [
        Level.objects.create(code=f"L{i}", name=n, rank=i) for i, n in enumerate(["见习", "初级", "中级"], 1)
    ]
    r1 = RegionFactory(code="BJ", name="北京")
    r2 = RegionFactory(code="SH", name="上海")
    b1 = BranchFactory(region=r1, code="BJ01", name="北京金融街营业部", city="北京")
    b2 = BranchFactory(region=r2, code="SH01", name="上海陆家嘴营业部", city="上海")
    Department.objects.create(kind=Department.Kind.HR, name="人力资源部")
    bank = BankFactory(code="ICBC", name="中国工商银行", short_name="工商银行")
    o1 = OutletFactory(branch=b1, partner_bank=bank, name="工商银行金融街支行")
    o1b = OutletFactory(branch=b1, partner_bank=bank, name="工商银行西单支行")
    o2 = OutletFactory(branch=b2, partner_bank=bank, name="工商银行陆家嘴支行")
    team_a = TeamFactory(branch=b1, code="BJ01T01", name="金融街一部")
    team_b = TeamFactory(branch=b1, code="BJ01T02", name="金融街二部")
    team_c = TeamFactory(branch=b2, code="SH01T01", name="陆家嘴一部")
    lead_a = StaffFactory(name="赵六", branch=b1, team=team_a, outlet=o1, position=Staff.Position.TEAM_LEAD)
    team_a.lead = lead_a
    team_a.save(update_fields=["lead"])
    rm = StaffFactory(
        name="钱七", branch=b1, team=team_a, outlet=o1, position=Staff.Position.REGIONAL_MANAGER
    )
    cm = StaffFactory(
        name="张三",
        branch=b1,
        team=team_a,
        outlet=o1,
        regional_manager=rm,
        level=levels[1],
        emp_no="BJ0001",
        mobile="13812345678",
        id_number=make_id_number(501, area="310101"),
    )
    cm_peer = StaffFactory(
        name="孙八", branch=b1, team=team_a, outlet=o1b, regional_manager=rm, level=levels[0]
    )
    cm_b = StaffFactory(name="李四", branch=b1, team=team_b, outlet=o1b, level=levels[2])
    outsider = StaffFactory(name="王五", branch=b2, team=team_c, outlet=o2, emp_no="SH0001")
    manager = StaffFactory(name="周九", branch=b1, position=Staff.Position.BRANCH_MANAGER)
    agreement_1 = AgreementFactory(bank=bank, branch=b1)
    agreement_1.outlets.set([o1, o1b])
    agreement_2 = AgreementFactory(bank=bank, branch=b2)
    agreement_2.outlets.set([o2])

    users = SimpleNamespace(
        cm=login("cm", Role.CLIENT_MANAGER, cm),
        cm_peer=login("cm_peer", Role.CLIENT_MANAGER, cm_peer),
        cm_b=login("cm_b", Role.CLIENT_MANAGER, cm_b),
        outsider=login("outsider", Role.CLIENT_MANAGER, outsider),
        rm=login("rm", Role.REGIONAL_MANAGER, rm),
        lead=login("lead", Role.TEAM_LEAD, lead_a, team=team_a),
        manager=login("manager", Role.BRANCH_MANAGER, manager, branch=b1),
        trade=login("trade", Role.TRADE_MANAGEMENT, branch=b1),
        keeper=login("keeper", Role.ASSET_KEEPER, branch=b1),
        keeper_b2=login("keeper_b2", Role.ASSET_KEEPER, branch=b2),
        accountant=login("accountant", Role.ACCOUNTANT, branch=b1),
        deputy=login("deputy", Role.DEPUTY_MANAGER, branch=b1),
        region=login("region", Role.REGION_HEAD, region=r1),
        channel=login("channel", Role.CHANNEL_MANAGEMENT),
        hr=login("hr", Role.COUNTERSIGN_DEPT),
        vp=login("vp", Role.VICE_PRESIDENT),
        sysadmin=login("sysadmin", Role.SYSADMIN),
        norole=login("norole"),
    )
    return SimpleNamespace(
        regions=SimpleNamespace(r1=r1, r2=r2),
        branches=SimpleNamespace(b1=b1, b2=b2),
        teams=SimpleNamespace(a=team_a, b=team_b, c=team_c),
        outlets=SimpleNamespace(o1=o1, o1b=o1b, o2=o2),
        bank=bank,
        agreements=SimpleNamespace(a1=agreement_1, a2=agreement_2),
        levels=levels,
        staff=SimpleNamespace(
            cm=cm, cm_peer=cm_peer, cm_b=cm_b, outsider=outsider, rm=rm, lead=lead_a, manager=manager
        ),
        users=users,
    )
