"""Recruitment rules as pure functions (第二十、二十三条): no database, no request.

- A decision may be proposed only when the candidate's documents have all been checked and
  their pre-job training has a result; probation needs more: every required document found
  authentic, the pre-job training passed and a comprehensive evaluation.
- Conversion to regular staff only after the probation has run and was passed.
- The first contract's kind and term follow ``rules_archive`` (第十九条).
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# Status values (the model's TextChoices carry the same strings).
APPLIED = "applied"
IN_APPROVAL = "in_approval"
PROBATION = "probation"
HIRED = "hired"
NOT_HIRED = "not_hired"
WITHDRAWN = "withdrawn"

OPEN = (APPLIED, IN_APPROVAL, PROBATION)
RESERVE = (NOT_HIRED, WITHDRAWN)

# The allowed moves of a candidate's status; anything else is refused.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    APPLIED: (IN_APPROVAL, WITHDRAWN),
    IN_APPROVAL: (APPLIED, PROBATION, NOT_HIRED),  # back to "applied" when returned or rejected
    PROBATION: (HIRED, NOT_HIRED),
    HIRED: (),
    NOT_HIRED: (),
    WITHDRAWN: (),
}

# The documents every candidate hands in (第二十条).
REQUIRED_SLOTS = ("photo", "resume", "id_copy", "diploma", "guarantee", "guarantor_id")

DEFAULT_PROBATION_MONTHS = 3


def may_move(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, ())


def decision_blockers(
    *,
    decision: str,
    documents: dict[str, str],
    training_results: Iterable[str],
    evaluation_score: Decimal | None,
) -> dict[str, list]:
    """What stops the decision from being proposed, by field; empty when it may go.

    ``documents``: slot → check result of the current document of each slot handed in.
    ``training_results``: the results of the candidate's pre-job training rows.
    """
    errors: dict[str, list] = {}
    unchecked = [slot for slot, result in documents.items() if result == "pending"]
    results = [r for r in training_results if r in ("passed", "failed")]
    if decision == PROBATION:
        missing = [s for s in REQUIRED_SLOTS if s not in documents]
        doubtful = [s for s, r in documents.items() if r == "doubtful"]
        if missing:
            errors.setdefault("documents", []).append(
                _("Documents are missing: the candidate must hand in every document before probation.")
            )
        if doubtful:
            errors.setdefault("documents", []).append(
                _("A document was found doubtful: a candidate cannot be taken on with it.")
            )
    if not documents:
        errors.setdefault("documents", []).append(_("The candidate has handed in no documents yet."))
    if unchecked:
        errors.setdefault("documents", []).append(
            _("Every document must be checked for authenticity by the designated person first.")
        )
    if not results:
        errors["training"] = [_("The candidate's pre-job training has no result yet.")]
    elif decision == PROBATION and "passed" not in results:
        errors["training"] = [_("Only a candidate who passed the pre-job training can be taken on.")]
    if decision == PROBATION and evaluation_score is None:
        errors["evaluation"] = [_("Record the comprehensive evaluation first.")]
    return errors


def probation_errors(starts_on: dt.date | None, ends_on: dt.date | None) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not starts_on:
        errors["probation_starts_on"] = [_("Give the day the probation starts.")]
    if not ends_on:
        errors["probation_ends_on"] = [_("Give the day the probation ends.")]
    if starts_on and ends_on and ends_on <= starts_on:
        errors["probation_ends_on"] = [_("The probation must end after it starts.")]
    return errors


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def default_probation_end(starts_on: dt.date) -> dt.date:
    return add_months(starts_on, DEFAULT_PROBATION_MONTHS) - dt.timedelta(days=1)


def conversion_blockers(
    *, status: str, probation_result: str, probation_ends_on: dt.date | None, today: dt.date
) -> list:
    """Why the candidate cannot become regular staff yet; empty when they can."""
    if status != PROBATION:
        return [_("Only a candidate on probation can become regular staff.")]
    if probation_result != "passed":
        return [_("The probation has not been passed.")]
    if probation_ends_on is None or today < probation_ends_on:
        return [_("The probation has not ended yet.")]
    return []


def result_for_score(score: Decimal | None, pass_score: Decimal | None) -> str | None:
    """The pass/fail a score means under the programme's pass mark (None: no mark or no score)."""
    if score is None or pass_score is None:
        return None
    return "passed" if score >= pass_score else "failed"
