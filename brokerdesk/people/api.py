"""People and archives API: each area's module registers its viewsets and paths."""

from brokerdesk.people import api_archive, api_recruitment, api_training

AREAS: list = [api_archive, api_recruitment, api_training]


def register(router) -> None:
    for area in AREAS:
        area.register(router)


def extra_urls() -> list:
    return [p for area in AREAS for p in area.urlpatterns]
