from django.core.exceptions import ValidationError


class ApprovalError(ValidationError):
    """A refused approval action; the message says why in the user's language."""


class RequestMoved(ApprovalError):
    """Someone else acted first: the task is no longer waiting for this user."""
