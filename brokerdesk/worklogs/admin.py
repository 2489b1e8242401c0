from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from brokerdesk.worklogs.models import SpotCheck, SpotCheckItem, WorkLog


@admin.register(WorkLog)
class WorkLogAdmin(SimpleHistoryAdmin):
    """Read-only: logs change through their author's page only (and never once checked)."""

    list_display = ["day", "staff", "visited", "created_at"]
    list_filter = ["day", "staff__branch"]
    search_fields = ["staff__name", "staff__emp_no", "work_done"]
    list_select_related = ["staff"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SpotCheckItemInline(admin.TabularInline):
    model = SpotCheckItem
    fields = ["position", "log", "weight", "reasons", "result", "comment", "checked_by", "checked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SpotCheck)
class SpotCheckAdmin(admin.ModelAdmin):
    """Read-only: a draw and its results are a record (第五条(一))."""

    list_display = ["created_at", "team", "period_start", "period_end", "seed", "completed_at"]
    list_filter = ["team__branch"]
    list_select_related = ["team"]
    inlines = [SpotCheckItemInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
