from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "brokerdesk.attendance"
    label = "attendance"
    verbose_name = _("Attendance")

    def ready(self) -> None:
        from brokerdesk.attendance import services  # noqa: F401 - registers approval handlers
