"""The people and archives section's landing page.

For whoever keeps or oversees personnel files (HR, the trade-management post, a team lead
and above): a dashboard of what needs doing — files with missing or unverified documents,
contracts and licences about to expire, client managers without a valid contract or
practitioner registration. For a client manager: their own file.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _

from brokerdesk.access import roles
from brokerdesk.access.scope import grants_for, visible
from brokerdesk.people import selectors_archive as selectors
from brokerdesk.people.models_archive import PersonnelFile

# (url name, title, what it is, needed permission — None: whoever sees others' files)
CARDS = [
    ("people:file-list", _("Personnel files"), _("Search files; missing, unverified, expiring."), None),
    (
        "people:recruit-list",
        _("Recruitment"),
        _("Candidates, probation and the talent reserve."),
        roles.RECRUIT,
    ),
    (
        "people:recruit-reserve",
        _("Talent reserve"),
        _("Candidates not hired, kept with their materials."),
        roles.RECRUIT,
    ),
    (
        "people:training-session-list",
        _("Training archive"),
        _("Programmes, sessions, attendance and results."),
        roles.TRAINING_RECORD,
    ),
    ("people:training-records", _("Training records"), _("Each person's training and results."), None),
    ("archives:mine", _("Originals I hold"), _("Archive register originals in your custody."), None),
]


def _cards(user) -> list[dict]:
    grants = grants_for(user)
    cards = []
    for name, title, text, perm in CARDS:
        if perm is not None and not any(perm in g.perms for g in grants):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # an area not mounted (yet)
            continue
        cards.append({"name": name, "url": url, "title": title, "text": text})
    return cards


@login_required
def home(request):
    user = request.user
    own = selectors.own_file(user)
    oversees = visible(user, PersonnelFile).exclude(user=user).exists()
    cards = [c for c in _cards(user) if oversees or c["name"] != "people:file-list"]
    context = {"own": own, "oversees": oversees, "cards": cards}
    if oversees:
        context["dash"] = selectors.dashboard(user=user)
        context["n_required"] = len(selectors.REQUIRED_SLOTS)
    if own is not None:
        context["own_summary"] = selectors.file_summary(own)
    return render(request, "people/home.html", context)


urlpatterns = [path("", home, name="home")]
