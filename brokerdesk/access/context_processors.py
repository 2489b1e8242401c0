"""The navigation a user sees: only what their roles may use."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import grants_for, roles_of
from brokerdesk.approvals.selectors import unread_notifications
from brokerdesk.approvals.services import inbox

# (url name, label, needed permission, who: True everyone, False wider roles only,
#  "self" client managers only). Related pages sit in each section's own sub-navigation.
NAV = [
    ("home", _("Workbench"), None, True),
    ("org:tree", _("Organisation"), roles.VIEW, False),
    ("org:staff-list", _("Staff"), roles.VIEW, True),
    ("planning:plan-list", _("Plans"), roles.VIEW, False),
    ("planning:my-targets", _("My targets"), roles.VIEW, "self"),
    ("clients:list", _("Clients"), roles.VIEW, True),
    ("performance:home", _("Pay and assessment"), None, True),
    ("people:home", _("Personnel files"), roles.VIEW, True),
    ("archives:home", _("Archive register"), roles.VIEW, False),
    ("assets:home", _("Assets"), roles.VIEW, True),
    ("attendance:today", _("Attendance"), roles.VIEW, True),
    ("approvals:inbox", _("Approvals"), roles.VIEW, True),
    ("worklogs:mine", _("Work logs"), roles.VIEW, True),
    ("meetings:list", _("Meetings"), roles.VIEW, True),
]

# A section stays highlighted on its related pages.
SECTIONS = {
    "org:tree": [
        "/org/tree/",
        "/org/teams/",
        "/org/outlets/",
        "/org/banks/",
        "/org/agreements/",
        "/org/branches/",
        "/org/regions/",
        "/org/departments/",
    ],
    "planning:plan-list": ["/planning/"],
    "clients:list": ["/clients/"],
    "performance:home": ["/performance/"],
    "people:home": ["/people/"],
    "archives:home": ["/archives/"],
    "assets:home": ["/assets/"],
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return {}  # a partial swap shows no navigation: spare its queries
    grants = grants_for(user)
    counts = {"approvals:inbox": inbox(user).count()} if grants else {}
    wide = any(g.level > roles.ScopeLevel.SELF for g in grants)
    items = []
    for url_name, label, perm, for_self in NAV:
        if perm is not None and not any(perm in g.perms for g in grants):
            continue
        if (for_self is False and not wide) or (for_self == "self" and wide):
            continue
        url = reverse(url_name)
        prefixes = SECTIONS.get(url_name, [url])
        active = (
            request.path == url if url_name == "home" else any(request.path.startswith(p) for p in prefixes)
        )
        items.append({"url": url, "label": label, "active": active, "count": counts.get(url_name, 0)})
    # /planning/progress/ also starts with /planning/: only the closest item is the current one.
    current = max((i for i in items if i["active"]), key=lambda i: len(i["url"]), default=None)
    for item in items:
        item["active"] = item is current
    role_labels = [str(roles.Role(r).label) for r in sorted(roles_of(user))]
    return {
        "nav_items": items,
        "nav_roles": role_labels,
        "nav_admin": user.is_staff,
        "nav_wide": wide,
        "nav_perms": {perm for g in grants for perm in g.perms},
        "nav_unread": unread_notifications(user=user).count(),
    }
