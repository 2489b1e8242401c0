"""API: assess."""

urlpatterns: list = []


def register(router) -> None:
    pass
