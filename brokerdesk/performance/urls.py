"""Statistics, pay and assessment pages; each area's module lists its own paths."""

from brokerdesk.performance import (
    views_assess,
    views_home,
    views_import,
    views_pay,
    views_report,
    views_schemes,
    views_stats,
)

app_name = "performance"

urlpatterns = [
    *views_home.urlpatterns,
    *views_import.urlpatterns,
    *views_stats.urlpatterns,
    *views_schemes.urlpatterns,
    *views_pay.urlpatterns,
    *views_report.urlpatterns,
    *views_assess.urlpatterns,
]
