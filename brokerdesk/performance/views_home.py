"""The section's front page: what this user may do with statistics, pay and assessment."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import grants_for

# (url name, title, what it is, needed permission — None: everyone with a login)
CARDS = [
    ("performance:my-pay", _("My pay"), _("Your monthly pay slips and why each amount is what it is."), None),
    (
        "performance:assessment-mine",
        _("My assessments"),
        _("Your assessment results and level history."),
        None,
    ),
    (
        "performance:stats",
        _("Business statistics"),
        _("Clients developed, served, net revenue and client assets by month."),
        None,
    ),
    (
        "performance:import-list",
        _("CRM imports"),
        _("Import the month's CRM figures; reconciliation and versions."),
        roles.PAY_VIEW,
    ),
    (
        "performance:run-list",
        _("Monthly pay reports"),
        _("Compute pay, review, sign in order, corrections, Excel."),
        roles.PAY_VIEW,
    ),
    (
        "performance:adjustment-list",
        _("Pay adjustments"),
        _("Manual adjustments with their reasons."),
        roles.PAY_VIEW,
    ),
    (
        "performance:scheme-list",
        _("Pay schemes"),
        _("The pay standards in force and their versions."),
        roles.VIEW,
    ),
    (
        "performance:assessment-list",
        _("Assessments"),
        _("Monthly, quarterly and yearly assessments; level changes."),
        roles.ASSESS,
    ),
]


@login_required
def home(request):
    grants = grants_for(request.user)
    cards = [
        {"url": reverse(name), "title": title, "text": text}
        for name, title, text, perm in CARDS
        if perm is None or any(perm in g.perms for g in grants)
    ]
    return render(request, "performance/home.html", {"cards": cards})


urlpatterns = [path("", home, name="home")]
