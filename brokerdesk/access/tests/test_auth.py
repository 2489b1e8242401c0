"""Sign-in, lock-out after repeated wrong passwords, password change, logout, language."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.urls import reverse

from brokerdesk.org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_lands_on_workbench_and_is_logged(client, org):
    resp = client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == reverse("home")
    assert AccessLog.objects.filter(username="lead").exists()
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_shows_an_error_in_chinese(client, org):
    resp = client.post(reverse("login"), {"username": "lead", "password": "nope"})
    assert resp.status_code == 200
    assert "请输入一个正确的" in resp.content.decode()


def test_five_wrong_passwords_lock_the_account_even_with_the_right_one_after(client, org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "lead", "password": "wrong"})
    resp = client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert resp.status_code == 429
    assert "登录已锁定" in resp.content.decode()
    assert AccessAttempt.objects.filter(username="lead").exists()
    assert client.get(reverse("home")).status_code == 302  # still signed out


def test_lockout_of_one_user_does_not_lock_another(client, org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "lead", "password": "wrong"})
    resp = client.post(reverse("login"), {"username": "manager", "password": PASSWORD})
    assert resp.status_code == 302


def test_password_change_requires_old_password_and_then_works(client, org):
    client.post(reverse("login"), {"username": "cm", "password": PASSWORD})
    resp = client.post(
        reverse("password_change"),
        {"old_password": "bad", "new_password1": "Another-Secret-77", "new_password2": "Another-Secret-77"},
    )
    assert resp.status_code == 200 and "old_password" in resp.context["form"].errors
    resp = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Another-Secret-77",
            "new_password2": "Another-Secret-77",
        },
    )
    assert resp.status_code == 302
    org.users.cm.refresh_from_db()
    assert org.users.cm.check_password("Another-Secret-77")
    assert org.users.cm.password.startswith("md5$") or org.users.cm.password.startswith("argon2")


def test_logout_needs_post_and_signs_out(client, org):
    client.post(reverse("login"), {"username": "cm", "password": PASSWORD})
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_language_switch_to_english_and_back(client, org):
    client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert "工作台" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert "Workbench" in html and "工作台" not in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "工作台" in client.get(reverse("home")).content.decode()


def test_production_hashes_passwords_with_argon2():
    from brokerdesk import settings as prod

    assert prod.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
