import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from brokerdesk.org.demo import DEMO_PASSWORD, PROFILES, build_demo, demo_logins
from brokerdesk.org.models import Region


class Command(BaseCommand):
    help = "Fill an empty database with deterministic demo data (same seed and date → same data)."

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=sorted(PROFILES), default="small")
        parser.add_argument("--seed", type=int, default=20261129)
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help="reference date, YYYY-MM-DD"
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing if organisation data exists")

    def handle(self, *args, profile, seed, today, if_empty, **options):
        if Region.objects.exists():
            if not if_empty:
                raise CommandError("The database already holds organisation data; use an empty database.")
            self.stdout.write("Demo data already present; left as it is.")
        else:
            # Texts written into the data (notifications, trail reasons) in the default language.
            with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
                build_demo(seed=seed, profile=profile, today=today)
                for path in settings.BROKERDESK_DEMO_EXTENSIONS:
                    import_string(path)(seed=seed, today=today or timezone.localdate())
            self.stdout.write(self.style.SUCCESS(f"Demo data ({profile}, seed {seed}) created."))
        with translation.override(settings.LANGUAGE_CODE):
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for login in demo_logins():
                who = f" — {login.who}" if login.who else ""
                self.stdout.write(f"  {login.username:<11} {login.role}{who}")
