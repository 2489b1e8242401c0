"""Demo data for people and archives."""

import datetime as dt


def build(*, seed: int, today: dt.date) -> None:
    build_archive(seed=seed, today=today)
    build_recruitment(seed=seed, today=today)


# --- Recruitment and training (helper B) --------------------------------------------------


def build_recruitment(*, seed: int, today: dt.date) -> None:
    """Candidates at every stage in the first branch (so the demo logins ``trade``, ``hr`` and
    ``manager`` have work: documents to check, a decision to approve, a probation to convert),
    a talent reserve, and training programmes with sessions, attendees and results. Written
    through the services, so the data is exactly what the pages would leave."""
    import random
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from brokerdesk.approvals import services as approvals
    from brokerdesk.core.validators import id_check_char
    from brokerdesk.org.demo import GIVEN_CHARS, SURNAMES
    from brokerdesk.org.models import Branch, Staff
    from brokerdesk.people import services_recruitment as recruit
    from brokerdesk.people import services_training as training
    from brokerdesk.people.models_recruitment import Candidate
    from brokerdesk.people.models_training import TrainingProgramme, TrainingSession
    from brokerdesk.people.rules_recruitment import REQUIRED_SLOTS

    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["trade", "hr", "manager", "lead"])
    }
    trade, hr, manager = users.get("trade"), users.get("hr"), users.get("manager")
    if not (trade and hr and manager):
        return  # not the standard demo organisation
    branch = Branch.objects.filter(pk__in=trade.role_assignments.values("branch_id")).first()
    rng = random.Random(seed + 24)
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    png = b"\x89PNG\r\n\x1a\n" + bytes(48)
    taken = set(Staff.objects.values_list("id_number", flat=True))
    teams = list(branch.teams.order_by("code")[:3])
    staff = list(
        Staff.objects.filter(
            branch=branch, status=Staff.Status.ACTIVE, position=Staff.Position.CLIENT_MANAGER
        ).order_by("emp_no")[:12]
    )

    def id_number() -> str:
        while True:
            born = dt.date(1994, 1, 1) + dt.timedelta(days=rng.randrange(3000))
            first17 = f"110105{born:%Y%m%d}{rng.randrange(1000):03d}"
            value = first17 + id_check_char(first17)
            if value not in taken:
                taken.add(value)
                return value

    def at(day: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))

    def candidate(applied_days_ago: int, **kw) -> Candidate:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2))))
        return recruit.candidate_save(
            actor=trade,
            candidate=Candidate(
                branch=branch,
                team=kw.pop("team", rng.choice(teams) if teams else None),
                position=Staff.Position.CLIENT_MANAGER,
                employment_type=kw.pop("employment_type", Staff.EmploymentType.FULL_TIME),
                name=name,
                gender=rng.choice(Staff.Gender.values),
                mobile=f"13{rng.randrange(5, 10)}{rng.randrange(10**8):08d}",
                id_number=id_number(),
                education=kw.pop("education", rng.choice(["college", "bachelor", "bachelor", "master"])),
                school=rng.choice(["中央财经大学", "对外经济贸易大学", "北京工商大学", "首都经济贸易大学"]),
                major=rng.choice(["金融学", "会计学", "市场营销", "经济学"]),
                skills=rng.choice(
                    ["证券从业资格", "证券从业资格 基金从业资格", "银行从业资格", "CFA一级 英语六级", ""]
                ),
                source=rng.choice(Candidate.Source.values),
                applied_on=today - dt.timedelta(days=applied_days_ago),
            ),
        )

    def documents(c: Candidate, slots=REQUIRED_SLOTS, check: str | None = "authentic") -> None:
        for slot in slots:
            upload = SimpleUploadedFile(
                "photo.png" if slot == "photo" else f"{slot}.pdf", png if slot == "photo" else pdf
            )
            doc = recruit.candidate_document_upload(actor=trade, candidate=c, slot=slot, upload=upload)
            if check:
                recruit.candidate_document_check(
                    actor=hr, document=doc, result=check, note="" if check == "authentic" else "与原件不符"
                )

    # Programmes and a pre-job session for this intake.
    pre_job = training.programme_save(
        actor=trade,
        programme=TrainingProgramme(
            branch=branch,
            title="客户经理岗前培训",
            category=TrainingProgramme.Category.PRE_JOB,
            organiser="营业部交易管理岗",
            pass_score=Decimal("60"),
            description="证券基础知识、合规与适当性管理、客户服务规范、营业部制度。",
        ),
    )
    product = training.programme_save(
        actor=trade,
        programme=TrainingProgramme(
            branch=branch,
            title="集合资产管理计划产品培训",
            category=TrainingProgramme.Category.PRODUCT,
            organiser="营业部",
            pass_score=Decimal("70"),
        ),
    )
    compliance = training.programme_save(
        actor=hr,
        programme=TrainingProgramme(
            title="年度合规与反洗钱培训",
            category=TrainingProgramme.Category.COMPLIANCE,
            organiser="合规部",
            pass_score=Decimal("80"),
        ),
    )

    def session(programme, day: dt.date, actor, *, branch_=branch, team=None, content="") -> TrainingSession:
        return training.session_save(
            actor=actor,
            session=TrainingSession(
                programme=programme,
                branch=branch_,
                team=team,
                starts_at=at(day, 9),
                ends_at=at(day, 12),
                place="营业部三楼培训室",
                content=content or programme.description or programme.title,
                trainer_name="公司培训中心讲师",
                hours=Decimal("3"),
            ),
        )

    intake = session(pre_job, today - dt.timedelta(days=20), trade)
    older_intake = session(pre_job, today - dt.timedelta(days=130), trade)

    def pre_job_result(c: Candidate, s: TrainingSession, score: int) -> None:
        (row,) = training.attendees_add(actor=trade, session=s, candidates=[c])
        training.results_record(
            actor=trade, session=s, rows=[{"attendance": row.pk, "score": Decimal(score)}]
        )

    def evaluated(c: Candidate, score: str) -> None:
        recruit.candidate_evaluate(
            actor=trade, candidate=c, score=Decimal(score), comment="岗前培训表现积极，沟通表达良好。"
        )

    def decide(c: Candidate, decision: str, approve: bool = True, **dates) -> None:
        recruit.candidate_propose(
            actor=trade, candidate=c, decision=decision, note="综合考评意见见评语。", **dates
        )
        if approve:
            c.refresh_from_db()
            task = approvals.inbox(manager).get(request_id=c.approval_id)
            approvals.task_act(actor=manager, task=task, decision="approve", opinion="同意")

    # Long ago: on probation since, passed and ended — ready for the trade post to convert.
    ready = candidate(150)
    documents(ready)
    pre_job_result(ready, older_intake, 86)
    evaluated(ready, "85")
    decide(
        ready,
        "probation",
        probation_starts_on=today - dt.timedelta(days=110),
        probation_ends_on=today - dt.timedelta(days=20),
    )
    recruit.candidate_probation_assess(
        actor=trade, candidate=ready, result="passed", comment="试用期业绩达标，服务规范。"
    )
    # The same intake: one not hired (talent reserve).
    reserve = candidate(150, education="master")
    documents(reserve, slots=["resume", "id_copy", "diploma"])
    pre_job_result(reserve, older_intake, 52)
    decide(reserve, "not_hired")
    training.results_confirm(actor=trade, session=older_intake)
    # This intake: on probation, waiting for the manager's approval, and still being considered.
    running = candidate(40)
    documents(running)
    pre_job_result(running, intake, 91)
    evaluated(running, "88")
    decide(
        running,
        "probation",
        probation_starts_on=today - dt.timedelta(days=10),
        probation_ends_on=today + dt.timedelta(days=80),
    )
    waiting = candidate(35, employment_type=Staff.EmploymentType.PART_TIME)
    documents(waiting)
    pre_job_result(waiting, intake, 74)
    evaluated(waiting, "76")
    decide(
        waiting,
        "probation",
        approve=False,
        probation_starts_on=today + dt.timedelta(days=3),
        probation_ends_on=today + dt.timedelta(days=93),
    )
    unchecked = candidate(12)
    documents(unchecked, slots=["photo", "resume", "id_copy", "diploma"], check=None)
    candidate(3)
    withdrawn = candidate(400)
    documents(withdrawn, slots=["resume"])
    recruit.candidate_withdraw(actor=trade, candidate=withdrawn, note="本人已入职其他机构，同意留存资料。")

    # Staff training: a branch product session and the company's compliance training.
    product_day = session(
        product,
        today - dt.timedelta(days=45),
        trade,
        content="产品结构、风险收益特征、适当性匹配与销售话术。",
    )
    compliance_day = session(compliance, today - dt.timedelta(days=60), hr, branch_=None)
    for s, low in ((product_day, 62), (compliance_day, 70)):
        rows = training.attendees_add(actor=s.created_by, session=s, staff=staff)
        results = []
        for row in rows:
            if rng.random() < 0.08:
                results.append({"attendance": row.pk, "result": "absent"})
            else:
                results.append({"attendance": row.pk, "score": Decimal(rng.randrange(low, 100))})
        training.results_record(actor=s.created_by, session=s, rows=results)
        training.results_confirm(actor=s.created_by, session=s)
    lead = users.get("lead")
    anchor = lead.role_assignments.filter(team__isnull=False).select_related("team").first() if lead else None
    lead_team = anchor.team if anchor else None
    if lead_team is not None and lead_team.branch_id == branch.pk:
        upcoming = session(
            product, today + dt.timedelta(days=7), lead, team=lead_team, content="团队内部产品复训。"
        )
        members = list(
            Staff.objects.filter(team=lead_team, status=Staff.Status.ACTIVE).order_by("emp_no")[:8]
        )
        if members:
            training.attendees_add(actor=lead, session=upcoming, staff=members)


# --- Personnel archive (helper A) --------------------------------------------------------


def _png() -> bytes:
    """A real 1×1 white PNG (the demo's "photo")."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def _pdf(text: str) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% "
        + text.encode()
        + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def build_archive(*, seed: int, today: dt.date) -> None:
    """Personnel files: every client manager's contract (most valid, some ending within the
    warning window, a few missing) and practitioner registration (a few missing or expiring);
    the first branch's files filled through the services by its trade-management post (some
    documents verified, some missing), with a reward and a punishment. Log in as ``trade``
    (the dashboard at /people/), ``cm`` (my file)."""
    import random
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from brokerdesk.org.models import Branch, Staff
    from brokerdesk.people import services_archive as services
    from brokerdesk.people.models_archive import Contract, Qualification
    from brokerdesk.people.rules_archive import contract_kind_for, default_contract_end

    rng = random.Random(seed + 18)
    User = get_user_model()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    trade = User.objects.filter(username="trade").first() or admin
    if admin is None:
        return
    people = list(
        Staff.objects.filter(status__in=[Staff.Status.ACTIVE, Staff.Status.PROBATION]).order_by("pk")
    )
    contracts, licences = [], []
    for i, s in enumerate(people):
        roll = rng.random()
        if roll > 0.04 or s.position != Staff.Position.CLIENT_MANAGER:
            # Contracts signed on the anniversary of the hire; a few end within the next weeks.
            if roll < 0.12:
                start = today - dt.timedelta(days=365 - rng.randint(3, 28))
            else:
                start = today - dt.timedelta(days=rng.randint(20, 330))
            contracts.append(
                Contract(
                    staff=s,
                    kind=contract_kind_for(s.employment_type),
                    starts_on=start,
                    ends_on=default_contract_end(start),
                    original_location=f"档案柜{1 + i % 6}-{1 + i % 20:02d}",
                    created_by=admin,
                )
            )
        if s.position in (
            Staff.Position.CLIENT_MANAGER,
            Staff.Position.REGIONAL_MANAGER,
            Staff.Position.TEAM_LEAD,
        ):
            roll = rng.random()
            if roll > 0.03:
                issued = today - dt.timedelta(days=rng.randint(200, 2000))
                expires = today + dt.timedelta(
                    days=rng.randint(5, 28) if roll < 0.10 else rng.randint(60, 700)
                )
                licences.append(
                    Qualification(
                        staff=s,
                        kind=Qualification.Kind.REGISTRATION,
                        number=f"S{1100000000 + s.pk:010d}",
                        issued_on=issued,
                        expires_on=expires,
                        authority="中国证券业协会",
                        ce_hours=rng.choice([0, 10, 15, 20]),
                        created_by=admin,
                    )
                )
    Contract.objects.bulk_create(contracts, batch_size=500)
    Qualification.objects.bulk_create(licences, batch_size=500)
    first = Branch.objects.order_by("pk").first()
    if first is None:
        return
    photo, verifier = _png(), trade
    for s in Staff.objects.filter(branch=first, status=Staff.Status.ACTIVE).order_by("pk")[:40]:
        slots = ["photo", "resume", "id_copy", "diploma", "guarantee", "guarantor_id"]
        for slot in slots:
            if rng.random() < 0.12:
                continue  # left missing: shows on the dashboard
            upload = (
                SimpleUploadedFile("照片.png", photo)
                if slot == "photo"
                else SimpleUploadedFile(f"{slot}.pdf", _pdf(f"{s.emp_no} {slot}"))
            )
            doc = services.document_upload(actor=trade, staff=s, slot=slot, upload=upload)
            if rng.random() < 0.7 and s.user_id != verifier.pk:
                services.document_verify(actor=verifier, document=doc, note="原件已核对")
        contract = Contract.objects.filter(staff=s).first()
        if contract is not None and rng.random() < 0.8:
            services.contract_update(
                actor=trade,
                contract=contract,
                signed_copy=SimpleUploadedFile("合同.pdf", _pdf(f"{s.emp_no} contract")),
            )
    cms = list(Staff.objects.filter(branch=first, position=Staff.Position.CLIENT_MANAGER).order_by("pk")[:6])
    for i, s in enumerate(cms):
        reward = i % 3 != 2
        services.reward_record(
            actor=trade,
            staff=s,
            kind="reward" if reward else "punishment",
            decided_on=today - dt.timedelta(days=10 + 20 * i),
            title="季度开户之星" if reward else "晨会无故缺席",
            reason="当季新开有效户数全营业部第一。" if reward else "当月两次无故缺席晨会，经团队负责人核实。",
            decided_by="营业部经理办公会" if reward else "团队负责人",
            amount=Decimal("500.00") if reward else None,
        )
