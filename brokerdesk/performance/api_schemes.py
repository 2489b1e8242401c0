"""API: schemes."""

urlpatterns: list = []


def register(router) -> None:
    pass
