"""API: pay."""

urlpatterns: list = []


def register(router) -> None:
    pass
