"""Scope rules of archive register; joined into ``access.scope.RULES``.

Imported at the end of ``access.scope``, so the shared rule helpers are defined.

第二十五条: 档案的查阅原则是团队负责人以上人员、公司相关部门人员、客户经理可以要求查阅与本人相关的资料.
- Company roles (integrated office, channel management, countersigning departments, the
  vice-president) see every branch's register; a regional HQ head their region's.
- A branch's managers, its trade-management post and its finance see the branch's register;
  so does a team lead (the register is the branch's, as the confirmation-form batches are).
- A client manager or regional manager sees only the entries whose original they hold now
  (their custody), with that entry's trail; never the branch's register, never its batches.
- The asset keeper and the attendance recorder (posts with a function of their own) see
  only what they hold, like a client manager.
Who may file and close is the ``archive.file`` permission over the same rule.
"""

from collections.abc import Callable

from django.db.models import Model, Q

from brokerdesk.access.roles import Role, ScopeLevel
from brokerdesk.access.scope import NOTHING, Grant, _by_branch
from brokerdesk.archives.models_register import CustodyMove, RegisterBatch, RegisterEntry

# Branch posts whose function is not the register: they see only what they hold.
_NOT_REGISTER_ROLES = {Role.ASSET_KEEPER, Role.ATTENDANCE_RECORDER}


def _reads_register(g: Grant) -> bool:
    return g.level >= ScopeLevel.TEAM and g.role not in _NOT_REGISTER_ROLES


def _held(g: Grant, p: str = "") -> Q:
    return Q(**{f"{p}custodian_id": g.staff_id}) if g.staff_id else NOTHING


def _entry_rule(g: Grant, p: str = "") -> Q:
    """Register entries, or (with a prefix such as ``entry__``) what belongs to one."""
    if not _reads_register(g):
        return _held(g, p)
    # A team lead's grant carries the branch; _by_branch gives the branch for it. An original
    # is only ever passed to someone of its branch or of the head office (services), so what a
    # reader of the register holds is already inside this filter: no OR that would keep the
    # list off its (branch, month, serial) index.
    return _by_branch(g, p)


def _batch_rule(g: Grant) -> Q:
    return _by_branch(g) if _reads_register(g) else NOTHING


RULES: dict[type[Model], Callable[..., Q]] = {
    RegisterEntry: _entry_rule,
    RegisterBatch: _batch_rule,
    CustodyMove: lambda g: _entry_rule(g, "entry__"),
}
