"""Demo clients and client service: about 50 clients per client manager, written in bulk but
exactly as the services would leave them (pinyin keys, last four digits of the phone, valid
ID numbers and credit codes, one open ownership per client from its opening day, gap-free
confirmation-form numbers matching their serial counters, tiers from the figures), plus a
few hundred visits, overlaps, follow-ups in every state and inquiries, mostly in the first
branch so that the demo logins ``cm``, ``lead`` and ``manager`` have something to work on.

The large profile (5,000 client managers) gets 5 clients per manager instead of 50, so the
demo stays quick; the client benchmark builds its own million clients.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from brokerdesk.clients import rules, services
from brokerdesk.clients.models import (
    Client,
    ConfirmationBatch,
    ConfirmationForm,
    Figure,
    FollowUp,
    FollowUpEvent,
    Inquiry,
    InquiryEvent,
    Ownership,
    Visit,
    VisitOverlap,
)
from brokerdesk.core.models import SerialCounter
from brokerdesk.core.validators import CREDIT_CODE_CHARS, credit_code_check_char, id_check_char
from brokerdesk.org.demo import GIVEN_CHARS, SURNAMES
from brokerdesk.org.models import Branch, Department, Staff

PER_MANAGER = {"small": 50, "large": 5}
LARGE_FROM = 2000  # client managers from which the organisation is the large profile
SIGNED_COPY = "confirmations/demo/signed-sample.pdf"
SAMPLE_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"  # noqa: E501
COMPANY_WORDS = ["科技", "贸易", "实业", "投资", "制造", "物流", "医药", "建设", "文化", "电子"]
PURPOSES = ["季度例行回访", "新产品推介", "资产配置沟通", "账户风险提示", "开户后首次回访", "客户生日关怀"]
CONTENTS = [
    "介绍近期市场情况与公司研究观点，了解客户持仓结构。",
    "沟通两融业务开通条件及风险，客户表示考虑。",
    "协助客户完成风险测评更新，讲解适当性管理要求。",
    "推介新发公募基金，客户关注费率与封闭期。",
]
OPINIONS = ["对交易系统速度满意", "希望佣金再优惠", "对研究报告推送频率有意见", ""]
SUGGESTIONS = ["建议增加线上投教活动", "希望营业部延长周末服务时间", "", ""]
MATTERS = [
    ("trading", "客户反映交易软件行情刷新延迟"),
    ("account", "客户询问佣金费率调整进度"),
    ("product", "客户希望了解收益凭证购买渠道"),
    ("service", "客户反映电话热线等待时间过长"),
    ("complaint", "客户投诉转托管办理时间过长"),
    ("other", "客户咨询股东大会网络投票方式"),
]
TOPICS = ["咨询开户所需材料", "咨询科创板权限开通", "预约周末到网点开户", "咨询融资融券利率", "咨询基金定投"]


class _Numbers:
    """Client numbers, ID numbers, credit codes and phones, deterministic and unique."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seq = 0

    def client_no(self, branch_index: int) -> str:
        self.seq += 1
        return f"6{branch_index + 1:03d}{self.seq:07d}"

    def id_number(self, area: str) -> str:
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=self.rng.randint(0, 365 * 52))
        first17 = f"{area}{birth:%Y%m%d}{self.rng.randint(0, 999):03d}"
        return first17 + id_check_char(first17)

    def credit_code(self, area: str) -> str:
        org = "".join(self.rng.choice(CREDIT_CODE_CHARS) for _ in range(9))
        first17 = f"91{area}{org}"
        return first17 + credit_code_check_char(first17)

    def mobile(self) -> str:
        return (
            self.rng.choice(["135", "138", "139", "150", "158", "186", "188"])
            + f"{self.rng.randint(0, 10**8 - 1):08d}"
        )


def _name_pool(rng: random.Random, size: int) -> list[tuple[str, str, str]]:
    """(name, initials, full pinyin) of a pool of person names: pinyin is derived once per name."""
    pool, seen = [], set()
    while len(pool) < size:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
        if name in seen:
            continue
        seen.add(name)
        pool.append((name, *rules.pinyin_keys(name)))
    return pool


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _month(day: dt.date, back: int = 0) -> dt.date:
    m = day.year * 12 + day.month - 1 - back
    return dt.date(m // 12, m % 12 + 1, 1)


def build(*, seed: int, today: dt.date) -> None:
    rng = random.Random(seed + 21)
    User = get_user_model()
    managers = list(
        Staff.objects.filter(
            position=Staff.Position.CLIENT_MANAGER, status__in=[Staff.Status.ACTIVE, Staff.Status.PROBATION]
        )
        .select_related("team")
        .order_by("emp_no")
    )
    if not managers:
        return
    per_manager = PER_MANAGER["large" if len(managers) >= LARGE_FROM else "small"]
    branches = list(Branch.objects.order_by("pk"))
    branch_index = {b.pk: i for i, b in enumerate(branches)}
    areas = {b.pk: _area(b) for b in branches}
    by_branch: dict[int, list[Staff]] = {}
    for m in managers:
        by_branch.setdefault(m.branch_id, []).append(m)
    users = {
        u.username: u for u in User.objects.filter(username__in=["manager", "trade", "admin", "cm", "lead"])
    }
    fallback_user = users.get("trade") or users.get("admin") or User.objects.order_by("pk").first()
    numbers = _Numbers(rng)
    people = _name_pool(rng, 3000)
    companies = []
    for i in range(400):
        head = rng.choice("华中恒宏鑫瑞泰盛") + rng.choice(GIVEN_CHARS)
        name = f"{head}{COMPANY_WORDS[i % 10]}有限公司"
        companies.append((name, *rules.pinyin_keys(name)))

    # --- clients and their ownership periods ------------------------------------------------
    clients: list[Client] = []
    periods: list[tuple[int, int | None, dt.date]] = []  # (index, earlier manager or None, transfer day)
    earliest = today - dt.timedelta(days=3 * 365)
    for m in managers:
        peers = [p for p in by_branch[m.branch_id] if p.pk != m.pk]
        for _ in range(per_manager):
            institution = rng.random() < 0.08
            name, initials, full = rng.choice(companies if institution else people)
            area = areas[m.branch_id]
            # Newer accounts are more common: a quarter of them in the last 2 months.
            if rng.random() < 0.06:
                opened = today - dt.timedelta(days=rng.randint(0, 59))
            else:
                opened = earliest + dt.timedelta(days=rng.randint(0, (today - earliest).days - 60))
            mobile = numbers.mobile()
            c = Client(
                client_no=numbers.client_no(branch_index[m.branch_id]),
                kind=Client.Kind.INSTITUTION if institution else Client.Kind.INDIVIDUAL,
                name=name,
                pinyin_initials=initials,
                pinyin_full=full,
                id_number=numbers.credit_code(area) if institution else numbers.id_number(area),
                mobile=mobile,
                phone_last4=mobile[-4:],
                opened_on=opened,
                branch_id=m.branch_id,
                manager=m,
                source=rng.choice(
                    [Client.Source.OUTLET] * 5
                    + [Client.Source.REFERRAL, Client.Source.CAMPAIGN, Client.Source.WALK_IN]
                ),
                created_by=m.user if m.user_id else None,
            )
            if c.source == Client.Source.OUTLET:
                c.source_outlet_id = m.outlet_id
            clients.append(c)
            if peers and rng.random() < 0.05 and (today - opened).days > 90:
                transfer = opened + dt.timedelta(days=rng.randint(30, (today - opened).days - 30))
                periods.append((len(clients) - 1, rng.choice(peers).pk, transfer))
    # Figures of the last three months for a fifth of the clients: the client row carries the
    # latest month, as the figures services leave it; the tier follows from the rules below.
    months = [_month(today, back) for back in (3, 2, 1)]
    pending: list[tuple[int, list[tuple[dt.date, Decimal, Decimal]]]] = []
    for i, c in enumerate(clients):
        if rng.random() >= 0.2:
            continue
        base = Decimal(int(rng.lognormvariate(13.8, 1.3)))
        rows = []
        for month in months:
            if month < c.opened_on.replace(day=1):
                continue
            assets = (base * Decimal(str(round(rng.uniform(0.9, 1.1), 3)))).quantize(Decimal("0.01"))
            revenue = (assets * Decimal(str(round(rng.uniform(0.0005, 0.006), 5)))).quantize(Decimal("0.01"))
            rows.append((month, assets, revenue))
        if rows:
            c.figures_month, c.assets, c.revenue = rows[-1]
            pending.append((i, rows))
    Client.objects.bulk_create(clients, batch_size=2000)
    _history_of_new_rows(Client, "演示数据")
    saved = dict(Client.objects.values_list("client_no", "pk"))
    for c in clients:
        c.pk = saved[c.client_no]
    Figure.objects.bulk_create(
        [
            Figure(client_id=clients[i].pk, month=m, assets=a, revenue=r, source="import")
            for i, rows in pending
            for m, a, r in rows
        ],
        batch_size=5000,
    )
    _history_of_new_rows(Figure, "演示数据")
    transferred = {i: (earlier, day) for i, earlier, day in periods}
    ownerships = []
    for i, c in enumerate(clients):
        if i in transferred:
            earlier, day = transferred[i]
            ownerships.append(
                Ownership(
                    client_id=c.pk,
                    manager_id=earlier,
                    start=c.opened_on,
                    end=day,
                    reason=Ownership.Reason.NEW,
                )
            )
            ownerships.append(
                Ownership(
                    client_id=c.pk,
                    manager_id=c.manager_id,
                    start=day,
                    reason=Ownership.Reason.TRANSFER,
                    note="客户经理调整，客户重新分配",
                    created_by=fallback_user,
                )
            )
        else:
            ownerships.append(
                Ownership(
                    client_id=c.pk, manager_id=c.manager_id, start=c.opened_on, reason=Ownership.Reason.NEW
                )
            )
    Ownership.objects.bulk_create(ownerships, batch_size=5000)
    services.tier_recompute()

    # --- confirmation forms of the last two months -----------------------------------------
    _confirmations(rng, clients, branches, today, users, fallback_user)

    # --- visits, overlaps, follow-ups and inquiries (mostly the first branch) --------------
    first = branches[0]
    _service(rng, clients, by_branch, first, today, users, fallback_user)


def _history_of_new_rows(model, reason: str) -> None:
    """The "created" history rows of every row of ``model`` that has none, in one INSERT … SELECT
    (what ``bulk_create_with_history`` does, without building 30,000 objects twice)."""
    from django.db import connection

    history = model.history.model
    qn = connection.ops.quote_name
    skip = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
    cols = [f.column for f in history._meta.concrete_fields if f.column not in skip]
    col_sql = ", ".join(qn(c) for c in cols)
    src = ", ".join(f"t.{qn(c)}" for c in cols)
    table, htable, pk = model._meta.db_table, history._meta.db_table, model._meta.pk.column
    # Table and column names come from the models; the values are parameters.
    insert = f"INSERT INTO {qn(htable)} ({col_sql}, history_date, history_change_reason, history_type) "
    select = f"SELECT {src}, %s, %s, '+' FROM {qn(table)} t "  # noqa: S608
    unseen = f"WHERE NOT EXISTS (SELECT 1 FROM {qn(htable)} h WHERE h.{qn(pk)} = t.{qn(pk)})"  # noqa: S608
    sql = insert + select + unseen
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), reason])


def _area(branch: Branch) -> str:
    """An ID-number area code for the branch's city (the org demo's, by branch code)."""
    from brokerdesk.org.demo import REGIONS

    for _rcode, _rname, rows in REGIONS:
        for code, _name, _city, area, _streets in rows:
            if code == branch.code:
                return area
    return "110101"


def _confirmations(rng, clients, branches, today, users, fallback_user) -> None:
    this_month = _month(today)
    last_month = _month(today, 1)
    since = today - dt.timedelta(days=59)
    recent = sorted(
        (c for c in clients if c.opened_on >= since and c.opened_on >= last_month),
        key=lambda c: (c.branch_id, c.opened_on, c.client_no),
    )
    codes = {b.pk: b.code for b in branches}
    keys = sorted({(c.branch_id, c.opened_on.replace(day=1)) for c in recent})
    ConfirmationBatch.objects.bulk_create(
        [ConfirmationBatch(branch_id=b, month=m) for b, m in keys], batch_size=1000
    )
    batch_of = {(b.branch_id, b.month): b for b in ConfirmationBatch.objects.filter(month__gte=last_month)}
    # One past month is archived: the second branch's (all forms signed or void).
    closing = next((k for k in keys if k[1] == last_month and k[0] != branches[0].pk), None)
    if recent and not default_storage.exists(SIGNED_COPY):
        default_storage.save(SIGNED_COPY, ContentFile(SAMPLE_PDF))
    forms, counters = [], {}
    for c in recent:
        month = c.opened_on.replace(day=1)
        key = (c.branch_id, month)
        seq = counters.get(key, 0) + 1
        counters[key] = seq
        past = month < this_month
        roll = rng.random()
        if key == closing:
            status = ConfirmationForm.Status.VOID if roll < 0.05 else ConfirmationForm.Status.SIGNED
        elif past:
            status = (
                ConfirmationForm.Status.SIGNED
                if roll < 0.85
                else ConfirmationForm.Status.VOID
                if roll < 0.9
                else ConfirmationForm.Status.ISSUED
            )
        else:
            status = ConfirmationForm.Status.SIGNED if roll < 0.35 else ConfirmationForm.Status.ISSUED
        issued_by = c.created_by or fallback_user
        f = ConfirmationForm(
            serial_no=services.format_serial(services.CONFIRMATION_PREFIX, codes[c.branch_id], month, seq),
            branch_id=c.branch_id,
            month=month,
            sequence=seq,
            batch=batch_of[key],
            client_id=c.pk,
            manager_id=c.manager_id,
            client_name=c.name,
            client_no=c.client_no,
            opened_on=c.opened_on,
            source=str(Client.Source(c.source).label),
            issued_by=issued_by,
            status=status,
        )
        if status == ConfirmationForm.Status.SIGNED:
            f.signed_copy = SIGNED_COPY
            f.signed_copy_name = "确认单扫描件.pdf"
            f.signed_at = _aware(min(today, c.opened_on + dt.timedelta(days=rng.randint(1, 10))), 15)
            f.signed_by = users.get("trade") or fallback_user
        elif status == ConfirmationForm.Status.VOID:
            f.void_reason = "客户信息录入有误，重新出具"
        forms.append(f)
    bulk_create_with_history(forms, ConfirmationForm, batch_size=2000, default_change_reason="演示数据")
    # Issued on the account-opening day, not at seeding time.
    saved = {
        f.serial_no: f for f in ConfirmationForm.objects.filter(month__gte=last_month).only("pk", "serial_no")
    }
    for f in forms:
        f.pk = saved[f.serial_no].pk
        f.issued_at = _aware(f.opened_on, 11)
    ConfirmationForm.objects.bulk_update(forms, ["issued_at"], batch_size=2000)
    SerialCounter.objects.bulk_create(
        [
            SerialCounter(kind=services.CONFIRMATION_KIND, branch_id=b, month=m, value=v)
            for (b, m), v in sorted(counters.items())
        ]
    )
    for b, m in counters:
        batch = batch_of[(b, m)]
        if (b, m) == closing:
            batch.closed_at = _aware(this_month + dt.timedelta(days=2), 17)
            batch.closed_by = users.get("trade") or fallback_user
            batch.note = "上月确认单已全部归档"
    ConfirmationBatch.objects.bulk_update(list(batch_of.values()), ["closed_at", "closed_by", "note"])


def _service(rng, clients, by_branch, first, today, users, fallback_user) -> None:
    """A few hundred visits with overlaps, follow-ups in every state, and inquiries."""
    manager_user = users.get("manager") or fallback_user
    by_manager: dict[int, list[Client]] = {}
    for c in clients:
        if c.opened_on <= today - dt.timedelta(days=7):
            by_manager.setdefault(c.manager_id, []).append(c)
    first_managers = by_branch.get(first.pk, [])
    other_managers = [m for b, ms in by_branch.items() if b != first.pk for m in ms[:2]]
    staff_by_pk = {m.pk: m for ms in by_branch.values() for m in ms}
    plan = [(m, 12) for m in first_managers] + [(m, 3) for m in other_managers]
    cm_user = users.get("cm")
    visits: list[Visit] = []
    this_month = _month(today)
    for m, n in plan:
        own = by_manager.get(m.pk, [])
        if not own:
            continue
        for _ in range(n):
            c = rng.choice(own)
            roll = rng.random()
            v = Visit(
                client_id=c.pk,
                author=m,
                branch_id=m.branch_id,
                team_id=m.team_id,
                form=rng.choice([Visit.Form.ON_SITE] * 3 + [Visit.Form.PHONE] * 2 + [Visit.Form.EVENT]),
                purpose=rng.choice(PURPOSES),
                created_by=m.user or manager_user,
            )
            if roll < 0.72:
                day = max(c.opened_on, today - dt.timedelta(days=rng.randint(0, 150)))
                v.status, v.visited_on = Visit.Status.DONE, day
                v.content = rng.choice(CONTENTS)
                v.opinions, v.suggestions = rng.choice(OPINIONS), rng.choice(SUGGESTIONS)
                if day < this_month and rng.random() < 0.6:
                    v.verified_at = _aware(_month(day, -1) + dt.timedelta(days=3), 16)
                    v.verified_by = manager_user
                    v.verification_opinion = "走访记录完整，继续保持。"
            elif roll < 0.93:
                v.status, v.planned_on = Visit.Status.PLANNED, today + dt.timedelta(days=rng.randint(0, 30))
            else:
                v.status, v.planned_on = Visit.Status.CANCELLED, today - dt.timedelta(days=rng.randint(1, 30))
            visits.append(v)
    # Overlaps: a colleague visits the same client a few days after (被走访人的重叠性).
    overlap_pairs = []
    done = [v for v in visits if v.status == Visit.Status.DONE]
    for v in rng.sample(done, min(25, len(done))):
        peers = [p for p in by_branch[v.branch_id] if p.pk != v.author_id]
        if not peers:
            continue
        other = rng.choice(peers)
        day = min(today, v.visited_on + dt.timedelta(days=rng.randint(1, 20)))
        w = Visit(
            client_id=v.client_id,
            author=other,
            branch_id=other.branch_id,
            team_id=other.team_id,
            status=Visit.Status.DONE,
            visited_on=day,
            form=Visit.Form.PHONE,
            purpose="顺访客户",
            content="了解客户近况。",
            overlap_acknowledged=True,
            created_by=other.user or manager_user,
        )
        visits.append(w)
        overlap_pairs.append((w, v))
    bulk_create_with_history(visits, Visit, batch_size=1000, default_change_reason="演示数据")
    ids = list(Visit.objects.order_by("pk").values_list("pk", flat=True))[-len(visits) :]
    for v, pk in zip(visits, ids, strict=True):
        v.pk = pk
    stamps = []
    for v in visits:
        v.created_at = _aware(v.visited_on or min(today, v.planned_on - dt.timedelta(days=3)), 18)
        stamps.append(v)
    Visit.objects.bulk_update(stamps, ["created_at"], batch_size=1000)
    VisitOverlap.objects.bulk_create(
        [
            VisitOverlap(visit_id=w.pk, other_id=v.pk, days_apart=(w.visited_on - v.visited_on).days)
            for w, v in overlap_pairs
        ]
    )
    last = dict(
        Visit.objects.filter(status=Visit.Status.DONE)
        .values("client_id")
        .annotate(last=Max("visited_on"))
        .values_list("client_id", "last")
    )
    touched = [c for c in clients if c.pk in last]
    for c in touched:
        c.last_visit_on = last[c.pk]
    Client.objects.bulk_update(touched, ["last_visit_on"], batch_size=1000)

    # Follow-ups from a third of the done visits: every state, some overdue.
    depts = list(Department.objects.filter(branch__isnull=False).order_by("pk"))
    dept_of = {}
    for d in depts:
        if d.kind in (Department.Kind.TRADE_MANAGEMENT, Department.Kind.OTHER):
            dept_of.setdefault(d.branch_id, []).append(d)
    followups, stamps = [], []
    done = [v for v in visits if v.status == Visit.Status.DONE]
    chosen = rng.sample(done, min(len(done), max(1, len(done) // 3)))
    cm_staff = next((s for s in staff_by_pk.values() if cm_user and s.user_id == cm_user.pk), None)
    cm_visit = next((v for v in done if cm_staff and v.author_id == cm_staff.pk), None)
    if cm_visit is not None and cm_visit not in chosen:
        chosen.append(cm_visit)
    statuses = [FollowUp.Status.OPEN, FollowUp.Status.SENT, FollowUp.Status.RESOLVED, FollowUp.Status.CLOSED]
    for i, v in enumerate(chosen):
        category, matter = MATTERS[i % len(MATTERS)]
        status = statuses[i % 4] if v is not cm_visit else FollowUp.Status.SENT
        raised = v.visited_on
        due = raised + dt.timedelta(days=7)
        f = FollowUp(
            client_id=v.client_id,
            visit_id=v.pk,
            owner_id=v.author_id,
            branch_id=v.branch_id,
            category=category,
            matter=matter,
            department=rng.choice(dept_of.get(v.branch_id, [None]))
            if status != FollowUp.Status.OPEN
            else None,
            due_on=due,
            status=status,
            created_by=v.created_by,
        )
        if status != FollowUp.Status.OPEN:
            f.sent_at = _aware(raised, 17)
        if status in (FollowUp.Status.RESOLVED, FollowUp.Status.CLOSED):
            done_day = min(today, raised + dt.timedelta(days=rng.randint(1, 9)))
            f.resolution = "相关部门已处理并反馈处理结果。"
            f.resolved_at = _aware(done_day, 15)
        if status == FollowUp.Status.CLOSED:
            f.informed_on = min(today, f.resolved_at.date() + dt.timedelta(days=1))
            f.informed_how = rng.choice([c for c, _l in FollowUp.InformedHow.choices])
            f.informed_note = "已电话告知客户处理结果，客户表示认可。"
            f.closed_at = _aware(f.informed_on, 16)
        followups.append(f)
    bulk_create_with_history(followups, FollowUp, batch_size=1000, default_change_reason="演示数据")
    ids = list(FollowUp.objects.order_by("pk").values_list("pk", flat=True))[-len(followups) :]
    events = []
    for f, pk in zip(followups, ids, strict=True):
        f.pk = pk
        f.created_at = _aware(f.due_on - dt.timedelta(days=7), 18)
        events.append(
            FollowUpEvent(followup_id=pk, kind=FollowUpEvent.Kind.CREATED, note=f.matter, actor=f.created_by)
        )
        if f.sent_at:
            events.append(FollowUpEvent(followup_id=pk, kind=FollowUpEvent.Kind.SENT, actor=f.created_by))
        if f.resolved_at:
            events.append(
                FollowUpEvent(
                    followup_id=pk, kind=FollowUpEvent.Kind.RESOLVED, note=f.resolution, actor=f.created_by
                )
            )
        if f.closed_at:
            events.append(
                FollowUpEvent(
                    followup_id=pk, kind=FollowUpEvent.Kind.CLOSED, note=f.informed_note, actor=f.created_by
                )
            )
    FollowUp.objects.bulk_update(followups, ["created_at"], batch_size=1000)
    FollowUpEvent.objects.bulk_create(events, batch_size=2000)

    _inquiries(rng, by_branch, first, by_manager, today, cm_staff, manager_user)


def _inquiries(rng, by_branch, first, by_manager, today, cm_staff, manager_user) -> None:
    people = [(first, m) for m in by_branch.get(first.pk, [])]
    people += [(None, m) for b, ms in by_branch.items() if b != first.pk for m in ms[:1]]
    now = timezone.now()
    rows = []
    numbers = _Numbers(rng)
    for i in range(100):
        _b, to = people[i % len(people)] if i or cm_staff is None else (first, cm_staff)
        receiver = rng.choice(by_branch[to.branch_id])
        received = now - dt.timedelta(hours=rng.randint(1, 24 * 60))
        kind = Inquiry.Kind.APPOINTMENT if rng.random() < 0.35 else Inquiry.Kind.CALL
        important = rng.random() < 0.3
        inq = Inquiry(
            branch_id=to.branch_id,
            kind=kind,
            caller_name=rng.choice(SURNAMES) + rng.choice(["先生", "女士"]),
            mobile=numbers.mobile(),
            topic=rng.choice(TOPICS),
            details="来电客户希望尽快得到答复。",
            important=important,
            received_by=receiver,
            received_at=received,
            assigned_to=to,
            created_by=receiver.user or manager_user,
        )
        if important:
            inq.acknowledge_by = received + dt.timedelta(hours=4)
        roll = rng.random()
        if important and roll < 0.3 and received < now - dt.timedelta(hours=6):
            pass  # important and not acknowledged in time: shows as late
        elif roll < 0.45:
            inq.status, inq.acknowledged_at = Inquiry.Status.ACKNOWLEDGED, received + dt.timedelta(hours=1)
        elif roll < 0.7:
            inq.status, inq.acknowledged_at = Inquiry.Status.DONE, received + dt.timedelta(hours=1)
            inq.outcome = "已电话回复客户。"
        elif roll < 0.85 and by_manager.get(to.pk):
            inq.status, inq.acknowledged_at = Inquiry.Status.CONVERTED, received + dt.timedelta(hours=2)
            inq.client_id = rng.choice(by_manager[to.pk]).pk
            inq.outcome = "客户已到网点完成开户。"
        elif roll < 0.92:
            inq.status, inq.acknowledged_at = Inquiry.Status.LOST, received + dt.timedelta(hours=2)
            inq.outcome = "客户选择了其他券商。"
        if kind == Inquiry.Kind.APPOINTMENT:
            inq.appointment_at = received + dt.timedelta(days=rng.randint(1, 7))
            inq.appointment_outlet_id = to.outlet_id
        rows.append(inq)
    bulk_create_with_history(rows, Inquiry, batch_size=1000, default_change_reason="演示数据")
    # The trail the inquiry services write (kinds as in ``services_inquiries``).
    ids = list(Inquiry.objects.order_by("pk").values_list("pk", flat=True))[-len(rows) :]
    after = {
        Inquiry.Status.DONE: ("answered", "outcome"),
        Inquiry.Status.CONVERTED: ("converted", "outcome"),
        Inquiry.Status.LOST: ("lost", "outcome"),
    }
    events = []
    for inq, pk in zip(rows, ids, strict=True):
        actor = inq.created_by
        events.append(
            InquiryEvent(inquiry_id=pk, kind="created", actor=actor, note=f"转交{inq.assigned_to.name}。")
        )
        if inq.acknowledged_at:
            events.append(InquiryEvent(inquiry_id=pk, kind="acknowledged", actor=actor))
        if inq.status in after:
            kind, field = after[inq.status]
            events.append(InquiryEvent(inquiry_id=pk, kind=kind, actor=actor, note=getattr(inq, field)))
    InquiryEvent.objects.bulk_create(events, batch_size=2000)
