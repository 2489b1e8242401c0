from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "brokerdesk.performance"
    verbose_name = _("Statistics, pay and assessment")

    def ready(self):
        from brokerdesk.performance import (  # noqa: F401  (approval handlers)
            services_report,
            services_schemes,
        )
