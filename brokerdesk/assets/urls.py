"""Office assets pages; each area's module lists its own paths."""

from brokerdesk.assets import views_assets, views_handover, views_home

app_name = "assets"

urlpatterns = [
    *views_home.urlpatterns,
    *views_assets.urlpatterns,
    *views_handover.urlpatterns,
]
