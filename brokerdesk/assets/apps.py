from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "brokerdesk.assets"
    verbose_name = _("Office assets")

    def ready(self):
        from brokerdesk.approvals.registry import on_status_change
        from brokerdesk.assets import services_assets

        # Incident charges go through the approvals engine (第十四条).
        on_status_change("assets.Incident")(services_assets.on_charge_status)
