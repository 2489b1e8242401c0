"""Pages: assess (filled in by its area)."""

urlpatterns: list = []
