import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brokerdesk.settings")
application = get_wsgi_application()


def _settle_start_up_heap() -> None:
    """Import every view now, then take what start-up loaded out of the collector's rounds.

    The views bring in pypinyin's phrase table (~190,000 lists). Every full garbage
    collection walks all live objects, so without this one request in a few dozen paused
    60-100 ms (measured with benchmarks/staff_list.py). Frozen objects are never freed,
    which is right for code and tables that live as long as the process anyway.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and with it every view
    gc.collect()
    gc.freeze()


_settle_start_up_heap()
