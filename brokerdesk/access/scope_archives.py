"""Scope rules of archive register; joined into ``access.scope.RULES``.

Imported at the end of ``access.scope``, so the shared rule helpers are defined.
"""

from collections.abc import Callable

from django.db.models import Model, Q

RULES: dict[type[Model], Callable[..., Q]] = {}
