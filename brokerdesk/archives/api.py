"""Archive register API: each area's module registers its viewsets and paths."""

from brokerdesk.archives import api_register

AREAS: list = [api_register]


def register(router) -> None:
    for area in AREAS:
        area.register(router)


def extra_urls() -> list:
    return [p for area in AREAS for p in area.urlpatterns]
