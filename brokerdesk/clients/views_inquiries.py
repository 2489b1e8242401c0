"""Placeholder: replaced by the inquiries pages."""

from django.http import Http404
from django.urls import path


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("inquiries/", _todo, name="inquiry-list"),
    path("inquiries/<int:pk>/", _todo, name="inquiry-detail"),
    path("inquiries/new/", _todo, name="inquiry-create"),
]
