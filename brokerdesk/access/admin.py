from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from brokerdesk.access.models import RoleAssignment, SensitiveAccess


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "region", "branch", "team", "department"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__staff__name"]
    raw_id_fields = ["user", "team", "branch", "department"]
    list_select_related = ["user", "region", "branch", "team", "department"]


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(admin.ModelAdmin):
    """Read-only: the log of full views of masked fields is evidence, never edited."""

    list_display = ["at", "user", "model", "object_id", "field", "channel", "ip_address"]
    list_filter = ["channel", "field"]
    search_fields = ["user__username", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
