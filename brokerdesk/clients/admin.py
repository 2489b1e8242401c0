from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from brokerdesk.clients.models import ServicePolicy, Tier


@admin.register(Tier)
class TierAdmin(SimpleHistoryAdmin):
    list_display = ["rank", "code", "name", "min_assets", "min_revenue", "visit_every_days", "active"]


@admin.register(ServicePolicy)
class ServicePolicyAdmin(SimpleHistoryAdmin):
    list_display = ["overlap_days", "followup_days", "acknowledge_hours"]
