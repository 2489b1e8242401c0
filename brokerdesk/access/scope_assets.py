"""Scope rules of office assets; joined into ``access.scope.RULES``.

Imported at the end of ``access.scope``, so the shared rule helpers are defined.

第十一至十四条: the asset keeper (实物管理专人) and the branch's managers see the branch's
register; a team lead the team's assets — those allocated to the team and those its members
hold (outlets are shared by the teams of a branch, so an outlet does not say whose an item
is); a regional manager what they and the managers assigned to them hold; a client manager
what they hold. Ledger lines and incidents follow the same lines: below the branch, a person
sees the movements and incidents that concern them and theirs.
"""

from collections.abc import Callable

from django.db.models import Model, Q

from brokerdesk.access.roles import ScopeLevel
from brokerdesk.access.scope import EVERYTHING, NOTHING, Grant, _by_branch, _staff_ids  # noqa: F401
from brokerdesk.assets.models_assets import Asset, Holding, Incident, LedgerLine

_WIDE = (ScopeLevel.COMPANY, ScopeLevel.REGION, ScopeLevel.BRANCH)


def _holders(g: Grant):
    """The people whose holdings a below-branch grant covers, as a subquery."""
    return _staff_ids(g) if g.staff_id or g.team_id else None


def _in_branch(g: Grant) -> Q:
    # A team's assets, movements and incidents are all of its branch: items are issued only to
    # people of the asset's branch, and a team belongs to one branch.
    return Q(branch_id=g.branch_id) if g.branch_id else NOTHING


def _asset_rule(g: Grant) -> Q:
    if g.level in _WIDE:
        return _by_branch(g)
    people = _holders(g)
    held = (
        Q(pk__in=Holding.objects.filter(staff_id__in=people).values("asset_id"))
        if people is not None
        else NOTHING
    )
    if g.level == ScopeLevel.TEAM and g.team_id:
        # Within the team's branch (where its assets and members are): the branch's index
        # narrows the scan before the OR is tested.
        return _in_branch(g) & (Q(team_id=g.team_id) | held)
    return held


def _line_rule(g: Grant) -> Q:
    if g.level in _WIDE:
        return _by_branch(g)
    people = _holders(g)
    if people is None:
        return NOTHING
    theirs = Q(from_staff_id__in=people) | Q(to_staff_id__in=people)
    if g.level == ScopeLevel.TEAM and g.team_id:
        return _in_branch(g) & (Q(asset__team_id=g.team_id) | theirs)
    return theirs


def _holding_rule(g: Grant) -> Q:
    if g.level in _WIDE:
        return _by_branch(g, "asset__")
    people = _holders(g)
    if people is None:
        return NOTHING
    if g.level == ScopeLevel.TEAM and g.team_id:
        return Q(asset__team_id=g.team_id) | Q(staff_id__in=people)
    return Q(staff_id__in=people)


def _incident_rule(g: Grant) -> Q:
    if g.level in _WIDE:
        return _by_branch(g)
    people = _holders(g)
    if people is None:
        return NOTHING
    if g.level == ScopeLevel.TEAM and g.team_id:
        return _in_branch(g) & (Q(asset__team_id=g.team_id) | Q(responsible_id__in=people))
    return Q(responsible_id__in=people)


RULES: dict[type[Model], Callable[..., Q]] = {
    Asset: _asset_rule,
    Holding: _holding_rule,
    LedgerLine: _line_rule,
    Incident: _incident_rule,
}


# --- Departure and transfer handover (helper E) ---------------------------------------------
# The person sees their own checklist, a receiver the lines addressed to them, a team lead
# the team's; at branch level and above, those who run a handover (HANDOVER), receive returned
# assets (ASSET_KEEP) or acknowledge pay (PAY_RUN) see the branch's. Other branches nothing.
from brokerdesk.access.roles import ASSET_KEEP, HANDOVER, PAY_RUN  # noqa: E402
from brokerdesk.assets.models_handover import Handover, HandoverEvent, HandoverLine  # noqa: E402

_HANDOVER_DESK = frozenset({HANDOVER, ASSET_KEEP, PAY_RUN})


def _handover_desk(g: Grant) -> bool:
    return g.level in _WIDE and bool(g.perms & _HANDOVER_DESK)


def _handover_rule(g: Grant) -> Q:
    if _handover_desk(g):
        return _by_branch(g)
    if not g.staff_id:
        return NOTHING
    received = HandoverLine.objects.filter(receiver_id=g.staff_id).values("handover_id")
    own = Q(staff_id=g.staff_id) | Q(pk__in=received)
    if g.level == ScopeLevel.TEAM and g.team_id:
        return Q(team_id=g.team_id) | own
    return own


def _handover_line_rule(g: Grant) -> Q:
    if _handover_desk(g):
        return _by_branch(g, "handover__")
    if not g.staff_id:
        return NOTHING
    own = Q(handover__staff_id=g.staff_id) | Q(receiver_id=g.staff_id)
    if g.level == ScopeLevel.TEAM and g.team_id:
        return Q(handover__team_id=g.team_id) | own
    return own


def _handover_event_rule(g: Grant) -> Q:
    if _handover_desk(g):
        return _by_branch(g, "handover__")
    if not g.staff_id:
        return NOTHING
    own = Q(handover__staff_id=g.staff_id) | Q(line__receiver_id=g.staff_id)
    if g.level == ScopeLevel.TEAM and g.team_id:
        return Q(handover__team_id=g.team_id) | own
    return own


RULES.update(
    {Handover: _handover_rule, HandoverLine: _handover_line_rule, HandoverEvent: _handover_event_rule}
)
