"""Pages: pay (filled in by its area)."""

urlpatterns: list = []
