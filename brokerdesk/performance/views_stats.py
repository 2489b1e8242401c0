"""Pages: stats (filled in by its area)."""

urlpatterns: list = []
