"""The clients API: each area registers its viewsets and extra paths."""

from brokerdesk.clients import api_clients, api_confirmations, api_inquiries, api_reports, api_visits

AREAS = (api_clients, api_confirmations, api_visits, api_inquiries, api_reports)


def register(router) -> None:
    for area in AREAS:
        area.register(router)


def extra_urls() -> list:
    return [p for area in AREAS for p in area.urlpatterns]
