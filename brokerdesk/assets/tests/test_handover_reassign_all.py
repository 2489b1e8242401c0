"""A departing manager's clients passed to one colleague at once (page, service and API): every
client not yet reassigned moves, with the date and the notification, all or none."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from brokerdesk.assets import services_handover as svc
from brokerdesk.assets.models_handover import HandoverLine
from brokerdesk.assets.tests.factories_handover import holdings, start
from brokerdesk.clients.models import Client, Ownership

pytestmark = pytest.mark.django_db
K = HandoverLine.Kind


def _clients(h):
    return list(h.lines.filter(kind=K.CLIENT).order_by("pk"))


def test_every_waiting_client_moves_with_date_and_notification(org):
    held = holdings(org, clients=3, archive=False)
    h = start(org)
    first = _clients(h)[0]
    today = timezone.localdate()
    svc.client_reassign(actor=org.users.trade, line=first, to=org.staff.cm_b, effective_on=today)
    moved = svc.clients_reassign_all(
        actor=org.users.trade,
        handover=h,
        to=org.staff.cm_peer,
        effective_on=today,
        notified_on=today,
        notified_how="phone",
    )
    assert moved == 2  # the one already reassigned is left as it was
    managers = dict(
        Client.objects.filter(pk__in=[c.pk for c in held.clients]).values_list("pk", "manager_id")
    )
    assert sorted(managers.values()) == sorted(
        [org.staff.cm_b.pk, org.staff.cm_peer.pk, org.staff.cm_peer.pk]
    )
    rest = [ln for ln in _clients(h) if ln.pk != first.pk]
    assert all(ln.status == "done" and ln.client_notified_on == today for ln in rest)
    assert Ownership.objects.filter(manager=org.staff.cm_peer, start=today).count() == 2
    with pytest.raises(ValidationError):  # nothing left to move
        svc.clients_reassign_all(actor=org.users.trade, handover=h, to=org.staff.cm_peer, effective_on=today)


def test_a_bad_date_moves_no_client_at_all(org):
    held = holdings(org, clients=3, archive=False)
    h = start(org)
    with pytest.raises(ValidationError) as exc:
        svc.clients_reassign_all(
            actor=org.users.trade,
            handover=h,
            to=org.staff.cm_peer,
            effective_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "effective_on" in exc.value.message_dict
    assert set(
        Client.objects.filter(pk__in=[c.pk for c in held.clients]).values_list("manager_id", flat=True)
    ) == {org.staff.cm.pk}
    assert not any(ln.reassigned_at for ln in _clients(h))


def test_only_who_reassigns_clients_may(org):
    holdings(org, clients=2, archive=False)
    h = start(org)
    for who in ("cm", "cm_peer", "keeper"):
        with pytest.raises(PermissionDenied):
            svc.clients_reassign_all(
                actor=getattr(org.users, who),
                handover=h,
                to=org.staff.cm_peer,
                effective_on=timezone.localdate(),
            )


def test_the_page_offers_it_to_the_back_office_and_does_it(org, client_for):
    holdings(org, clients=2, archive=False)
    h = start(org)
    url = reverse("assets:handover-detail", args=[h.pk])
    assert 'id="reassign-all-form"' not in client_for(org.users.cm).get(url).content.decode()
    trade = client_for(org.users.trade)
    assert 'id="reassign-all-form"' in trade.get(url).content.decode()
    action = reverse("assets:handover-action", args=[h.pk, "reassign-clients"])
    bad = trade.post(action, {"all-effective_on": timezone.localdate().isoformat()})
    assert bad.status_code == 400 and "to" in bad.context["reassign_all_form"].errors
    ok = trade.post(
        action, {"all-to": org.staff.cm_peer.pk, "all-effective_on": timezone.localdate().isoformat()}
    )
    assert ok.status_code == 302
    assert all(ln.receiver_id == org.staff.cm_peer.pk for ln in _clients(h))


def test_the_api_does_it_and_answers_400_with_field_errors(org):
    holdings(org, clients=2, archive=False)
    h = start(org)
    api = APIClient()
    api.force_login(org.users.trade, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/api/assets/handovers/{h.pk}/reassign-clients/"
    bad = api.post(url, {"to": org.staff.cm_peer.pk, "effective_on": "2999-01-01"}, format="json")
    assert bad.status_code == 400 and "effective_on" in bad.json()
    ok = api.post(
        url, {"to": org.staff.cm_peer.pk, "effective_on": timezone.localdate().isoformat()}, format="json"
    )
    assert ok.status_code == 200
    assert all(ln.receiver_id == org.staff.cm_peer.pk for ln in _clients(h))
    other = APIClient()
    other.force_login(org.users.keeper_b2, backend="django.contrib.auth.backends.ModelBackend")
    assert other.post(url, {"to": org.staff.cm_peer.pk}, format="json").status_code == 404
