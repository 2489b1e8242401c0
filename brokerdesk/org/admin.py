from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

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


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]


@admin.register(Branch)
class BranchAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "city", "region", "is_active"]
    list_filter = ["region", "is_active"]
    search_fields = ["name", "code", "city"]


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "branch"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(PartnerBank)
class PartnerBankAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "short_name"]


@admin.register(Outlet)
class OutletAdmin(SimpleHistoryAdmin):
    list_display = ["name", "branch", "partner_bank", "opens_at", "closes_at", "weekdays", "is_active"]
    list_filter = ["branch__region", "partner_bank"]
    search_fields = ["name", "address"]
    list_select_related = ["branch", "partner_bank"]


@admin.register(CooperationAgreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "bank", "branch", "year", "starts_on", "ends_on"]
    list_filter = ["year", "bank"]
    filter_horizontal = ["outlets"]
    list_select_related = ["bank", "branch"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "branch", "lead", "status"]
    list_filter = ["status", "branch__region"]
    search_fields = ["name", "code"]
    raw_id_fields = ["lead"]
    list_select_related = ["branch", "lead"]


@admin.register(Level)
class LevelAdmin(SimpleHistoryAdmin):
    list_display = ["rank", "code", "name"]


class AssignmentInline(admin.TabularInline):
    model = StaffAssignment
    fk_name = "staff"
    extra = 0
    raw_id_fields = ["team", "outlet", "regional_manager", "recorded_by"]
    readonly_fields = ["recorded_at"]


@admin.register(Staff)
class StaffAdmin(SimpleHistoryAdmin):
    list_display = ["emp_no", "name", "position", "level", "status", "branch", "team"]
    list_filter = ["status", "position", "employment_type", "level"]
    search_fields = ["emp_no", "name", "pinyin_keys"]
    raw_id_fields = ["user", "team", "outlet", "regional_manager", "department", "branch"]
    list_select_related = ["level", "branch", "team"]
    inlines = [AssignmentInline]
