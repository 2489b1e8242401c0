from django.core.management.base import BaseCommand

from brokerdesk.clients.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Notify owners and departments of overdue follow-ups, and assignees of important "
        "matters not acknowledged in time (once a day per item)."
    )

    def handle(self, *args, **options):
        n = send_reminders()
        self.stdout.write(f"{n} reminders sent")
