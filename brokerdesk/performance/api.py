"""The statistics, pay and assessment API: each area registers its viewsets and extra paths."""

from brokerdesk.performance import api_assess, api_import, api_pay, api_report, api_schemes, api_stats

AREAS = (api_import, api_stats, api_schemes, api_pay, api_report, api_assess)


def register(router) -> None:
    for area in AREAS:
        area.register(router)


def extra_urls() -> list:
    return [p for area in AREAS for p in area.urlpatterns]
