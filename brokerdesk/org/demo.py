"""Deterministic demo data: the same seed always gives the same organisation.

The "small" profile follows DESIGN.md (2 regional HQs, 24 branches, ~100 teams, ~600
client managers); "large" keeps the tree and grows the field force to 5,000 client
managers for benchmarks. Every row is written in bulk, with its history row.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from simple_history.utils import bulk_create_with_history

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

DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed for the demo on purpose

# (region code, region name, [(branch code, branch name, city, ID-number area code, street names)])
REGIONS = [
    (
        "BJ",
        "北京",
        [
            ("BJ01", "北京金融街营业部", "北京", "110102", ["金融大街", "复兴门内大街", "西单北大街"]),
            ("BJ02", "北京中关村营业部", "北京", "110108", ["中关村大街", "海淀南路", "学院路"]),
            ("BJ03", "北京朝阳门营业部", "北京", "110105", ["朝阳门外大街", "建国路", "东三环中路"]),
            ("TJ01", "天津南京路营业部", "天津", "120101", ["南京路", "解放北路", "友谊路"]),
            ("HE01", "石家庄中山路营业部", "石家庄", "130102", ["中山西路", "裕华路", "建设南大街"]),
            ("SX01", "太原迎泽营业部", "太原", "140106", ["迎泽大街", "府西街", "并州路"]),
            ("SD01", "济南泉城路营业部", "济南", "370102", ["泉城路", "经十路", "历山路"]),
            ("SD02", "青岛香港中路营业部", "青岛", "370202", ["香港中路", "山东路", "东海西路"]),
            ("LN01", "沈阳青年大街营业部", "沈阳", "210102", ["青年大街", "北京街", "三好街"]),
            ("LN02", "大连人民路营业部", "大连", "210202", ["人民路", "中山路", "五四路"]),
            ("JL01", "长春人民大街营业部", "长春", "220102", ["人民大街", "自由大路", "亚泰大街"]),
            ("HL01", "哈尔滨中央大街营业部", "哈尔滨", "230102", ["中央大街", "红军街", "中山路"]),
        ],
    ),
    (
        "SH",
        "上海",
        [
            ("SH01", "上海陆家嘴营业部", "上海", "310115", ["世纪大道", "浦东南路", "银城中路"]),
            ("SH02", "上海徐汇营业部", "上海", "310104", ["漕溪北路", "肇嘉浜路", "天钥桥路"]),
            ("SH03", "上海南京西路营业部", "上海", "310106", ["南京西路", "延安中路", "江宁路"]),
            ("JS01", "南京中山路营业部", "南京", "320102", ["中山路", "汉中路", "珠江路"]),
            ("JS02", "苏州工业园区营业部", "苏州", "320506", ["苏州大道", "星海街", "现代大道"]),
            ("ZJ01", "杭州庆春路营业部", "杭州", "330102", ["庆春路", "延安路", "解放路"]),
            ("ZJ02", "宁波中山东路营业部", "宁波", "330203", ["中山东路", "药行街", "百丈路"]),
            ("AH01", "合肥长江中路营业部", "合肥", "340103", ["长江中路", "金寨路", "徽州大道"]),
            ("FJ01", "福州五四路营业部", "福州", "350102", ["五四路", "八一七北路", "东街"]),
            ("FJ02", "厦门湖滨南路营业部", "厦门", "350203", ["湖滨南路", "厦禾路", "鹭江道"]),
            ("HB01", "武汉建设大道营业部", "武汉", "420103", ["建设大道", "解放大道", "中南路"]),
            ("HN01", "长沙五一大道营业部", "长沙", "430102", ["五一大道", "芙蓉中路", "解放西路"]),
        ],
    ),
]

BANKS = [
    ("ICBC", "中国工商银行", "工商银行"),
    ("CCB", "中国建设银行", "建设银行"),
    ("ABC", "中国农业银行", "农业银行"),
    ("BOC", "中国银行", "中国银行"),
    ("BOCOM", "交通银行", "交通银行"),
    ("CMB", "招商银行", "招商银行"),
    ("CIB", "兴业银行", "兴业银行"),
    ("CITIC", "中信银行", "中信银行"),
    ("SPDB", "上海浦东发展银行", "浦发银行"),
    ("CMBC", "中国民生银行", "民生银行"),
]

HEAD_OFFICE_DEPARTMENTS = [
    (Department.Kind.INTEGRATED_OFFICE, "经纪业务综合室"),
    (Department.Kind.CHANNEL, "渠道管理部"),
    (Department.Kind.COMPLIANCE, "合规部"),
    (Department.Kind.HR, "人力资源部"),
    (Department.Kind.FINANCE, "计划财务部"),
]
BRANCH_DEPARTMENTS = [
    (Department.Kind.FINANCE, "财务部"),
    (Department.Kind.TRADE_MANAGEMENT, "交易管理岗"),
    (Department.Kind.OTHER, "综合部"),
]

LEVELS = [
    ("L1", "见习客户经理", 1),
    ("L2", "初级客户经理", 2),
    ("L3", "中级客户经理", 3),
    ("L4", "高级客户经理", 4),
    ("L5", "资深客户经理", 5),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉萍红鹏飞辉丹宇浩凯健俊帆帅旭宁欣悦晨思雨佳琪嘉怡梓涵子轩博文晓东海波"
    "志斌建国庆春燕玲婷倩雪琳颖晶慧蕾璐瑶瑞航亮成康乐安家豪天翔振宏德鑫睿泽琦昊然"
)
TEAM_WORDS = ["一部", "二部", "三部", "四部", "五部", "六部", "七部", "八部"]

PROFILES = {"small": 600, "large": 5000}


@dataclass
class DemoLogin:
    username: str
    role: str
    who: str


class DemoBuilder:
    def __init__(self, *, seed: int, client_managers: int, today: dt.date):
        self.rng = random.Random(seed)
        self.client_managers = client_managers
        self.today = today
        self.used_names: set[str] = set()
        self.id_seq = 0
        self.emp_seq = 0
        self.staff: list[Staff] = []

    # --- people -------------------------------------------------------------------------

    def person_name(self) -> str:
        for _ in range(50):
            surname = self.rng.choice(SURNAMES)
            given = "".join(self.rng.choice(GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2, 2))))
            name = surname + given
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        return name  # duplicates of names are allowed in real life

    def id_number(self, area: str, gender: str) -> str:
        self.id_seq += 1
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=self.rng.randint(0, 365 * 32))
        seq = self.id_seq % 500 * 2 + (1 if gender == Staff.Gender.MALE else 0)
        first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
        return first17 + id_check_char(first17)

    def mobile(self) -> str:
        prefix = self.rng.choice(
            ["135", "136", "137", "138", "139", "150", "151", "152", "158", "186", "187", "188"]
        )
        return prefix + f"{self.rng.randint(0, 99_999_999):08d}"

    def new_staff(self, *, branch, area, position, team=None, outlet=None, level=None, **extra) -> Staff:
        self.emp_seq += 1
        gender = self.rng.choice([Staff.Gender.MALE, Staff.Gender.FEMALE])
        name = self.person_name()
        hired = self.today - dt.timedelta(days=self.rng.randint(30, 365 * 8))
        staff = Staff(
            emp_no=f"{branch.code}{self.emp_seq:05d}",
            name=name,
            name_pinyin=name_pinyin(name),
            pinyin_keys=pinyin_search_keys(name),
            gender=gender,
            mobile=self.mobile(),
            id_number=self.id_number(area, gender),
            employment_type=extra.pop("employment_type", Staff.EmploymentType.FULL_TIME),
            position=position,
            level=level,
            status=extra.pop("status", Staff.Status.ACTIVE),
            branch=branch,
            team=team,
            outlet=outlet,
            hired_on=hired,
            **extra,
        )
        self.staff.append(staff)
        return staff

    # --- the tree -----------------------------------------------------------------------

    @transaction.atomic
    def build(self) -> None:
        rng = self.rng
        levels = [Level(code=c, name=n, rank=r) for c, n, r in LEVELS]
        bulk_create_with_history(levels, Level)
        levels = list(Level.objects.order_by("rank"))
        banks = bulk_create_with_history(
            [PartnerBank(code=c, name=n, short_name=s) for c, n, s in BANKS], PartnerBank
        )
        banks = list(PartnerBank.objects.order_by("code"))
        bulk_create_with_history([Department(kind=k, name=n) for k, n in HEAD_OFFICE_DEPARTMENTS], Department)
        regions, branches, areas, streets = [], [], {}, {}
        for rcode, rname, _branch_rows in REGIONS:
            regions.append(Region(code=rcode, name=rname))
        bulk_create_with_history(regions, Region)
        region_by_code = {r.code: r for r in Region.objects.all()}
        for rcode, _rname, branch_rows in REGIONS:
            for bcode, bname, city, area, street_names in branch_rows:
                branches.append(
                    Branch(
                        region=region_by_code[rcode],
                        code=bcode,
                        name=bname,
                        city=city,
                        address=f"{city}市{street_names[0]}{rng.randint(1, 300)}号",
                    )
                )
                areas[bcode] = area
                streets[bcode] = street_names
        bulk_create_with_history(branches, Branch)
        branches = list(Branch.objects.order_by("pk"))
        bulk_create_with_history(
            [Department(branch=b, kind=k, name=n) for b in branches for k, n in BRANCH_DEPARTMENTS],
            Department,
        )
        departments = {(d.branch_id, d.kind): d for d in Department.objects.all()}

        # Outlets: a dozen per branch, mostly partner-bank outlets with bank hours.
        outlets = []
        for bi, b in enumerate(branches):
            # Indexes, never primary keys: PostgreSQL sequences differ between runs.
            for i in range(12):
                bank = banks[(i + bi) % len(banks)] if i < 11 else None
                street = streets[b.code][i % 3]
                if bank:
                    name = f"{bank.short_name}{b.city}{street}支行"
                    opens, closes = (
                        (dt.time(9, 0), dt.time(17, 0)) if i % 3 else (dt.time(8, 30), dt.time(16, 30))
                    )
                    weekdays = "123456" if i % 4 == 0 else "12345"
                else:
                    name = f"{b.name}本部"
                    opens, closes, weekdays = dt.time(9, 0), dt.time(17, 0), "12345"
                if any(o.name == name and o.branch_id == b.pk for o in outlets):
                    name = name.replace("支行", f"第{i}支行")
                outlets.append(
                    Outlet(
                        branch=b,
                        partner_bank=bank,
                        name=name,
                        address=f"{b.city}市{street}{rng.randint(1, 500)}号",
                        opens_at=opens,
                        closes_at=closes,
                        weekdays=weekdays,
                    )
                )
        bulk_create_with_history(outlets, Outlet)
        outlets_by_branch: dict[int, list[Outlet]] = {}
        for o in Outlet.objects.order_by("pk"):
            outlets_by_branch.setdefault(o.branch_id, []).append(o)

        # Agreements: this year's and last year's with each bank a branch works with.
        agreements, agreement_outlets = [], []
        for b in branches:
            by_bank: dict[int, list[Outlet]] = {}
            for o in outlets_by_branch[b.pk]:
                if o.partner_bank_id:
                    by_bank.setdefault(o.partner_bank_id, []).append(o)
            for bank_id, bank_outlets in sorted(by_bank.items()):
                for year in (self.today.year - 1, self.today.year):
                    a = CooperationAgreement(
                        bank_id=bank_id,
                        branch=b,
                        year=year,
                        title=f"{year}年度营销合作协议",
                        starts_on=dt.date(year, 1, 1),
                        ends_on=dt.date(year, 12, 31),
                        terms="双方在网点驻点、客户转介、联合营销活动方面开展合作；驻点客户经理遵守网点作息及管理规定。",
                    )
                    agreements.append(a)
                    agreement_outlets.append(bank_outlets)
        bulk_create_with_history(agreements, CooperationAgreement)
        saved_agreements = list(CooperationAgreement.objects.order_by("pk"))
        through = CooperationAgreement.outlets.through
        through.objects.bulk_create(
            [
                through(cooperationagreement_id=a.pk, outlet_id=o.pk)
                for a, outs in zip(saved_agreements, agreement_outlets, strict=True)
                for o in outs
            ]
        )

        # Teams: about 100 for 600 client managers (six each), spread over the branches.
        team_count = max(len(branches), round(self.client_managers / 6))
        teams = []
        for i in range(team_count):
            b = branches[i % len(branches)]
            n = i // len(branches)
            word = TEAM_WORDS[n] if n < len(TEAM_WORDS) else f"{n + 1}部"
            teams.append(
                Team(
                    branch=b,
                    code=f"{b.code}T{n + 1:02d}",
                    name=f"{b.city}营销{word}",
                    founded_on=self.today - dt.timedelta(days=rng.randint(200, 3000)),
                    status=Team.Status.ACTIVE,
                )
            )
        bulk_create_with_history(teams, Team)
        teams = list(Team.objects.select_related("branch").order_by("pk"))

        # Branch management and back office.
        management = {}
        for b in branches:
            area = areas[b.code]
            management[b.pk] = {
                "manager": self.new_staff(branch=b, area=area, position=Staff.Position.BRANCH_MANAGER),
                "deputy": self.new_staff(branch=b, area=area, position=Staff.Position.DEPUTY_MANAGER),
                "accountant": self.new_staff(
                    branch=b,
                    area=area,
                    position=Staff.Position.ACCOUNTANT,
                    department=departments[(b.pk, Department.Kind.FINANCE)],
                ),
                "trade": self.new_staff(
                    branch=b,
                    area=area,
                    position=Staff.Position.BACK_OFFICE,
                    department=departments[(b.pk, Department.Kind.TRADE_MANAGEMENT)],
                ),
            }
        # Leads and regional managers first, so client managers can point at them.
        leads, rms = {}, {}
        for t in teams:
            area = areas[t.branch.code]
            branch_outlets = outlets_by_branch[t.branch_id]
            leads[t.pk] = self.new_staff(
                branch=t.branch,
                area=area,
                position=Staff.Position.TEAM_LEAD,
                team=t,
                outlet=branch_outlets[-1],
                level=levels[4],
            )
            rms[t.pk] = self.new_staff(
                branch=t.branch,
                area=area,
                position=Staff.Position.REGIONAL_MANAGER,
                team=t,
                outlet=rng.choice(branch_outlets),
                level=levels[3],
            )
        bulk_create_with_history(self.staff, Staff, default_change_reason="演示数据")
        saved = {s.emp_no: s for s in Staff.objects.filter(emp_no__in=[s.emp_no for s in self.staff])}
        for t in teams:
            t.lead = saved[leads[t.pk].emp_no]
        Team.objects.bulk_update(teams, ["lead"])
        placed = list(saved.values())

        # Client managers: six or so per team, some part-time, a few on probation.
        self.staff = []
        for i in range(self.client_managers):
            t = teams[i % len(teams)]
            area = areas[t.branch.code]
            part_time = rng.random() < 0.15
            status = Staff.Status.PROBATION if rng.random() < 0.06 else Staff.Status.ACTIVE
            level = levels[0] if status == Staff.Status.PROBATION else rng.choice(levels[:4])
            self.new_staff(
                branch=t.branch,
                area=area,
                position=Staff.Position.CLIENT_MANAGER,
                team=t,
                outlet=rng.choice(outlets_by_branch[t.branch_id][:11]),
                level=level,
                status=status,
                employment_type=Staff.EmploymentType.PART_TIME
                if part_time
                else Staff.EmploymentType.FULL_TIME,
                regional_manager=saved[rms[t.pk].emp_no],
            )
        # A few who left (about 2 %, spread over the teams), so status filters show something.
        for s in self.staff:
            if rng.random() < 0.02:
                s.status = Staff.Status.LEFT
                s.left_on = max(s.hired_on, self.today - dt.timedelta(days=rng.randint(5, 90)))
        bulk_create_with_history(self.staff, Staff, batch_size=1000, default_change_reason="演示数据")
        placed += list(Staff.objects.filter(emp_no__in=[s.emp_no for s in self.staff]))
        StaffAssignment.objects.bulk_create(
            [
                StaffAssignment(
                    staff=s,
                    branch_id=s.branch_id,
                    team_id=s.team_id,
                    outlet_id=s.outlet_id,
                    regional_manager_id=s.regional_manager_id,
                    starts_on=s.hired_on,
                    ends_on=s.left_on,
                    reason="入职",
                )
                for s in placed
            ],
            batch_size=1000,
        )
        self._logins(branches, teams, management, region_by_code)

    def _logins(self, branches, teams, management, region_by_code) -> None:
        User = get_user_model()
        first_branch = branches[0]
        first_team = teams[0]
        cms = list(
            Staff.objects.filter(
                team=first_team, position=Staff.Position.CLIENT_MANAGER, status=Staff.Status.ACTIVE
            ).order_by("emp_no")
        )
        other_team_cm = (
            Staff.objects.filter(
                branch=branches[1], position=Staff.Position.CLIENT_MANAGER, status=Staff.Status.ACTIVE
            )
            .order_by("emp_no")
            .first()
        )
        m = {k: Staff.objects.get(emp_no=v.emp_no) for k, v in management[first_branch.pk].items()}
        hr = Department.objects.get(branch__isnull=True, kind=Department.Kind.HR)
        rows = [
            ("cm", Role.CLIENT_MANAGER, {}, cms[0]),
            ("cm2", Role.CLIENT_MANAGER, {}, other_team_cm),
            ("rm", Role.REGIONAL_MANAGER, {}, cms[0].regional_manager),
            ("lead", Role.TEAM_LEAD, {"team": first_team}, first_team.lead),
            ("manager", Role.BRANCH_MANAGER, {"branch": first_branch}, m["manager"]),
            ("deputy", Role.DEPUTY_MANAGER, {"branch": first_branch}, m["deputy"]),
            ("accountant", Role.ACCOUNTANT, {"branch": first_branch}, m["accountant"]),
            ("trade", Role.TRADE_MANAGEMENT, {"branch": first_branch}, m["trade"]),
            ("keeper", Role.ASSET_KEEPER, {"branch": first_branch}, None),
            ("recorder", Role.ATTENDANCE_RECORDER, {"branch": first_branch}, None),
            ("region", Role.REGION_HEAD, {"region": region_by_code["BJ"]}, None),
            ("office", Role.INTEGRATED_OFFICE, {}, None),
            ("channel", Role.CHANNEL_MANAGEMENT, {}, None),
            ("hr", Role.COUNTERSIGN_DEPT, {"department": hr}, None),
            ("vp", Role.VICE_PRESIDENT, {}, None),
        ]
        for username, role, anchor, staff in rows:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
            RoleAssignment.objects.create(user=user, role=role, **anchor)
            if staff is not None:
                Staff.objects.filter(pk=staff.pk).update(user=user)
        User.objects.create_superuser(username="admin", password=DEMO_PASSWORD)
        admin = User.objects.get(username="admin")
        RoleAssignment.objects.create(user=admin, role=Role.SYSADMIN)


def build_demo(*, seed: int, profile: str, today: dt.date | None = None) -> None:
    from django.utils import timezone

    DemoBuilder(seed=seed, client_managers=PROFILES[profile], today=today or timezone.localdate()).build()


def demo_logins() -> list[DemoLogin]:
    """The demo logins present in the database, with their roles and people."""
    rows = RoleAssignment.objects.all().select_related("user", "user__staff").order_by("user_id")
    logins = []
    for ra in rows:
        staff = getattr(ra.user, "staff", None)
        logins.append(DemoLogin(ra.user.username, str(ra.get_role_display()), staff.name if staff else ""))
    return logins
