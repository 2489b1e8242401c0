"""Archive register pages; each area's module lists its own paths."""

from brokerdesk.archives import views_batches, views_register

app_name = "archives"

urlpatterns = [
    *views_register.urlpatterns,
    *views_batches.urlpatterns,
]
