"""API of the clients area (registered by ``clients.api.register``)."""

urlpatterns: list = []  # extra non-router paths, mounted under /api/


def register(router) -> None:
    pass
