"""Placeholder: replaced by the reports pages."""

from django.http import Http404
from django.urls import path


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("reports/quarterly/", _todo, name="quarter-report"),
]
