"""Client pages; each area's module lists its own paths."""

from brokerdesk.clients import (
    views_clients,
    views_confirmations,
    views_inquiries,
    views_reports,
    views_visits,
)

app_name = "clients"

urlpatterns = [
    *views_clients.urlpatterns,
    *views_confirmations.urlpatterns,
    *views_visits.urlpatterns,
    *views_inquiries.urlpatterns,
    *views_reports.urlpatterns,
]
