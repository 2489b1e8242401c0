"""API plumbing shared by every app: scoped viewsets and domain errors as 400s."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, viewsets
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from brokerdesk.access.scope import get_for_user, has_perm, visible


def exception_handler(exc, context):
    """Services raise Django's ValidationError; the API answers it as a 400 with field errors."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        # Model validation files record-wide errors under Django's "__all__"; API clients get
        # them under the same key as the serializer's own non-field errors.
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


class ScopedViewSet(viewsets.ModelViewSet):
    """A model viewset whose rows are the user's scope, and whose writes need ``change_perm``.

    Reads go through ``access.scope.visible``; an object outside the scope answers 404.
    Writes are refused (403) unless a role carries the change permission, and then go
    through the app's service, which checks that the record lands inside the scope.
    """

    change_perm = ""
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # no hard deletes

    def base_queryset(self):
        return self.queryset

    def get_queryset(self):
        return visible(self.request.user, self.base_queryset())

    def get_object(self):
        obj = get_for_user(self.request.user, self.filter_queryset(self.get_queryset()), self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not has_perm(request.user, self.change_perm):
            raise exceptions.PermissionDenied()
