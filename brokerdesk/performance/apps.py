from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "brokerdesk.performance"
    verbose_name = _("Statistics, pay and assessment")

    def ready(self):
        from brokerdesk.performance import services_report, services_schemes  # noqa: F401  (approval handlers)
