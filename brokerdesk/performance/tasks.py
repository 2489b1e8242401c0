"""Background work of the performance area (django-tasks; the database backend in production,
a worker started beside the web server; the immediate backend in tests)."""

from django_tasks import task


@task()
def run_crm_import(crm_import_id: int) -> dict:
    """Read, check and load one queued CRM import (see ``services_import.import_run``)."""
    from brokerdesk.performance.services_import import import_run

    imp = import_run(crm_import_id)
    return {"id": imp.pk, "status": imp.status, "rows_bad": imp.rows_bad, "rows_imported": imp.rows_imported}
