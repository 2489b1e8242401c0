from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "brokerdesk.clients"
    verbose_name = _("Clients and service")

    def ready(self):
        from brokerdesk.clients import services  # noqa: F401  (approval handlers)
