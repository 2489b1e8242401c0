"""Placeholder: replaced by the confirmations pages."""

from django.http import Http404
from django.urls import path


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("confirmations/", _todo, name="confirmation-list"),
    path("confirmations/<int:pk>/", _todo, name="confirmation-detail"),
    path("confirmations/batches/", _todo, name="batch-list"),
]
