"""Pages: import (filled in by its area)."""

urlpatterns: list = []
