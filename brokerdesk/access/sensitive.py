"""Masked fields: who may see them in full, and the log row every full view leaves."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from brokerdesk.access.models import SensitiveAccess
from brokerdesk.access.roles import VIEW_SENSITIVE
from brokerdesk.access.scope import can, security_log
from brokerdesk.clients.models import Client, Inquiry
from brokerdesk.core.validators import mask_id_number, mask_mobile
from brokerdesk.org.models import Staff

MASKERS = {"id_number": mask_id_number, "mobile": mask_mobile}
SENSITIVE_FIELDS: dict[type, tuple[str, ...]] = {
    Staff: ("id_number", "mobile"),
    Client: ("id_number", "mobile"),
    Inquiry: ("mobile",),
}


def may_see_sensitive(user, obj) -> bool:
    """Roles with the sensitive-view permission over the record, and a person over their own."""
    if isinstance(obj, Staff) and obj.user_id and obj.user_id == getattr(user, "pk", None):
        return True
    if isinstance(obj, Client) and obj.manager.user_id and obj.manager.user_id == getattr(user, "pk", None):
        return True  # the responsible manager serves the client and needs the number
    if isinstance(obj, Inquiry) and getattr(user, "pk", None) in (
        obj.assigned_to.user_id,
        obj.received_by.user_id,
    ):
        return True  # whoever took the call or must call back
    return can(user, VIEW_SENSITIVE, obj)


def masked(obj, field: str) -> str:
    return MASKERS[field](getattr(obj, field))


def reveal(*, user, obj, field: str, ip_address: str | None = None, channel: str = "page") -> str:
    """The full value of a sensitive field, logged; PermissionDenied if the user may not."""
    if field not in SENSITIVE_FIELDS.get(type(obj), ()):
        raise PermissionDenied(_("This field cannot be revealed."))
    if not may_see_sensitive(user, obj):
        security_log.warning(
            "refused reveal of %s.%s #%s for user %s", type(obj).__name__, field, obj.pk, user.pk
        )
        raise PermissionDenied(_("You may not see this in full."))
    log_access(user=user, obj=obj, field=field, ip_address=ip_address, channel=channel)
    return getattr(obj, field)


def log_access(*, user, obj, field: str, ip_address: str | None = None, channel: str = "page") -> None:
    """One row per full view of something sensitive (an ID number, someone else's pay)."""
    SensitiveAccess.objects.create(
        user=user,
        model=type(obj)._meta.label,
        object_id=str(obj.pk),
        field=field,
        ip_address=ip_address,
        channel=channel,
    )
