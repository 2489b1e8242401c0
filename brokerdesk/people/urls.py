"""People and archives pages; each area's module lists its own paths."""

from brokerdesk.people import views_home

app_name = "people"

urlpatterns = [
    *views_home.urlpatterns,
]
