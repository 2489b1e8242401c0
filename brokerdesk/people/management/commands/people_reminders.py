from django.core.management.base import BaseCommand

from brokerdesk.people.reminders_archive import send_expiry_warnings


class Command(BaseCommand):
    help = (
        "Warn HR and team leads of labour contracts, cooperation agreements and practitioner "
        "registrations ending soon (PEOPLE_EXPIRY_WARN_DAYS ahead, 30 by default; once each)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Days ahead (default: the setting).")

    def handle(self, *args, days=None, **options):
        n = send_expiry_warnings(days=days)
        self.stdout.write(f"{n} notifications sent")
