"""API: stats."""

urlpatterns: list = []


def register(router) -> None:
    pass
