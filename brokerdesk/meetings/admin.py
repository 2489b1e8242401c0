from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from brokerdesk.meetings.models import Attendance, Decision, Meeting


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["staff", "present", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DecisionInline(admin.TabularInline):
    model = Decision
    fields = ["position", "text", "owner", "due_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    """Read-only: minutes change through the recorder's page on their day only (第九条, 第十条)."""

    list_display = ["held_on", "kind", "team", "chair", "recorded_by", "created_at"]
    list_filter = ["kind", "team__branch"]
    search_fields = ["team__name", "chair__name"]
    list_select_related = ["team", "chair", "recorded_by"]
    date_hierarchy = "held_on"
    inlines = [AttendanceInline, DecisionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
