"""API: report."""

urlpatterns: list = []


def register(router) -> None:
    pass
