"""Scope rules of people and archives; joined into ``access.scope.RULES``.

Imported at the end of ``access.scope``, so the shared rule helpers are defined.
"""

from collections.abc import Callable

from django.db.models import Model, Q

from brokerdesk.access.roles import Role, ScopeLevel
from brokerdesk.access.scope import NOTHING, Grant, _staff_rule
from brokerdesk.people.models_archive import (
    ArchiveDocument,
    Contract,
    DocumentDownload,
    PersonnelFile,
    Qualification,
    RewardPunishment,
)

RULES: dict[type[Model], Callable[..., Q]] = {}

# --- Personnel archive (helper A) --------------------------------------------------------

# Branch posts with a function of their own (assets, the attendance sheet, finance) see
# the branch's staff for that function, not their personnel files (第二十五条: team lead and
# above, the relevant departments, and each person for their own).
_NOT_ARCHIVE_ROLES = {Role.ASSET_KEEPER, Role.ATTENDANCE_RECORDER, Role.ACCOUNTANT}


def _own_file_rule(g: Grant, p: str = "") -> Q:
    """Personnel files, or (with a prefix such as ``staff__``) what belongs to one.

    第二十五条: a client manager sees only their own file, and so does a regional manager
    (SELF and ASSIGNED are own-only here, unlike ``_staff_rule``); a team lead the team's;
    a branch, region or company grant its staff.
    """
    if g.role in _NOT_ARCHIVE_ROLES:
        return NOTHING
    if g.level in (ScopeLevel.SELF, ScopeLevel.ASSIGNED):
        return Q(**{f"{p}pk": g.staff_id}) if g.staff_id else NOTHING
    return _staff_rule(g, p)


def _download_log_rule(g: Grant) -> Q:
    # Who read a file is for those who keep and oversee it, not for the person themself.
    if g.level in (ScopeLevel.SELF, ScopeLevel.ASSIGNED):
        return NOTHING
    return _own_file_rule(g, "document__staff__")


RULES.update(
    {
        PersonnelFile: _own_file_rule,
        ArchiveDocument: lambda g: _own_file_rule(g, "staff__"),
        DocumentDownload: _download_log_rule,
        Contract: lambda g: _own_file_rule(g, "staff__"),
        Qualification: lambda g: _own_file_rule(g, "staff__"),
        RewardPunishment: lambda g: _own_file_rule(g, "staff__"),
    }
)

# --- Recruitment and training (helper B) -------------------------------------------------

from brokerdesk.access.roles import ARCHIVE_CHANGE, ARCHIVE_VERIFY, RECRUIT  # noqa: E402
from brokerdesk.access.scope import EVERYTHING, _by_branch, _either  # noqa: E402
from brokerdesk.people.models_recruitment import Candidate, CandidateDocument  # noqa: E402
from brokerdesk.people.models_training import (  # noqa: E402
    TrainingAttendance,
    TrainingProgramme,
    TrainingSession,
)

_RECRUITERS = {RECRUIT, ARCHIVE_CHANGE, ARCHIVE_VERIFY}


def _candidate_rule(g: Grant, p: str = "") -> Q:
    """Candidates (第二十条): the recruitment and archive roles of their branch and the company
    departments; nobody below branch level (a client manager or team lead sees none)."""
    if g.level < ScopeLevel.BRANCH or not (_RECRUITERS & g.perms):
        return NOTHING
    return _by_branch(g, p)


def _programme_rule(g: Grant) -> Q:
    # Programmes are the catalogue: the company's and those of the branches in scope.
    return _either(Q(branch__isnull=True), _by_branch(g))


def _attended(g: Grant, **where) -> Q:
    return Q(pk__in=TrainingAttendance.objects.filter(**where).values("session_id"))


def _session_rule(g: Grant) -> Q:
    """Sessions: the organiser's scope (team, branch, region, company) and, below branch
    level, the sessions the people in the grant's scope attended."""
    if g.level == ScopeLevel.COMPANY:
        return EVERYTHING
    if g.level == ScopeLevel.REGION:
        return Q(branch__region_id=g.region_id) | Q(branch__isnull=True)
    if g.level == ScopeLevel.BRANCH:
        return Q(branch_id=g.branch_id) | Q(branch__isnull=True) if g.branch_id else NOTHING
    own = _attended(g, staff_id=g.staff_id) if g.staff_id else NOTHING
    if g.level == ScopeLevel.TEAM:
        return Q(team_id=g.team_id) | _attended(g, staff__team_id=g.team_id) | own
    return own  # a client or regional manager: the sessions they attended


def _attendance_rule(g: Grant) -> Q:
    """Training records (第二十四条) are part of the personnel file and follow its rule: a
    person their own; a team lead the team's (and those of the team's own sessions); the
    branch's archive roles the branch's people and sessions; candidates' rows only for the
    recruitment roles."""
    if g.level == ScopeLevel.COMPANY and g.role not in _NOT_ARCHIVE_ROLES:
        return EVERYTHING
    people = _own_file_rule(g, "staff__")
    if g.level in (ScopeLevel.SELF, ScopeLevel.ASSIGNED) or g.role in _NOT_ARCHIVE_ROLES:
        return people
    if g.level == ScopeLevel.TEAM:
        return people | Q(session__team_id=g.team_id)
    return _either(
        people, Q(staff__isnull=False) & _by_branch(g, "session__"), _candidate_rule(g, "candidate__")
    )


RULES.update(
    {
        Candidate: _candidate_rule,
        CandidateDocument: lambda g: _candidate_rule(g, "candidate__"),
        TrainingProgramme: _programme_rule,
        TrainingSession: _session_rule,
        TrainingAttendance: _attendance_rule,
    }
)
