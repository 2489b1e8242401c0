"""The clients demo data: written in bulk, but as the services would leave it."""

from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from brokerdesk.access.scope import visible
from brokerdesk.clients import rules, services
from brokerdesk.clients.demo import build
from brokerdesk.clients.models import (
    Client,
    ConfirmationBatch,
    ConfirmationForm,
    Figure,
    FollowUp,
    Inquiry,
    Ownership,
    Tier,
    Visit,
    VisitOverlap,
)
from brokerdesk.core.models import SerialCounter
from brokerdesk.core.validators import validate_credit_code, validate_id_number

pytestmark = pytest.mark.django_db


def check_invariants(today) -> None:
    """Raise AssertionError where the demo data differs from what the services would make."""
    clients = {c.pk: c for c in Client.objects.all()}
    assert clients
    periods = defaultdict(list)
    for o in Ownership.objects.order_by("client_id", "start"):
        periods[o.client_id].append(o)
    for c in clients.values():
        ps = periods[c.pk]
        assert ps and ps[0].start == c.opened_on, c
        assert [p.end for p in ps[:-1]] == [p.start for p in ps[1:]], c  # no gap, no overlap
        assert ps[-1].end is None and ps[-1].manager_id == c.manager_id, c
        assert (c.pinyin_initials, c.pinyin_full) == rules.pinyin_keys(c.name)
        assert c.phone_last4 == c.mobile[-4:] and c.opened_on <= today
        validate = validate_id_number if c.kind == Client.Kind.INDIVIDUAL else validate_credit_code
        try:
            validate(c.id_number)
        except ValidationError as exc:  # pragma: no cover - the assertion explains
            raise AssertionError(f"{c.id_number}: {exc.messages}") from None
    assert Ownership.objects.filter(end__isnull=True).count() == len(clients)
    assert Client.history.filter(history_type="+").count() == len(clients)
    # The client row carries its latest month of figures; tiers follow the rules.
    latest = {}
    for f in Figure.objects.order_by("client_id", "month"):
        latest[f.client_id] = f
    tiers = [
        rules.TierRule(t.pk, t.rank, t.min_assets, t.min_revenue) for t in Tier.objects.filter(active=True)
    ]
    for c in clients.values():
        if c.pk in latest:
            f = latest[c.pk]
            assert (c.assets, c.revenue, c.figures_month) == (f.assets, f.revenue, f.month)
        if not c.tier_manual:
            assert c.tier_id == rules.tier_for(c.assets, c.revenue, tiers), c
    # Confirmation forms: 1..n per branch and month, the counter at n, the batch counting n.
    seqs = defaultdict(list)
    for f in ConfirmationForm.objects.select_related("batch").order_by("sequence"):
        seqs[(f.branch_id, f.month)].append(f.sequence)
        assert f.batch.branch_id == f.branch_id and f.batch.month == f.month
        assert f.serial_no.endswith(f"-{f.month:%Y%m}-{f.sequence:04d}")
        assert f.client_no == clients[f.client_id].client_no
    counters = {
        (s.branch_id, s.month): s.value for s in SerialCounter.objects.filter(kind=services.CONFIRMATION_KIND)
    }
    assert seqs and set(counters) == set(seqs)
    for key, numbers in seqs.items():
        assert numbers == list(range(1, len(numbers) + 1)), key
        assert counters[key] == len(numbers)
    for batch in ConfirmationBatch.objects.all():
        assert batch.form_count == len(seqs[(batch.branch_id, batch.month)])
        if batch.closed:
            assert not batch.forms.filter(status=ConfirmationForm.Status.ISSUED).exists()
    # Visits: done ones dated, the client's last visit day kept.
    for v in Visit.objects.filter(status=Visit.Status.DONE):
        assert v.visited_on <= today and v.visited_on >= clients[v.client_id].opened_on
        assert clients[v.client_id].last_visit_on >= v.visited_on
    for o in VisitOverlap.objects.select_related("visit", "other"):
        assert o.visit.client_id == o.other.client_id and o.visit.author_id != o.other.author_id
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert statuses == {s for s, _l in FollowUp.Status.choices}
    assert FollowUp.objects.filter(status__in=["open", "sent"], due_on__lt=today).exists()
    assert Inquiry.objects.filter(status=Inquiry.Status.CONVERTED, client__isnull=False).exists()
    assert Inquiry.objects.filter(
        important=True, acknowledged_at__isnull=True, acknowledge_by__lt=timezone.now()
    ).exists()


def test_demo_build_on_a_small_org(org):
    today = timezone.localdate()
    with translation.override("zh-hans"):
        build(seed=7, today=today)
    check_invariants(today)
    assert Client.objects.filter(manager=org.staff.cm).count() == 50
    # The demo logins have something to work on.
    cm = org.users.cm
    assert visible(cm, Client).exists() and visible(cm, Visit).exists()
    assert visible(cm, FollowUp).exists() and visible(cm, Inquiry).exists()
    assert visible(org.users.lead, Visit).count() > visible(cm, Visit).count()
    assert visible(org.users.manager, Visit).count() > visible(org.users.lead, Visit).count()
    assert ConfirmationBatch.objects.filter(closed_at__isnull=False).count() <= 1
