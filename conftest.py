"""Shared fixtures: a small organisation of two branches in two regions, and the people
every permission test needs (the owner, their lead, an outsider from another branch)."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# test body are still synchronous, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.AXES_ENABLED = True


@pytest.fixture
def org(db):
    from brokerdesk.org.tests.factories import build_org

    return build_org()


@pytest.fixture
def client_for(client):
    """Log a demo person in by their key in ``org.users`` and return a fresh client."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    return make
