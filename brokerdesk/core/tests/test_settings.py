"""Production settings pass Django's deployment checks; secrets come only from the environment."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PRODUCTION_ENV = {
    "BROKERDESK_SECRET_KEY": "x7#Lq9!vR2@mZ8$wT4^kP6&nB1*cY3(eJ5)hG0-fD_sA+uQ=oI~",
    "BROKERDESK_DEBUG": "0",
    "BROKERDESK_ALLOWED_HOSTS": "brokerdesk.intranet",
    "BROKERDESK_SSL_REDIRECT": "1",
    "BROKERDESK_HSTS_SECONDS": "31536000",
}


def _manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BROKERDESK_")
        and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(settings.BASE_DIR),
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "BROKERDESK_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_refuses_to_start_without_a_secret_outside_debug(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "BROKERDESK_SECRET_KEY"}
    result = _manage("check", env={**env, "BROKERDESK_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "BROKERDESK_SECRET_KEY" in result.stderr


def test_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(PRODUCTION_ENV["BROKERDESK_SECRET_KEY"])
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "BROKERDESK_SECRET_KEY"}
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**env, "BROKERDESK_SECRET_KEY_FILE": str(secret), "BROKERDESK_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlite_is_set_up_for_concurrent_writers():
    from brokerdesk import settings as prod

    if prod.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        options = prod.DATABASES["default"]["OPTIONS"]
        assert options["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in options["init_command"]
        assert options["timeout"] >= 5
