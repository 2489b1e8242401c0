"""API: import."""

urlpatterns: list = []


def register(router) -> None:
    pass
