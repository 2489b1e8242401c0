"""Pages: schemes (filled in by its area)."""

urlpatterns: list = []
