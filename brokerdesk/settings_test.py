"""Settings for the test suite: production settings with a throwaway key, a fast password
hasher, and plain static storage (no collectstatic manifest needed)."""

import os

os.environ.setdefault("BROKERDESK_SECRET_KEY", "test-only-secret-key-not-for-production")

from brokerdesk.settings import *  # noqa: E402,F403
from brokerdesk.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Serve static files from the apps directly (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tasks run at once, inside the test's request or call.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
