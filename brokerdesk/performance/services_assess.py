"""Every write of the assessment area (第十六、十七条): generating a period's assessments for a
branch, the lead's marks and comments, confirming (which moves levels), and the checklist
and policy configuration.

Promises kept here and nowhere else:
- a confirmed assessment never changes (marks, regeneration and a second confirmation are
  refused with a message, and nothing is written);
- a quarterly or yearly result moves the level one rung by ``org.Level.rank`` from the first
  day of the next period, as a ``LevelChange`` row (history kept; the pay run's base-pay
  lookup reads it through ``selectors.level_on``);
- what a score was computed from is stored with it (each item's counts, the figures and
  targets, the weights and thresholds in force), so a result can be explained later even
  after the configuration changes.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from brokerdesk.access import roles
from brokerdesk.access.roles import ScopeLevel
from brokerdesk.access.scope import can, grants_for, has_perm, visible
from brokerdesk.clients.services import staff_of
from brokerdesk.core.templatetags.bd import yearmonth
from brokerdesk.org.models import Branch, Level, Staff
from brokerdesk.performance import rules_assess as rules
from brokerdesk.performance import selectors_assess as selectors
from brokerdesk.performance.models import (
    Assessment,
    AssessmentPolicy,
    DutyItem,
    DutyScore,
    LevelChange,
    MonthVersion,
)
from brokerdesk.performance.selectors import levels_on

# Company-wide rules (the checklist and the policy) are channel management's (渠道管理部) to
# keep, like the other company rules it keeps.
CONFIG_PERM = roles.ASSESS_CONFIG

# Who is assessed: the people who hold clients and a level.
ASSESSED_POSITIONS = (Staff.Position.CLIENT_MANAGER, Staff.Position.REGIONAL_MANAGER)
MAX_COMMENT = 2000


def current_policy() -> AssessmentPolicy:
    """The policy in force (the first one; the data migration makes it)."""
    policy = AssessmentPolicy.objects.order_by("pk").first()
    if policy is None:
        policy = AssessmentPolicy.objects.create(name=_("Default assessment policy"))
    return policy


def _policy_rule(snapshot: dict) -> rules.Policy:
    return rules.Policy(
        duty_weight=Decimal(snapshot["duty_weight"]),
        performance_weight=Decimal(snapshot["performance_weight"]),
        promote_from=Decimal(snapshot["promote_from"]),
        demote_below=Decimal(snapshot["demote_below"]),
        monthly_floor=Decimal(snapshot["monthly_floor"]),
        floor_months=int(snapshot["floor_months"]),
    )


def _policy_snapshot(policy: AssessmentPolicy) -> dict:
    return {
        "id": policy.pk,
        "name": policy.name,
        "duty_weight": str(policy.duty_weight),
        "performance_weight": str(policy.performance_weight),
        "promote_from": str(policy.promote_from),
        "demote_below": str(policy.demote_below),
        "monthly_floor": str(policy.monthly_floor),
        "floor_months": policy.floor_months,
    }


def _items_snapshot(items: list[DutyItem]) -> list[dict]:
    return [
        {"id": i.pk, "code": i.code, "name": i.name, "source": i.source, "weight": str(i.weight)}
        for i in items
    ]


def may_confirm(user, assessment: Assessment) -> bool:
    """Confirming (and so moving a level) is for ``assess`` holders at branch level or above
    whose scope holds the assessment's branch: the branch manager and deputy (第十七条)."""
    branch = assessment.branch
    for g in grants_for(user):
        if roles.ASSESS not in g.perms or g.level < ScopeLevel.BRANCH:
            continue
        if g.level == ScopeLevel.COMPANY:
            return True
        if g.level == ScopeLevel.REGION and branch.region_id == g.region_id:
            return True
        if g.level == ScopeLevel.BRANCH and branch.pk == g.branch_id:
            return True
    return False


def confirm_branches(user):
    """The branches whose assessments the user may confirm."""
    from django.db.models import Q

    q = None
    for g in grants_for(user):
        if roles.ASSESS not in g.perms or g.level < ScopeLevel.BRANCH:
            continue
        if g.level == ScopeLevel.COMPANY:
            return Branch.objects.order_by("code")
        part = Q(region_id=g.region_id) if g.level == ScopeLevel.REGION else Q(pk=g.branch_id)
        q = part if q is None else q | part
    return Branch.objects.filter(q).order_by("code") if q is not None else Branch.objects.none()


def may_score(user, assessment: Assessment) -> bool:
    """The lead's marks: ``assess`` holders whose scope holds the person (the team lead for
    their team, the branch's managers for the branch), never on their own assessment."""
    if assessment.status != Assessment.Status.DRAFT:
        return False
    me = staff_of(user)
    if me is not None and me.pk == assessment.staff_id:
        return False
    return can(user, roles.ASSESS, assessment)


def lead_items(snapshot_items: list[dict]) -> list[dict]:
    return [i for i in snapshot_items if i["source"] == DutyItem.Source.LEAD]


# --- generating a period ---------------------------------------------------------------------


@dataclass
class GenerateResult:
    period: str
    starts_on: dt.date
    ends_on: dt.date
    created: int = 0
    updated: int = 0
    confirmed_kept: list[int] = field(default_factory=list)

    @property
    def people(self) -> int:
        return self.created + self.updated + len(self.confirmed_kept)


def _parse_period(period: str, starts_on, today: dt.date) -> tuple[dt.date, dt.date]:
    errors = {}
    if period not in rules.PERIODS:
        errors["period"] = _("Choose monthly, quarterly or yearly.")
    if not isinstance(starts_on, dt.date):
        errors["starts_on"] = _("Give a day of the period to assess.")
    if errors:
        raise ValidationError(errors)
    start, end = rules.period_bounds(period, starts_on)
    problem = rules.period_error(start, end, today)
    if problem == "future":
        raise ValidationError(
            {"starts_on": _("That period has not begun yet: a future period cannot be assessed.")}
        )
    if problem == "open":
        raise ValidationError(
            {
                "starts_on": _("%(period)s is not over yet: it can be assessed from %(day)s.")
                % {
                    "period": rules.period_label(period, start),
                    "day": (end + dt.timedelta(days=1)).isoformat(),
                }
            }
        )
    return start, end


def _assessable(actor, branch: Branch, start: dt.date, end: dt.date, team=None):
    people = (
        visible(actor, Staff, roles.ASSESS)
        .filter(branch=branch, position__in=ASSESSED_POSITIONS)
        .exclude(status=Staff.Status.CANDIDATE)
        .exclude(hired_on__gt=end)
        .exclude(left_on__lt=start)
    )
    me = staff_of(actor)
    if me is not None:
        people = people.exclude(pk=me.pk)  # nobody assesses themselves
    if team is not None:
        people = people.filter(team=team)
    return people.order_by("emp_no")


@transaction.atomic
def assess_period(*, actor, branch: Branch, period: str, starts_on: dt.date, team=None) -> GenerateResult:
    """Score everyone assessable in the actor's scope of ``branch`` for the period containing
    ``starts_on``: new assessments are created, drafts recomputed (the lead's marks and
    comments kept), confirmed ones left as they are.

    The period must be over, and the CRM figures of each of its months imported for the
    branch. A constant number of queries whatever the number of people.
    """
    if not has_perm(actor, roles.ASSESS):
        raise PermissionDenied(_("You may not assess people."))
    today = timezone.localdate()
    start, end = _parse_period(period, starts_on, today)
    if not visible(actor, Branch, roles.ASSESS).filter(pk=branch.pk).exists():
        raise ValidationError({"branch": _("You may not assess the people of this branch.")})
    if team is not None and team.branch_id != branch.pk:
        raise ValidationError({"team": _("This team belongs to another branch.")})
    months = rules.period_months(start, end)
    imported = set(
        MonthVersion.objects.filter(branch=branch, month__in=months).values_list("month", flat=True)
    )
    missing = [m for m in months if m not in imported]
    if missing:
        raise ValidationError(
            {
                "starts_on": _(
                    "The CRM figures of %(months)s have not been imported for this branch: import them first."
                )
                % {"months": "、".join(yearmonth(m) for m in missing)}
            }
        )
    people = list(_assessable(actor, branch, start, end, team).only("pk", "team_id", "branch_id", "level_id"))
    result = GenerateResult(period=period, starts_on=start, ends_on=end)
    if not people:
        return result
    ids = [p.pk for p in people]

    policy = current_policy()
    policy_snapshot = _policy_snapshot(policy)
    items = list(DutyItem.objects.filter(is_active=True).order_by("order", "pk"))
    items_snapshot = _items_snapshot(items)
    duty = selectors.duty_inputs(staff_ids=ids, branch_id=branch.pk, start=start, end=end, today=today)
    figures = selectors.actuals(staff_ids=ids, start=start, end=end)
    shares = selectors.target_shares(staff_ids=ids, year=start.year)
    monthly = selectors.monthly_scores(staff_ids=ids, months=months) if period != rules.MONTH else {}
    level_ids = levels_on(ids, end)
    ladder = {lv.pk: lv for lv in Level.objects.all()}
    existing = {
        a.staff_id: a
        for a in Assessment.objects.select_for_update().filter(
            staff_id__in=ids, period=period, starts_on=start
        )
    }
    lead_rows: dict[int, dict[int, DutyScore]] = {}
    for row in DutyScore.objects.filter(
        assessment__in=[a.pk for a in existing.values()], item__source=DutyItem.Source.LEAD
    ):
        lead_rows.setdefault(row.assessment_id, {})[row.item_id] = row

    new, changed = [], []
    for person in people:
        current = existing.get(person.pk)
        if current is not None and current.status == Assessment.Status.CONFIRMED:
            result.confirmed_kept.append(current.pk)
            continue
        level = ladder.get(level_ids.get(person.pk))
        perf = rules.performance_score(
            {
                "new_accounts": Decimal(figures[person.pk]["new_accounts"]),
                "net_revenue": figures[person.pk]["net_revenue"],
                "asset_growth": figures[person.pk]["asset_growth"],
            },
            rules.targets_for_months(shares.get(person.pk, []), [m.month for m in months]),
        )
        inputs = {
            "figures": {k: str(v) for k, v in figures[person.pk].items()},
            "metrics": [
                {
                    "metric": m.metric,
                    "target": str(m.target.quantize(Decimal("0.01"))),
                    "actual": str(m.actual),
                    "ratio": None if m.ratio is None else str(m.ratio.quantize(Decimal("0.0001"))),
                    "points": None if m.points is None else str(m.points.quantize(Decimal("0.01"))),
                    "weight": str(rules.METRIC_WEIGHTS[m.metric]),
                }
                for m in perf.metrics
            ],
            "no_targets": perf.no_targets,
            "ratio_cap": str(rules.RATIO_CAP),
            "level": {"id": level.pk, "name": level.name} if level else None,
            "policy": policy_snapshot,
            "items": items_snapshot,
            "monthly": [
                {"month": m.isoformat(), "score": _str_or_none(monthly.get(person.pk, {}).get(m))}
                for m in months
            ]
            if period != rules.MONTH
            else [],
        }
        a = current or Assessment(
            staff_id=person.pk, branch=branch, period=period, starts_on=start, ends_on=end
        )
        a.team_id = person.team_id
        a.branch = branch
        a.ends_on = end
        a.performance_score = perf.score
        a.performance_inputs = inputs
        kept = lead_rows.get(a.pk, {}) if a.pk else {}
        auto_scores = {
            i["id"]: rules.item_score(i["source"], duty[person.pk][i["source"]])
            for i in items_snapshot
            if i["source"] != DutyItem.Source.LEAD
        }
        lead_scores = {
            i["id"]: kept[i["id"]].score if i["id"] in kept else None for i in lead_items(items_snapshot)
        }
        _score(a, {**auto_scores, **lead_scores})
        (changed if a.pk else new).append(a)

    fields = [
        "team",
        "branch",
        "ends_on",
        "duty_score",
        "performance_score",
        "total_score",
        "performance_inputs",
        "outcome",
        "outcome_reason",
    ]
    if changed:
        bulk_update_with_history(
            changed, Assessment, fields, default_user=actor, default_change_reason="regenerated"
        )
        keep = [
            row.pk
            for rows in lead_rows.values()
            for item_id, row in rows.items()
            if _in(items_snapshot, item_id)
        ]
        DutyScore.objects.filter(assessment__in=[a.pk for a in changed]).exclude(pk__in=keep).delete()
    if new:
        try:
            with transaction.atomic():
                new = bulk_create_with_history(
                    new, Assessment, default_user=actor, default_change_reason="generated"
                )
        except IntegrityError:
            # Someone generated the same period at the same moment: theirs stands.
            raise ValidationError(
                {"starts_on": _("This period is being assessed by someone else right now: try again.")}
            ) from None
    rows = []
    for a in [*changed, *new]:
        for i in items_snapshot:
            if i["source"] == DutyItem.Source.LEAD:
                continue
            counts = duty[a.staff_id][i["source"]]
            rows.append(
                DutyScore(
                    assessment=a,
                    item_id=i["id"],
                    score=rules.item_score(i["source"], counts),
                    inputs={**counts, "weight": i["weight"]},
                )
            )
    DutyScore.objects.bulk_create(rows, batch_size=500)
    result.created = len(new)
    result.updated = len(changed)
    return result


def _in(items_snapshot: list[dict], item_id: int) -> bool:
    return any(i["id"] == item_id for i in items_snapshot)


def _str_or_none(value) -> str | None:
    return None if value is None else str(value)


def _monthly_pairs(inputs: dict) -> list[tuple[dt.date, Decimal | None]]:
    return [
        (dt.date.fromisoformat(m["month"]), None if m["score"] is None else Decimal(m["score"]))
        for m in inputs.get("monthly", [])
    ]


def _score(a: Assessment, item_scores: dict[int, Decimal | None]) -> None:
    """Duty, comprehensive score and result of ``a`` from its item scores and the snapshot of
    weights and thresholds stored in its inputs."""
    inputs = a.performance_inputs
    if not isinstance(inputs, dict):
        inputs = a.performance_inputs = {}
    items = inputs.get("items")
    if items is not None:  # (an assessment made without the checklist keeps its duty score)
        a.duty_score, _complete = rules.duty_score(
            [(Decimal(i["weight"]), item_scores.get(i["id"])) for i in items]
        )
    if "policy" not in inputs:
        inputs["policy"] = _policy_snapshot(current_policy())
    policy = _policy_rule(inputs["policy"])
    a.total_score = rules.comprehensive(
        a.duty_score, a.performance_score, policy.duty_weight, policy.performance_weight
    )
    decision = rules.decide(
        period=a.period,
        start=a.starts_on,
        total=a.total_score,
        policy=policy,
        monthly=_monthly_pairs(inputs),
        no_targets=inputs.get("no_targets", False),
    )
    inputs["decision"] = {"code": decision.code, "params": decision.params, "outcome": decision.outcome}
    a.outcome = decision.outcome
    a.outcome_reason = rules.decision_text(decision.code, decision.params)[:300]


# --- the lead's marks ------------------------------------------------------------------------


def _clean_score(value, field_name: str = "score") -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field_name: _("Enter a score from 0 to 100.")}) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise ValidationError({field_name: _("A score is from 0 to 100.")})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({field_name: _("A score has at most two decimal places.")})
    return number.quantize(Decimal("0.01"))


def _refuse_confirmed(a: Assessment, field_name: str = "status") -> None:
    if a.status == Assessment.Status.CONFIRMED:
        raise ValidationError(
            {
                field_name: _(
                    "This assessment was confirmed on %(day)s: a confirmed assessment never changes."
                )
                % {"day": timezone.localdate(a.confirmed_at).isoformat() if a.confirmed_at else ""}
            }
        )


@transaction.atomic
def assessment_score_lead(
    *, actor, assessment: Assessment, scores: dict[int, object] | None = None, score=None, comment: str = ""
) -> Assessment:
    """The lead's marks (0–100) on the lead items of the checklist and the lead's comments.

    ``scores`` is {duty item id: score}; ``score`` alone marks the only lead item. The team
    lead marks their team, the branch's managers the branch; nobody marks themselves.
    """
    if not has_perm(actor, roles.ASSESS):
        raise PermissionDenied(_("You may not assess people."))
    if not can(actor, roles.ASSESS, assessment):
        raise PermissionDenied(_("This person is not in your team or branch."))
    me = staff_of(actor)
    if me is not None and me.pk == assessment.staff_id:
        raise PermissionDenied(_("Nobody marks their own assessment."))
    a = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _refuse_confirmed(a, "score")
    leads = lead_items(a.performance_inputs.get("items", []))
    if not leads:
        raise ValidationError(
            {"score": _("The checklist of this assessment has no item for the lead to mark.")}
        )
    given = dict(scores or {})
    if score is not None and score != "":
        if len(leads) > 1 and not given:
            raise ValidationError({"score": _("Say which item the score is for.")})
        given.setdefault(leads[0]["id"], score)
    known = {i["id"] for i in leads}
    errors = {}
    clean: dict[int, Decimal] = {}
    for item_id, value in given.items():
        try:
            item_id = int(item_id)
        except (TypeError, ValueError):
            item_id = None
        if item_id not in known:
            errors["score"] = _("That item is not marked by the lead.")
            continue
        try:
            clean[item_id] = _clean_score(value)
        except ValidationError as exc:
            errors[f"score_{item_id}" if len(leads) > 1 else "score"] = exc.message_dict["score"]
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("At most %(n)s characters.") % {"n": MAX_COMMENT}
    if not clean and not errors:
        errors["score"] = _("Enter a score from 0 to 100.")
    if errors:
        raise ValidationError(errors)
    # A conditional write: if a confirmation got in first, nothing is marked.
    if not Assessment.objects.filter(pk=a.pk, status=Assessment.Status.DRAFT).update(lead_comment=comment):
        a.refresh_from_db()
        _refuse_confirmed(a, "score")
    a.lead_comment = comment
    by_name = me.name if me else actor.get_username()
    weights = {i["id"]: i["weight"] for i in leads}
    for item_id, value in clean.items():
        DutyScore.objects.update_or_create(
            assessment=a,
            item_id=item_id,
            defaults={
                "score": value,
                "inputs": {
                    "score": str(value),
                    "by": actor.pk,
                    "by_name": by_name,
                    "at": timezone.now().isoformat(timespec="seconds"),
                    "weight": weights[item_id],
                },
            },
        )
    _rescore(a)
    a._history_user = actor
    a.save(
        update_fields=[
            "lead_comment",
            "duty_score",
            "total_score",
            "performance_inputs",
            "outcome",
            "outcome_reason",
        ]
    )
    return a


def _rescore(a: Assessment) -> None:
    stored = dict(DutyScore.objects.filter(assessment=a).values_list("item_id", "score"))
    _score(a, {i["id"]: stored.get(i["id"]) for i in a.performance_inputs.get("items", [])})


# --- confirming ------------------------------------------------------------------------------


@dataclass
class ConfirmResult:
    assessment: Assessment
    level_change: LevelChange | None
    note: str


@transaction.atomic
def assessment_confirm(*, actor, assessment: Assessment) -> ConfirmResult:
    """Confirm a draft: it never changes again. A quarterly or yearly result of up or down
    moves the person one rung from the first day of the next period (a ``LevelChange``);
    the person's current level follows once that day has come.
    """
    if not has_perm(actor, roles.ASSESS) or not may_confirm(actor, assessment):
        raise PermissionDenied(_("Only the branch manager or deputy manager confirms assessments."))
    me = staff_of(actor)
    if me is not None and me.pk == assessment.staff_id:
        raise PermissionDenied(_("Nobody confirms their own assessment."))
    now = timezone.now()
    # Claim the draft with a conditional write: of two confirmations (or a confirmation and a
    # late mark) exactly one gets through, on SQLite as on PostgreSQL.
    claimed = Assessment.objects.filter(pk=assessment.pk, status=Assessment.Status.DRAFT).update(
        status=Assessment.Status.CONFIRMED, confirmed_by=actor, confirmed_at=now
    )
    a = Assessment.objects.select_related("staff", "branch").get(pk=assessment.pk)
    if not claimed:
        _refuse_confirmed(a)
    stored = dict(DutyScore.objects.filter(assessment=a).values_list("item_id", "score"))
    pending = [i["name"] for i in lead_items(a.performance_inputs.get("items", [])) if i["id"] not in stored]
    if pending:
        raise ValidationError(
            {"score": _("The lead has not marked %(items)s yet.") % {"items": "、".join(pending)}}
        )
    # The result is decided again now: a monthly assessment may have been regenerated since.
    if a.period != Assessment.Period.MONTH:
        months = rules.period_months(a.starts_on, a.ends_on)
        fresh = selectors.monthly_scores(staff_ids=[a.staff_id], months=months).get(a.staff_id, {})
        a.performance_inputs["monthly"] = [
            {"month": m.isoformat(), "score": _str_or_none(fresh.get(m))} for m in months
        ]
    _score(a, {i["id"]: stored.get(i["id"]) for i in a.performance_inputs.get("items", [])})
    change, note = None, ""
    if a.outcome in (Assessment.Outcome.UP, Assessment.Outcome.DOWN):
        change, why, level_name = _move_level(actor=actor, a=a, today=timezone.localdate())
        if why:
            # Up at the top rung, down at the bottom one (or no level at all): the person stays.
            note = rules.ladder_text(why, level_name)
            a.performance_inputs["decision"]["ladder"] = {
                "why": why,
                "level": level_name,
                "wanted": a.outcome,
            }
            a.outcome = Assessment.Outcome.STAY
            a.outcome_reason = f"{a.outcome_reason} {note}"[:300]
    a._history_user = actor
    a.save(
        update_fields=[
            "status",
            "confirmed_by",
            "confirmed_at",
            "duty_score",
            "total_score",
            "performance_inputs",
            "outcome",
            "outcome_reason",
        ]
    )
    return ConfirmResult(a, change, note)


@dataclass
class ConfirmManyResult:
    confirmed: list[ConfirmResult] = field(default_factory=list)
    refused: list[tuple[Assessment, str]] = field(default_factory=list)


def assessments_confirm_period(
    *, actor, branch: Branch, period: str, starts_on: dt.date, team=None
) -> ConfirmManyResult:
    """Confirm every draft of the branch's period that the actor may confirm, one by one
    (each in its own transaction: one that is refused — the lead has not marked, a level
    change clashes — leaves the others confirmed, and says why)."""
    if not has_perm(actor, roles.ASSESS) or not confirm_branches(actor).filter(pk=branch.pk).exists():
        raise PermissionDenied(_("Only the branch manager or deputy manager confirms assessments."))
    if period not in rules.PERIODS or not isinstance(starts_on, dt.date):
        raise ValidationError({"period": _("Choose monthly, quarterly or yearly.")})
    start, _end = rules.period_bounds(period, starts_on)
    drafts = (
        visible(actor, Assessment, roles.ASSESS)
        .filter(branch=branch, period=period, starts_on=start, status=Assessment.Status.DRAFT)
        .select_related("branch", "staff")
        .order_by("staff__emp_no")
    )
    if team is not None:
        drafts = drafts.filter(team=team)
    result = ConfirmManyResult()
    for a in drafts:
        if not may_confirm(actor, a):
            raise PermissionDenied(_("Only the branch manager or deputy manager confirms assessments."))
        try:
            result.confirmed.append(assessment_confirm(actor=actor, assessment=a))
        except (ValidationError, PermissionDenied) as exc:
            result.refused.append((a, " ".join(getattr(exc, "messages", [str(exc)]))))
    return result


def _move_level(*, actor, a: Assessment, today: dt.date) -> tuple[LevelChange | None, str, str]:
    """(the change made, or None and why not, and the level the person holds)."""
    staff = Staff.objects.select_for_update().get(pk=a.staff_id)
    effective = rules.next_period_start(a.ends_on)
    previous_id = levels_on([staff.pk], effective - dt.timedelta(days=1)).get(staff.pk)
    ladder = [rules.Rung(lv.pk, lv.rank, lv.name) for lv in Level.objects.all()]
    names = {r.id: r.name for r in ladder}
    rung, why = rules.next_rung(ladder, previous_id, a.outcome)
    if rung is None:
        return None, why, names.get(previous_id, "")
    clash = LevelChange.objects.filter(staff=staff, effective_from=effective).first()
    if clash is not None:
        raise ValidationError(
            {
                "status": _(
                    "%(name)s already has a level change from %(day)s (%(reason)s): "
                    "settle it before confirming."
                )
                % {"name": staff.name, "day": effective.isoformat(), "reason": clash.get_reason_display()}
            }
        )
    # The first change of someone without a history also records the level they had, so that
    # ``level_on`` of an earlier day keeps answering the old level after Staff.level moves.
    if not LevelChange.objects.filter(staff=staff, effective_from__lt=effective).exists() and previous_id:
        since = staff.hired_on if staff.hired_on and staff.hired_on < effective else a.starts_on
        LevelChange.objects.create(
            staff=staff,
            level_id=previous_id,
            previous=None,
            effective_from=since,
            reason=LevelChange.Reason.HIRED,
            note=_("Level held before the first assessment that moved it."),
            decided_by=actor,
        )
    reason = LevelChange.Reason.YEARLY if a.period == Assessment.Period.YEAR else LevelChange.Reason.QUARTERLY
    try:
        with transaction.atomic():
            change = LevelChange.objects.create(
                staff=staff,
                level_id=rung.id,
                previous_id=previous_id,
                effective_from=effective,
                reason=reason,
                note=a.outcome_reason[:300],
                assessment=a,
                decided_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            {"status": _("The level change was recorded at the same moment: reload.")}
        ) from None
    # The person's level is today's: move it once the day has come and no later change is in force.
    later = LevelChange.objects.filter(staff=staff, effective_from__gt=effective, effective_from__lte=today)
    if effective <= today and not later.exists():
        staff.level_id = rung.id
        staff._history_user = actor
        staff.save(update_fields=["level"])
    return change, "", rung.name


def apply_due_level_changes(*, today: dt.date | None = None) -> int:
    """Bring Staff.level up to date with changes whose day has come (for changes confirmed
    ahead of their day; a daily task may call it). Returns the number of people moved."""
    today = today or timezone.localdate()
    moved = 0
    latest: dict[int, int] = {}
    for staff_id, level_id in (
        LevelChange.objects.filter(effective_from__lte=today)
        .order_by("staff_id", "effective_from", "id")
        .values_list("staff_id", "level_id")
    ):
        latest[staff_id] = level_id
    current = dict(Staff.objects.filter(pk__in=list(latest)).values_list("pk", "level_id"))
    for staff_id, level_id in latest.items():
        if current.get(staff_id) != level_id:
            moved += Staff.objects.filter(pk=staff_id).update(level_id=level_id)
    return moved


# --- configuration ---------------------------------------------------------------------------


def _require_config(actor) -> None:
    if not has_perm(actor, CONFIG_PERM):
        raise PermissionDenied(_("The assessment rules are kept by channel management."))


def _decimal(values: dict, name: str, errors: dict, *, low=Decimal(0), high=Decimal(100)) -> Decimal | None:
    raw = values.get(name)
    try:
        number = Decimal(str(raw).strip())
    except (InvalidOperation, TypeError, ValueError):
        errors[name] = _("Enter a number.")
        return None
    if not number.is_finite() or number < low or number > high:
        errors[name] = _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        return None
    return number.quantize(Decimal("0.01"))


POLICY_FIELDS = ("duty_weight", "performance_weight", "promote_from", "demote_below", "monthly_floor")


@transaction.atomic
def policy_save(*, actor, policy: AssessmentPolicy, **values) -> AssessmentPolicy:
    """Change the weights and thresholds. Drafts follow when they are generated again;
    confirmed assessments keep the rules they were confirmed under."""
    _require_config(actor)
    errors: dict = {}
    clean = {name: _decimal(values, name, errors) for name in POLICY_FIELDS if name in values}
    if "floor_months" in values:
        try:
            months = int(values["floor_months"])
        except (TypeError, ValueError):
            months = -1
        if not 1 <= months <= 12:
            errors["floor_months"] = _("Enter a number of months from 1 to 12.")
        clean["floor_months"] = months
    if "name" in values:
        name = str(values["name"] or "").strip()
        if not name:
            errors["name"] = _("Give the policy a name.")
        clean["name"] = name[:80]
    if errors:
        raise ValidationError(errors)
    merged = {f: clean.get(f, getattr(policy, f)) for f in (*POLICY_FIELDS, "floor_months", "name")}
    if merged["duty_weight"] + merged["performance_weight"] <= 0:
        errors["duty_weight"] = _("The duty and performance weights cannot both be zero.")
    if merged["demote_below"] > merged["promote_from"]:
        errors["demote_below"] = _("The level-down line cannot be above the level-up line.")
    if errors:
        raise ValidationError(errors)
    for name, value in clean.items():
        setattr(policy, name, value)
    policy._history_user = actor
    policy.save()
    return policy


@transaction.atomic
def duty_item_save(*, actor, item: DutyItem | None = None, **values) -> DutyItem:
    """Add a checklist item or change one (name, source, weight, active, order). Items are
    never deleted: an item no longer used is made inactive, and past assessments keep it."""
    _require_config(actor)
    errors: dict = {}
    item = item or DutyItem()
    if "name" in values or item.pk is None:
        name = str(values.get("name") or "").strip()
        if not name:
            errors["name"] = _("Give the item a name.")
        item.name = name[:80]
    if "code" in values or item.pk is None:
        code = str(values.get("code") or "").strip()
        if not code:
            errors["code"] = _("Give the item a code.")
        elif DutyItem.objects.filter(code=code).exclude(pk=item.pk).exists():
            errors["code"] = _("Another item has this code.")
        item.code = code[:30]
    if "source" in values or item.pk is None:
        if values.get("source") not in DutyItem.Source.values:
            errors["source"] = _("Choose what the item is scored from.")
        else:
            item.source = values["source"]
    if "weight" in values or item.pk is None:
        weight = _decimal(values, "weight", errors)
        if weight is not None:
            item.weight = weight
    if "is_active" in values:
        item.is_active = bool(values["is_active"])
    if "order" in values:
        try:
            item.order = max(0, int(values["order"]))
        except (TypeError, ValueError):
            errors["order"] = _("Enter a whole number.")
    if errors:
        raise ValidationError(errors)
    others = DutyItem.objects.filter(is_active=True).exclude(pk=item.pk)
    total = sum((i.weight for i in others), Decimal(0)) + (item.weight if item.is_active else Decimal(0))
    if total <= 0:
        raise ValidationError({"weight": _("At least one active item must carry weight.")})
    try:
        with transaction.atomic():
            item.full_clean()
            item.save()
    except IntegrityError:
        raise ValidationError({"code": _("Another item has this code.")}) from None
    return item
