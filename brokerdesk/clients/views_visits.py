"""Placeholder: replaced by the visits pages."""

from django.http import Http404
from django.urls import path


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("visits/", _todo, name="visit-list"),
    path("visits/<int:pk>/", _todo, name="visit-detail"),
    path("visits/new/", _todo, name="visit-create"),
    path("visits/verify/", _todo, name="verify"),
    path("followups/", _todo, name="followup-list"),
    path("followups/<int:pk>/", _todo, name="followup-detail"),
    path("visits/overlaps/", _todo, name="overlap-report"),
]
