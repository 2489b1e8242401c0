"""Filters shared by the list pages and the API, so both search the same way."""

import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brokerdesk.access.scope import visible
from brokerdesk.core.widgets import QuickSelect
from brokerdesk.org.models import Branch, CooperationAgreement, Level, Outlet, PartnerBank, Staff, Team

_LETTERS = re.compile(r"^[a-z]+$")


def staff_search_q(text: str) -> Q:
    """Name, 工号, or pinyin: "张三", "BJ0001", "zhangsan", "zsan" and "zs" all find 张三."""
    text = text.strip()
    if not text:
        return Q()
    q = Q(name__contains=text) | Q(emp_no__istartswith=text)
    lowered = text.lower().replace(" ", "")
    if _LETTERS.match(lowered):
        q |= Q(pinyin_keys__contains=" " + lowered)
    return q


class ModelSelectFilter(django_filters.ModelChoiceFilter):
    """A drop-down of records, rendered quickly: a company-wide role sees ~800 teams in one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", QuickSelect)
        super().__init__(*args, **kwargs)


def _scoped(model):
    def queryset(request):
        return visible(request.user, model) if request is not None else model.objects.none()

    return queryset


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    branch = ModelSelectFilter(label=_("branch"), queryset=_scoped(Branch))
    team = ModelSelectFilter(label=_("team"), queryset=_scoped(Team))
    status = django_filters.ChoiceFilter(label=_("status"), choices=Staff.Status.choices)
    level = ModelSelectFilter(label=_("level"), queryset=Level.objects.all())
    position = django_filters.ChoiceFilter(label=_("position"), choices=Staff.Position.choices)

    class Meta:
        model = Staff
        fields = ["q", "branch", "team", "status", "level", "position"]

    def search(self, queryset, name, value):
        return queryset.filter(staff_search_q(value))


class TeamFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    branch = ModelSelectFilter(label=_("branch"), queryset=_scoped(Branch))
    status = django_filters.ChoiceFilter(label=_("status"), choices=Team.Status.choices)

    class Meta:
        model = Team
        fields = ["q", "branch", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(code__istartswith=value))


class OutletFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    branch = ModelSelectFilter(label=_("branch"), queryset=_scoped(Branch))
    partner_bank = ModelSelectFilter(label=_("partner bank"), queryset=PartnerBank.objects.all())

    class Meta:
        model = Outlet
        fields = ["q", "branch", "partner_bank"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(address__contains=value))


class AgreementFilter(django_filters.FilterSet):
    branch = ModelSelectFilter(label=_("branch"), queryset=_scoped(Branch))
    bank = ModelSelectFilter(label=_("bank"), queryset=PartnerBank.objects.all())
    year = django_filters.NumberFilter(label=_("year"))

    class Meta:
        model = CooperationAgreement
        fields = ["branch", "bank", "year"]
