from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "brokerdesk.people"
    verbose_name = _("People and archives")

    def ready(self):
        from brokerdesk.people import services_recruitment  # noqa: F401  (approval handler)
