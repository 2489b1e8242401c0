"""Subjects of approval (plans, pay schemes, leave…) register a handler that hears every
status change of their request, inside the same transaction."""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}


def on_status_change(model_label: str):
    def register(fn: Callable) -> Callable:
        HANDLERS[model_label] = fn
        return fn

    return register


def notify_subject(request, status: str) -> None:
    handler = HANDLERS.get(request.subject_type.model_class()._meta.label)
    if handler is not None:
        handler(request=request, status=status)


# The status a subject record takes when its request moves (plans, standards, leave…
# all use these values for their own workflow field).
SUBJECT_STATUS = {
    "pending": "in_approval",
    "returned": "returned",
    "approved": "approved",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
}
