from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklogsConfig(AppConfig):
    name = "brokerdesk.worklogs"
    label = "worklogs"
    verbose_name = _("Work logs")
