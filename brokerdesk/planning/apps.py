from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "brokerdesk.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        # Registers the approval handlers of plans and standards.
        from brokerdesk.planning import services  # noqa: F401
