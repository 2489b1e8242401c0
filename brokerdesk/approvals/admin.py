from django.contrib import admin

from brokerdesk.approvals.models import Action, Delegation, Flow, Notification, Request, Step


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = [
        "order",
        "name",
        "kind",
        "role",
        "person",
        "departments",
        "names_countersign",
        "condition_key",
        "condition_op",
        "condition_value",
        "due_hours",
    ]
    raw_id_fields = ["person"]
    filter_horizontal = ["departments"]


@admin.register(Flow)
class FlowAdmin(admin.ModelAdmin):
    """Flows are data: the administrator adds, orders and conditions steps here."""

    list_display = ["code", "name", "is_active"]
    inlines = [StepInline]


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    can_delete = False
    fields = ["at", "kind", "step_name", "round", "actor", "on_behalf_of", "opinion", "attachment_name"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    """Read-only: requests change only through the engine, and their trail never."""

    list_display = ["title", "flow", "status", "current_step", "submitter", "submitted_at"]
    list_filter = ["status", "flow"]
    search_fields = ["title"]
    inlines = [ActionInline]
    list_select_related = ["flow", "current_step", "submitter"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["delegator", "delegate", "starts_on", "ends_on", "reason"]
    raw_id_fields = ["delegator", "delegate"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "text", "created_at", "read_at"]
    raw_id_fields = ["user"]
