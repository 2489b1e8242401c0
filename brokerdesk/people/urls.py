"""People and archives pages; each area's module lists its own paths."""

from brokerdesk.people import views_archive, views_home, views_recruitment, views_training

app_name = "people"

urlpatterns = [
    *views_home.urlpatterns,
    *views_archive.urlpatterns,
    *views_recruitment.urlpatterns,
    *views_training.urlpatterns,
]
