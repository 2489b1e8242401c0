"""Archive register pages; each area's module lists its own paths."""

from brokerdesk.archives import views_home

app_name = "archives"

urlpatterns = [
    *views_home.urlpatterns,
]
