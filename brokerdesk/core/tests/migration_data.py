"""Put back what the data migrations create (approval flows, leave types, tiers, the duty
checklist…) after a transactional test emptied the database.

Browser and concurrency tests run on a transactional database that is flushed after each
test, data migrations included; a later test would then find no ``pay_report`` flow. Every
data migration's forward function is idempotent, so running them again is safe.
"""

import importlib

from django.apps import apps as django_apps

DATA_MIGRATIONS = [
    ("brokerdesk.approvals.migrations.0002_default_flows", "create_flows"),
    ("brokerdesk.attendance.migrations.0002_attendance_flows_and_leave_types", "create"),
    ("brokerdesk.clients.migrations.0002_claim_flow", "create"),
    ("brokerdesk.clients.migrations.0003_default_tiers", "create"),
    ("brokerdesk.performance.migrations.0002_defaults", "create"),
    ("brokerdesk.assets.migrations.0002_assets_flow", "create"),
    ("brokerdesk.people.migrations.0002_recruit_flow", "create"),
]


def restore_migration_data() -> None:
    from brokerdesk.approvals.models import Flow

    if Flow.objects.filter(code="pay_report").exists():
        return  # not flushed since the migrations ran
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(django_apps, None)
