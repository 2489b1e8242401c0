"""API authentication: tokens, /api/me/, anonymous callers, and the same lock-out as the
sign-in page."""

import pytest
from axes.models import AccessAttempt
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from brokerdesk.access.roles import ROLE_DEFS, Role
from brokerdesk.org.models import Staff
from brokerdesk.org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

API_LISTS = [
    "/api/staff/",
    "/api/teams/",
    "/api/outlets/",
    "/api/banks/",
    "/api/agreements/",
    "/api/branches/",
    "/api/regions/",
    "/api/departments/",
    "/api/levels/",
]


def _token(username: str, password: str = PASSWORD, fmt: str | None = None):
    return APIClient().post("/api/token/", {"username": username, "password": password}, format=fmt)


def _client_with(token: str) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return c


@pytest.mark.parametrize("fmt", [None, "json"])
def test_token_for_username_and_password(org, fmt):
    resp = _token("cm", fmt=fmt)
    assert resp.status_code == 200
    token = resp.json()["token"]
    assert Token.objects.get(key=token).user == org.users.cm
    # The same login gets the same token again.
    assert _token("cm", fmt=fmt).json()["token"] == token


def test_token_authenticates_me_with_roles_and_scopes(org):
    me = _client_with(_token("lead").json()["token"]).get("/api/me/")
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "lead"
    assert body["staff_id"] == org.staff.lead.pk
    assert body["roles"] == [
        {
            "role": "team_lead",
            "scope": "team",
            "region": None,
            "branch": org.branches.b1.pk,
            "team": org.teams.a.pk,
            "permissions": sorted(ROLE_DEFS[Role.TEAM_LEAD].perms),
        }
    ]
    assert "view" in body["roles"][0]["permissions"]
    assert not {"staff.change", "view_sensitive"} & set(body["roles"][0]["permissions"])


@pytest.mark.parametrize(
    ("who", "role", "scope", "perms"),
    [
        ("cm", "client_manager", "self", {"view"}),
        ("manager", "branch_manager", "branch", {"view", "view_sensitive", "staff.change"}),
        ("region", "region_head", "region", {"view"}),
        ("hr", "countersign_dept", "company", {"view", "view_sensitive", "staff.change"}),
    ],
)
def test_me_lists_each_roles_scope_and_permissions(org, who, role, scope, perms):
    body = _client_with(_token(who).json()["token"]).get("/api/me/").json()
    assert [r["role"] for r in body["roles"]] == [role]
    assert body["roles"][0]["scope"] == scope
    assert perms <= set(body["roles"][0]["permissions"])


def test_me_for_a_login_without_staff_record(org):
    body = _client_with(_token("channel").json()["token"]).get("/api/me/").json()
    assert body["staff_id"] is None
    assert body["roles"][0]["scope"] == "company"


def test_token_gives_the_same_scope_as_the_session(org):
    c = _client_with(_token("lead").json()["token"])
    names = {r["name"] for r in c.get("/api/staff/").json()["results"]}
    assert names == {"赵六", "钱七", "张三", "孙八"}
    assert c.get(f"/api/staff/{org.staff.cm_b.pk}/").status_code == 404


def test_wrong_password_gets_no_token(org):
    resp = _token("cm", "wrong")
    assert resp.status_code == 400
    assert "token" not in resp.json()
    assert not Token.objects.exists()


def test_unknown_user_gets_no_token(org):
    resp = _token("nobody")
    assert resp.status_code == 400 and "token" not in resp.json()


def test_inactive_login_gets_no_token_and_its_token_stops_working(org):
    token = _token("manager").json()["token"]
    org.users.manager.is_active = False
    org.users.manager.save(update_fields=["is_active"])
    assert _token("manager").status_code == 400
    assert _client_with(token).get("/api/staff/").status_code in (401, 403)


def test_repeated_wrong_passwords_lock_the_token_endpoint_too(org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert _token("lead", "wrong").status_code == 400
    assert AccessAttempt.objects.filter(username="lead").exists()
    resp = _token("lead")  # the right password, too late
    assert resp.status_code in (400, 403, 429)
    assert "token" not in resp.json()
    assert not Token.objects.filter(user=org.users.lead).exists()
    # Another login is not affected.
    assert _token("manager").status_code == 200


def test_token_endpoint_accepts_only_post(org):
    assert APIClient().get("/api/token/").status_code == 405


@pytest.mark.parametrize("url", [*API_LISTS, "/api/me/", "/api/staff/1/", "/api/staff/1/sensitive/"])
def test_anonymous_callers_are_refused(org, url):
    resp = APIClient().get(url)
    assert resp.status_code in (401, 403)
    assert "results" not in resp.json()
    assert "张三" not in resp.content.decode()


@pytest.mark.parametrize("url", ["/api/staff/", "/api/staff/1/transfer/", "/api/regions/"])
def test_anonymous_writes_are_refused(org, url):
    before = Staff.objects.count()
    resp = APIClient().post(url, {"name": "x"}, format="json")
    assert resp.status_code in (401, 403)
    assert Staff.objects.count() == before


def test_a_bad_token_is_refused(org):
    for header in ("Token nope", "Token ", "Bearer abc"):
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=header)
        assert c.get("/api/staff/").status_code in (401, 403), header


def test_a_login_without_a_role_sees_nothing(org):
    c = _client_with(_token("norole").json()["token"])
    for url in API_LISTS[:-1]:  # levels are the firm's configuration ladder, not scoped records
        resp = c.get(url)
        assert resp.status_code == 200, url
        assert resp.json()["results"] == [], url
    assert c.get("/api/me/").json()["roles"] == []
