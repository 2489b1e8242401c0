"""Every read of the archive register that pages, API and exports share, starting from the
user's scope (``access.scope.visible``).

The search (by serial number exact or prefix, kind, period range, branch, title words, holder,
status) is one filtered queryset on the entry table, ordered newest month first and then by
serial number, which the table's indexes serve; lists count with a cap, so a page runs the
same few queries with ten entries or a hundred thousand (benchmarks/archive_search.py).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.db.models import Count, Q, QuerySet

from brokerdesk.access import roles
from brokerdesk.access.scope import can, visible
from brokerdesk.archives import rules_register as rules
from brokerdesk.archives.models_register import CustodyMove, RegisterBatch, RegisterEntry
from brokerdesk.clients.selectors import CappedPaginator as _CappedPaginator
from brokerdesk.clients.selectors import prefix_q
from brokerdesk.org.models import Branch, Staff

__all__ = [
    "COUNT_CAP",
    "CappedPaginator",
    "EntryFilters",
    "LookaheadPaginator",
    "batches_in_scope",
    "branches_for_filing",
    "custody_trail",
    "entries_in_scope",
    "entry_search",
    "in_custody_of",
    "may_download_scan",
    "paginator_for",
]

MAX_PAGE = 4000
COUNT_CAP = 1000


class CappedPaginator(_CappedPaginator):
    """Counts at most 1,001 matches ("1,000+ records"): a count walks its index and reads each
    row once, so a cap of 10,000 cost 10–25 ms on a kind or a serial prefix of 100,000 entries."""

    cap = COUNT_CAP


def in_custody_of(staff: Staff) -> QuerySet:
    """The register entries whose original ``staff`` holds now (for the departure and transfer
    handover: every one must be passed on or returned first). Not scoped: the caller decides
    who may see the list."""
    return (
        RegisterEntry.objects.filter(custodian=staff).select_related("branch").order_by("-month", "serial_no")
    )


def entries_in_scope(user, perm: str = roles.VIEW) -> QuerySet:
    """The entries the user may see (or act on with ``perm``), with what a list row shows."""
    return visible(user, RegisterEntry.objects.select_related("branch", "custodian"), perm)


@dataclass
class EntryFilters:
    serial: str = ""
    kind: str = ""
    month_from: dt.date | None = None
    month_to: dt.date | None = None
    branch: int | None = None
    q: str = ""  # title words
    custodian: int | None = None
    held: str = ""  # "out": originals not in the archive room; "room": in the room
    status: str = ""  # "" filed only, "withdrawn", "all"


def entry_search(user, filters: EntryFilters | None = None) -> QuerySet:
    """The register search in the user's scope, newest period first, then by serial number."""
    f = filters or EntryFilters()
    rows = entries_in_scope(user)
    lookup = rules.serial_lookup(f.serial) if f.serial else None
    if f.serial and lookup is None:
        return rows.none()  # what was typed cannot be a serial number
    if lookup is not None:
        how, serial = lookup
        if how == "exact":
            rows = rows.filter(serial_no=serial)
        else:
            rows = rows.filter(prefix_q("serial_no", serial))
            # The prefix names the kind ("JH-…" is a work plan): saying so lets the (kind, month,
            # serial) index give the newest-first order instead of sorting every match.
            kind = rules.kind_of_serial(serial)
            if kind is not None:
                rows = rows.filter(kind=kind)
    if f.kind:
        rows = rows.filter(kind=f.kind)
    if f.month_from:
        rows = rows.filter(month__gte=rules.month_of(f.month_from))
    if f.month_to:
        rows = rows.filter(month__lte=rules.month_of(f.month_to))
    if f.branch:
        rows = rows.filter(branch_id=f.branch)
    for word in rules.title_words(f.q):
        # Folded on both sides (rules.title_key), so a plain LIKE: no UPPER() on every row, and
        # PostgreSQL's trigram index on title_key serves it (words of three characters or more).
        rows = rows.filter(title_key__contains=word)
    if f.custodian:
        rows = rows.filter(custodian_id=f.custodian)
    if f.held == "out":
        rows = rows.filter(custodian__isnull=False)
    elif f.held == "room":
        rows = rows.filter(custodian__isnull=True)
    if f.status == "withdrawn":
        rows = rows.filter(status=RegisterEntry.Status.WITHDRAWN)
    elif f.status != "all":
        rows = rows.filter(status=RegisterEntry.Status.FILED)
    return rows.order_by("-month", "serial_no")


def branches_for_filing(user) -> QuerySet:
    """The branches whose register the user may file into and close."""
    return visible(user, Branch.objects.filter(is_active=True), roles.REGISTER_FILE).order_by("code")


def batches_in_scope(user, perm: str = roles.VIEW) -> QuerySet:
    """Each branch's months with their counts: filed, withdrawn, originals out of the room."""
    return (
        visible(user, RegisterBatch, perm)
        .select_related("branch", "closed_by__staff")
        .annotate(
            n_filed=Count("entries", filter=Q(entries__status=RegisterEntry.Status.FILED)),
            n_withdrawn=Count("entries", filter=Q(entries__status=RegisterEntry.Status.WITHDRAWN)),
            n_out=Count("entries", filter=Q(entries__custodian__isnull=False)),
        )
        .order_by("-month", "branch__code")
    )


def custody_trail(entry: RegisterEntry) -> QuerySet:
    return (
        CustodyMove.objects.filter(entry=entry)
        .select_related("from_staff", "to_staff", "moved_by__staff")
        .order_by("moved_at", "id")
    )


def may_download_scan(user, entry: RegisterEntry) -> bool:
    """Who may open a scanned copy: the register's readers, except that a pay report's scan
    (第十五条: pay is seen by those who may see pay) needs ``pay.view`` or ``archive.file`` over
    it (someone holding a pay report's original on loan still sees only the register line)."""
    if not entry.scan:
        return False
    if entry.kind != RegisterEntry.Kind.PAY_REPORT:
        return can(user, roles.VIEW, entry)
    return can(user, roles.PAY_VIEW, entry) or can(user, roles.REGISTER_FILE, entry)


class LookaheadPaginator:
    """Pages of a title search without counting the matches.

    A title word is matched inside the title (``LIKE '%word%'``), which no index serves: counting
    the matches would read every entry in scope a second time (on 100,000 entries that was most
    of the page's time). This reads one row more than a page instead: it knows whether a next
    page exists, and the total only on the last page.
    """

    lookahead = True
    capped = False

    def __init__(self, object_list, per_page: int):
        self.object_list = object_list
        self.per_page = per_page
        self.count: int | None = None
        self.num_pages = 1

    def validate_number(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1 or number > MAX_PAGE:
            raise EmptyPage("That page number is out of range")
        return number

    def page(self, number) -> Page:
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        rows = list(self.object_list[offset : offset + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        self.num_pages = number + 1 if more else number
        self.count = None if more else offset + len(rows)
        return Page(rows, number, self)

    def get_page(self, number) -> Page:
        try:
            return self.page(number)
        except (PageNotAnInteger, EmptyPage):
            return self.page(1)


def paginator_for(rows: QuerySet, filters: EntryFilters, per_page: int):
    """A title search pages without counting (``LookaheadPaginator``); every other search counts
    with a cap (its filters are served by indexes)."""
    if rules.title_words(filters.q):
        return LookaheadPaginator(rows, per_page)
    return CappedPaginator(rows, per_page)
