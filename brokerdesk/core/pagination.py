"""API pagination. Kept apart from ``core.api``: DRF loads the pagination class named in
settings while ``rest_framework.generics`` is being imported, so this module must not import
DRF's views or viewsets itself."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (1 to 200, default ``PAGE_SIZE``).

    The query count of a list does not depend on the page size (tested).
    """

    page_size_query_param = "page_size"
    max_page_size = 200
