"""The scope matrix: for every role, exactly the rows it should see, model by model.

These are the rows that every page, API list, export and search starts from
(``access.scope.visible``); the page and API tests check they really do."""

import pytest

from brokerdesk.access import roles
from brokerdesk.access.scope import can, get_for_user, has_perm, visible
from brokerdesk.org.models import Branch, CooperationAgreement, Outlet, PartnerBank, Region, Staff, Team

BRANCH1_STAFF = {"lead", "rm", "cm", "cm_peer", "cm_b", "manager"}
ALL_STAFF = BRANCH1_STAFF | {"outsider"}

STAFF_SCOPE = {
    "cm": {"cm"},
    "cm_peer": {"cm_peer"},
    "cm_b": {"cm_b"},
    "outsider": {"outsider"},
    "rm": {"rm", "cm", "cm_peer"},
    "lead": {"lead", "rm", "cm", "cm_peer"},
    "manager": BRANCH1_STAFF,
    "trade": BRANCH1_STAFF,
    "accountant": BRANCH1_STAFF,
    "region": BRANCH1_STAFF,
    "channel": ALL_STAFF,
    "hr": ALL_STAFF,
    "vp": ALL_STAFF,
    "sysadmin": set(),
    "norole": set(),
}

TEAM_SCOPE = {
    "cm": {"a"},
    "cm_b": {"b"},
    "outsider": {"c"},
    "rm": {"a"},
    "lead": {"a"},
    "manager": {"a", "b"},
    "region": {"a", "b"},
    "channel": {"a", "b", "c"},
    "sysadmin": set(),
    "norole": set(),
}

OUTLET_SCOPE = {
    "cm": {"o1"},
    "cm_peer": {"o1b"},
    "outsider": {"o2"},
    "rm": {"o1", "o1b"},
    "lead": {"o1", "o1b"},
    "manager": {"o1", "o1b"},
    "region": {"o1", "o1b"},
    "vp": {"o1", "o1b", "o2"},
    "sysadmin": set(),
}

AGREEMENT_SCOPE = {
    "cm": {"a1"},
    "outsider": {"a2"},
    "lead": {"a1"},
    "manager": {"a1"},
    "region": {"a1"},
    "channel": {"a1", "a2"},
    "sysadmin": set(),
    "norole": set(),
}

BRANCH_SCOPE = {
    "cm": {"b1"},
    "outsider": {"b2"},
    "lead": {"b1"},
    "manager": {"b1"},
    "region": {"b1"},
    "channel": {"b1", "b2"},
    "sysadmin": set(),
}

REGION_SCOPE = {"cm": {"r1"}, "outsider": {"r2"}, "region": {"r1"}, "vp": {"r1", "r2"}, "sysadmin": set()}


def _names(ns, rows):
    lookup = {v.pk: k for k, v in vars(ns).items()}
    return {lookup[r.pk] for r in rows}


@pytest.mark.parametrize(("who", "expected"), sorted(STAFF_SCOPE.items()))
def test_staff_scope(org, who, expected):
    rows = visible(getattr(org.users, who), Staff)
    assert _names(org.staff, rows) == expected


@pytest.mark.parametrize(("who", "expected"), sorted(TEAM_SCOPE.items()))
def test_team_scope(org, who, expected):
    assert _names(org.teams, visible(getattr(org.users, who), Team)) == expected


@pytest.mark.parametrize(("who", "expected"), sorted(OUTLET_SCOPE.items()))
def test_outlet_scope(org, who, expected):
    assert _names(org.outlets, visible(getattr(org.users, who), Outlet)) == expected


@pytest.mark.parametrize(("who", "expected"), sorted(AGREEMENT_SCOPE.items()))
def test_agreement_scope(org, who, expected):
    assert _names(org.agreements, visible(getattr(org.users, who), CooperationAgreement)) == expected


@pytest.mark.parametrize(("who", "expected"), sorted(BRANCH_SCOPE.items()))
def test_branch_scope(org, who, expected):
    assert _names(org.branches, visible(getattr(org.users, who), Branch)) == expected


@pytest.mark.parametrize(("who", "expected"), sorted(REGION_SCOPE.items()))
def test_region_scope(org, who, expected):
    assert _names(org.regions, visible(getattr(org.users, who), Region)) == expected


def test_banks_are_reference_data_for_anyone_with_a_scope_but_not_for_no_role(org):
    assert visible(org.users.cm, PartnerBank).count() == 1
    assert visible(org.users.norole, PartnerBank).count() == 0
    assert visible(org.users.sysadmin, PartnerBank).count() == 0


def test_scoped_rows_with_to_many_rules_are_not_duplicated(org):
    # rm sees o1 through their own outlet and through two assigned managers: still once.
    assert visible(org.users.rm, Outlet).count() == 2
    assert visible(org.users.cm, Region).count() == 1


def test_change_permission_follows_the_branch(org):
    assert can(org.users.manager, roles.STAFF_CHANGE, org.staff.cm)
    assert not can(org.users.manager, roles.STAFF_CHANGE, org.staff.outsider)
    assert not can(org.users.lead, roles.STAFF_CHANGE, org.staff.cm)
    assert can(org.users.hr, roles.STAFF_CHANGE, org.staff.outsider)
    assert not has_perm(org.users.cm, roles.STAFF_CHANGE)


def test_get_for_user_answers_404_outside_scope(org):
    from django.http import Http404

    assert get_for_user(org.users.lead, Staff, org.staff.cm.pk) == org.staff.cm
    with pytest.raises(Http404):
        get_for_user(org.users.lead, Staff, org.staff.cm_b.pk)
    with pytest.raises(Http404):
        get_for_user(org.users.cm, Staff, "not-a-number")


def test_inactive_login_sees_nothing(org):
    user = org.users.manager
    user.is_active = False
    user.save(update_fields=["is_active"])
    user = type(user).objects.get(pk=user.pk)
    assert visible(user, Staff).count() == 0


def test_unknown_model_has_no_default_rule(org):
    from brokerdesk.access.models import SensitiveAccess

    with pytest.raises(LookupError):
        visible(org.users.channel, SensitiveAccess)
