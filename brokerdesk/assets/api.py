"""Office assets API: each area's module registers its viewsets and paths."""

from brokerdesk.assets import api_assets, api_handover

# The handover's routes first: "assets/handovers/" must not be taken for an asset's detail.
AREAS: list = [api_handover, api_assets]


def register(router) -> None:
    for area in AREAS:
        area.register(router)


def extra_urls() -> list:
    return [p for area in AREAS for p in area.urlpatterns]
