"""The office assets landing page: the asset list of the user's scope (the keeper's desk).

A keeper (and the branch's managers) see the branch's register; a team lead the team's
assets; a client manager what they hold, with the quantity in their hands. Search and the
filters swap only the results (htmx). The page runs a fixed number of queries whatever the
number of assets (tested; benchmarks/asset_list.py times it on 50,000 assets).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import IntegerField, OuterRef, Subquery
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse

from brokerdesk.access.roles import ASSET_KEEP
from brokerdesk.access.scope import has_perm
from brokerdesk.assets import selectors_assets as sel
from brokerdesk.assets.forms_assets import AssetFilterForm
from brokerdesk.assets.models_assets import Asset, Holding

PAGE_SIZE = 50


def _handover_url() -> str | None:
    # The handover pages belong to another area of this app; link them when they exist.
    try:
        return reverse("assets:handover-list")
    except NoReverseMatch:
        return None


@login_required
def home(request):
    form = AssetFilterForm(request.GET or None, user=request.user)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    qs = sel.asset_list(user=request.user, filters=filters)
    staff = getattr(request.user, "staff", None)
    if staff is not None:
        # What the person holds of each asset (consumables are spread over several people).
        mine = Holding.objects.filter(asset_id=OuterRef("pk"), staff_id=staff.pk).values("quantity")[:1]
        qs = qs.annotate(mine=Subquery(mine, output_field=IntegerField()))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_keep": has_perm(request.user, ASSET_KEEP),
        "has_staff": staff is not None,
        "handover_url": _handover_url(),
        # Labels resolved once per page, not once per row.
        "categories": {k: str(v) for k, v in Asset.Category.choices},
        "statuses": {k: str(v) for k, v in Asset.Status.choices},
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "assets/asset_results.html", context)
    return render(request, "assets/home.html", context)


urlpatterns = [path("", home, name="home")]
