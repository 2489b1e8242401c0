"""The roles of DESIGN.md and what each may do.

A role grants a *scope level* (how much of the organisation tree it sees) and a set of
*permissions* (what it may do inside that scope). Both are data here so that one module,
``access.scope``, can turn them into querysets for pages, API, exports and search alike.
"""

from dataclasses import dataclass
from enum import IntEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopeLevel(IntEnum):
    NONE = 0  # configuration only: sees no business records
    SELF = 1  # own records
    ASSIGNED = 2  # the client managers assigned to a regional manager
    TEAM = 3
    BRANCH = 4
    REGION = 5
    COMPANY = 6


class Role(models.TextChoices):
    CLIENT_MANAGER = "client_manager", _("Client manager")
    REGIONAL_MANAGER = "regional_manager", _("Regional manager")
    TEAM_LEAD = "team_lead", _("Team lead")
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    DEPUTY_MANAGER = "deputy_manager", _("Deputy / assistant manager")
    ACCOUNTANT = "accountant", _("Chief accountant / finance")
    TRADE_MANAGEMENT = "trade_management", _("Trade-management post")
    ASSET_KEEPER = "asset_keeper", _("Asset keeper")
    ATTENDANCE_RECORDER = "attendance_recorder", _("Attendance recorder")
    REGION_HEAD = "region_head", _("Regional HQ head")
    INTEGRATED_OFFICE = "integrated_office", _("Brokerage integrated office")
    CHANNEL_MANAGEMENT = "channel_management", _("Channel management dept")
    COUNTERSIGN_DEPT = "countersign_dept", _("Countersigning department")
    VICE_PRESIDENT = "vice_president", _("Supervising vice-president")
    SYSADMIN = "sysadmin", _("System administrator")


# Permissions. "view" is seeing records in scope; the others are changes.
VIEW = "view"
VIEW_SENSITIVE = "view_sensitive"  # full ID number and mobile (each view is logged)
STAFF_CHANGE = "staff.change"
TEAM_CHANGE = "team.change"
OUTLET_CHANGE = "outlet.change"
BANK_CHANGE = "bank.change"
AGREEMENT_CHANGE = "agreement.change"
ORG_CHANGE = "org.change"  # regional HQs, branches, departments
PLAN_CHANGE = "plan.change"  # draft, submit, revise and decompose a team's plans and standards
ACTUALS_CHANGE = "actuals.change"  # enter or import monthly actual figures
ATTENDANCE_RECORD = "attendance.record"  # keep the daily attendance sheet by hand
OUTING_CHECK = "attendance.check"  # check outings afterwards, patrol outlets, see the team's sheet
SPOTCHECK = "worklog.spotcheck"  # draw a spot-check of a team's work logs and record results (第五条(一))
MEETING_CHANGE = "meeting.change"  # record a team's morning, weekly and monthly meetings (第九条, 第十条)
CLIENT_CHANGE = "client.change"  # bring in clients (own, for a client manager) and edit their profile
CLIENT_ASSIGN = "client.assign"  # reassign a client's responsible manager; set a tier by hand
CLIENT_FIGURES = "client.figures"  # enter or import clients' monthly assets and revenue
TIER_CONFIG = "client.tiers"  # define key-account tiers, their rules and service standards
CONFIRMATION_ARCHIVE = "client.archive"  # file signed confirmation forms and close monthly batches
VISIT_VERIFY = "visit.verify"  # verify a month's visit logs with an opinion; write the quarterly analysis
INQUIRY_RECORD = "inquiry.record"  # record inquiry calls and account-opening appointments
PAY_VIEW = "pay.view"  # see everyone's pay in scope (others see only their own pay slips)
PAY_RUN = "pay.run"  # import CRM figures, compute and review pay, adjust, annotate statistics
PAY_SCHEME = "pay.scheme"  # draft pay schemes and send them for approval
ASSESS = "assess"  # score the duty checklist and confirm assessments and level changes
ASSESS_CONFIG = "assess.config"  # the duty checklist and the assessment policy (company-wide)
# People, archives and assets (第十一至十四、十八至二十五条).
ARCHIVE_CHANGE = (
    "people.archive"  # keep personnel files: documents, contracts, licences, rewards and punishments
)
ARCHIVE_VERIFY = "people.verify"  # the designated person who checks originals and candidates' documents
RECRUIT = "people.recruit"  # record candidates, pre-job training, evaluations; propose a decision
TRAINING_RECORD = "people.training"  # record training programmes, sessions, attendance and results
REGISTER_FILE = "archive.file"  # file documents in the archive register and close a month's batch
ASSET_KEEP = "asset.keep"  # keep the asset register and its ledger, record incidents
HANDOVER = "people.handover"  # start a departure or transfer handover and complete it


@dataclass(frozen=True)
class RoleDef:
    level: ScopeLevel
    perms: frozenset[str]
    anchor: str  # which field of RoleAssignment locates the scope: "", "region", "branch", "team"


_BRANCH_ADMIN = frozenset(
    {
        VIEW,
        VIEW_SENSITIVE,
        STAFF_CHANGE,
        TEAM_CHANGE,
        OUTLET_CHANGE,
        AGREEMENT_CHANGE,
        PLAN_CHANGE,
        ACTUALS_CHANGE,
        SPOTCHECK,
        ATTENDANCE_RECORD,
        OUTING_CHECK,
        MEETING_CHANGE,
        CLIENT_CHANGE,
        CLIENT_ASSIGN,
        CLIENT_FIGURES,
        VISIT_VERIFY,
        INQUIRY_RECORD,
        PAY_VIEW,
        PAY_SCHEME,
        ASSESS,
        ARCHIVE_CHANGE,
        RECRUIT,
        TRAINING_RECORD,
        REGISTER_FILE,
        ASSET_KEEP,
        HANDOVER,
    }
)

ROLE_DEFS: dict[str, RoleDef] = {
    Role.CLIENT_MANAGER: RoleDef(ScopeLevel.SELF, frozenset({VIEW, CLIENT_CHANGE, INQUIRY_RECORD}), ""),
    Role.REGIONAL_MANAGER: RoleDef(ScopeLevel.ASSIGNED, frozenset({VIEW, CLIENT_CHANGE, INQUIRY_RECORD}), ""),
    Role.TEAM_LEAD: RoleDef(
        ScopeLevel.TEAM,
        frozenset(
            {
                VIEW,
                PLAN_CHANGE,
                ACTUALS_CHANGE,
                SPOTCHECK,
                OUTING_CHECK,
                MEETING_CHANGE,
                CLIENT_CHANGE,
                VISIT_VERIFY,
                INQUIRY_RECORD,
                ASSESS,
                TRAINING_RECORD,
            }
        ),
        "team",
    ),
    Role.BRANCH_MANAGER: RoleDef(ScopeLevel.BRANCH, _BRANCH_ADMIN, "branch"),
    Role.DEPUTY_MANAGER: RoleDef(ScopeLevel.BRANCH, _BRANCH_ADMIN, "branch"),
    Role.ACCOUNTANT: RoleDef(
        ScopeLevel.BRANCH,
        frozenset({VIEW, ACTUALS_CHANGE, CLIENT_FIGURES, PAY_VIEW, PAY_RUN, PAY_SCHEME}),
        "branch",
    ),
    Role.TRADE_MANAGEMENT: RoleDef(
        ScopeLevel.BRANCH,
        frozenset(
            {
                VIEW,
                VIEW_SENSITIVE,
                STAFF_CHANGE,
                OUTLET_CHANGE,
                ACTUALS_CHANGE,
                CLIENT_CHANGE,
                CLIENT_ASSIGN,
                CLIENT_FIGURES,
                CONFIRMATION_ARCHIVE,
                INQUIRY_RECORD,
                ARCHIVE_CHANGE,
                ARCHIVE_VERIFY,
                RECRUIT,
                TRAINING_RECORD,
                REGISTER_FILE,
                HANDOVER,
            }
        ),
        "branch",
    ),
    Role.ASSET_KEEPER: RoleDef(ScopeLevel.BRANCH, frozenset({VIEW, ASSET_KEEP}), "branch"),
    Role.ATTENDANCE_RECORDER: RoleDef(ScopeLevel.BRANCH, frozenset({VIEW, ATTENDANCE_RECORD}), "branch"),
    Role.REGION_HEAD: RoleDef(ScopeLevel.REGION, frozenset({VIEW}), "region"),
    # The integrated office keeps the filed pay reports (第十五条).
    Role.INTEGRATED_OFFICE: RoleDef(
        ScopeLevel.COMPANY, frozenset({VIEW, BANK_CHANGE, PAY_VIEW, REGISTER_FILE}), ""
    ),
    Role.CHANNEL_MANAGEMENT: RoleDef(
        ScopeLevel.COMPANY,
        frozenset(
            {
                VIEW,
                TEAM_CHANGE,
                OUTLET_CHANGE,
                BANK_CHANGE,
                AGREEMENT_CHANGE,
                ORG_CHANGE,
                TIER_CONFIG,
                ASSESS_CONFIG,
                TRAINING_RECORD,
            }
        ),
        "",
    ),
    # A countersigning department (compliance, HR, finance…) sees the company for its
    # function; HR also keeps staff records.
    Role.COUNTERSIGN_DEPT: RoleDef(
        ScopeLevel.COMPANY,
        frozenset(
            {
                VIEW,
                VIEW_SENSITIVE,
                STAFF_CHANGE,
                ARCHIVE_CHANGE,
                ARCHIVE_VERIFY,
                RECRUIT,
                TRAINING_RECORD,
                HANDOVER,
            }
        ),
        "",
    ),
    Role.VICE_PRESIDENT: RoleDef(ScopeLevel.COMPANY, frozenset({VIEW}), ""),
    Role.SYSADMIN: RoleDef(ScopeLevel.NONE, frozenset(), ""),
}
