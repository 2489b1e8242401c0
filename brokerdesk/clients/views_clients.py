"""Placeholder: replaced by the clients pages."""

from django.http import Http404
from django.urls import path


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("", _todo, name="list"),
    path("<int:pk>/", _todo, name="detail"),
    path("new/", _todo, name="create"),
    path("tiers/", _todo, name="tiers"),
    path("due/", _todo, name="due"),
    path("figures/import/", _todo, name="figures-import"),
]
