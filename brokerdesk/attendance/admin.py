from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from brokerdesk.attendance.models import (
    CalendarException,
    DailyRecord,
    LeaveRequest,
    LeaveType,
    Outing,
    Patrol,
    Policy,
    PunchCorrection,
)


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    """Local days off or extra working days on top of the national calendar."""

    list_display = ["day", "branch", "is_workday", "note"]
    list_filter = ["is_workday", "branch"]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "grace_minutes",
        "free_late_early_per_month",
        "deduction_per_excess",
        "corrections_per_month",
    ]


@admin.register(LeaveType)
class LeaveTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "notice_days", "annual_days", "flow_code"]


@admin.register(DailyRecord)
class DailyRecordAdmin(SimpleHistoryAdmin):
    list_display = ["day", "staff", "check_in", "check_out", "source"]
    list_filter = ["source", "day"]
    raw_id_fields = ["staff", "outlet", "updated_by"]
    list_select_related = ["staff"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Requests change only through their approval; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LeaveRequest)
class LeaveRequestAdmin(ReadOnlyAdmin):
    list_display = ["staff", "leave_type", "starts_on", "ends_on", "days", "status", "is_late"]
    list_filter = ["status", "leave_type"]


@admin.register(PunchCorrection)
class PunchCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["staff", "day", "kind", "at", "status"]


@admin.register(Outing)
class OutingAdmin(ReadOnlyAdmin):
    list_display = ["staff", "starts_at", "destination", "status", "check_result"]


@admin.register(Patrol)
class PatrolAdmin(ReadOnlyAdmin):
    list_display = ["day", "outlet", "lead"]
