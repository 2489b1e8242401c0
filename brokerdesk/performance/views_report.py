"""Pages: report (filled in by its area)."""

urlpatterns: list = []
