"""The handover's rules as pure functions: no database, no request.

- what a checklist line still needs (:func:`line_next_step`) and whether it is done;
- which side of a line a person may confirm (:func:`confirm_refusal`);
- the pay position of a leaving person: pay computed but not yet signed, and holdback
  withheld in quarters not yet settled (:func:`pay_position`), with a fingerprint, so that
  completion can tell whether what finance acknowledged is still the live position;
- the sentence that says what a person still holds (:func:`holdings_sentence`).
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from brokerdesk.core.money import ZERO, to_fen

ASSET, CLIENT, FOLLOWUP, VISIT, ARCHIVE, PAY = "asset", "client", "followup", "visit", "archive", "pay"
RETURN, PASS = "return", "pass"
KINDS = (ASSET, CLIENT, FOLLOWUP, VISIT, ARCHIVE, PAY)

# What a line still waits for.
STEP_ASSIGN = "assign"  # say where it goes (returned / passed on to whom)
STEP_GIVE = "give"  # the giver confirms handing it over
STEP_RECEIVE = "receive"  # the receiver confirms receiving it
STEP_BOTH = "both"  # giver and receiver both still to confirm
STEP_REASSIGN = "reassign"  # a client: choose the new manager and reassign
STEP_NOTIFY = "notify"  # a client: record that the client was told
STEP_ACCEPT = "accept"  # a follow-up or planned visit: the colleague accepts it
STEP_ACKNOWLEDGE = "acknowledge"  # pay: finance acknowledges the position


@dataclass(frozen=True)
class LineState:
    """What a line has recorded so far (the fields of a HandoverLine that matter here)."""

    kind: str
    disposition: str = ""
    receiver_id: int | None = None
    given: bool = False
    received: bool = False
    reassigned: bool = False
    notified: bool = False
    acknowledged: bool = False


def line_next_step(s: LineState) -> str | None:
    """The step a line waits for, or None when everything it needs is recorded."""
    if s.kind in (ASSET, ARCHIVE):
        if not s.disposition or (s.disposition == PASS and s.receiver_id is None):
            return STEP_ASSIGN
        if not s.given and not s.received:
            return STEP_BOTH
        if not s.given:
            return STEP_GIVE
        if not s.received:
            return STEP_RECEIVE
        return None
    if s.kind == CLIENT:
        if not s.reassigned:
            return STEP_REASSIGN
        return None if s.notified else STEP_NOTIFY
    if s.kind in (FOLLOWUP, VISIT):
        if s.receiver_id is None:
            return STEP_ASSIGN
        return None if s.received else STEP_ACCEPT
    if s.kind == PAY:
        return None if s.acknowledged else STEP_ACKNOWLEDGE
    raise ValueError(f"unknown line kind {s.kind!r}")


# --- who confirms which side --------------------------------------------------------------


GIVER, RECEIVER = "giver", "receiver"


def confirm_refusal(
    *,
    side: str,
    kind: str,
    disposition: str,
    actor_staff_id: int | None,
    giver_staff_id: int,
    receiver_staff_id: int | None,
    actor_keeps_store: bool,
    giver_name: str = "",
    receiver_name: str = "",
) -> str | None:
    """Why ``actor`` may not confirm ``side`` of a line, or None when they may.

    Each side is confirmed by that person with their own login (第十三条 交接手续): the giver
    is the person leaving or moving; the receiver is the named colleague, or for something
    returned, whoever keeps the store (the asset keeper; the archive room for register items).
    Nobody confirms both sides of one line.
    """
    if kind not in (ASSET, ARCHIVE) and side == GIVER:
        raise ValueError("only assets and archive items have a giver's confirmation")
    if side == GIVER:
        if actor_staff_id is None or actor_staff_id != giver_staff_id:
            return _("Only %(name)s can confirm handing this over, with their own login.") % {
                "name": giver_name or _("the person handing over")
            }
        return None
    if side != RECEIVER:
        raise ValueError(f"unknown side {side!r}")
    if disposition == RETURN and kind in (ASSET, ARCHIVE):
        if actor_staff_id is not None and actor_staff_id == giver_staff_id:
            return _("You cannot confirm receiving what you hand over yourself.")
        if not actor_keeps_store:
            if kind == ASSET:
                return _(
                    "Only the branch's asset keeper can confirm that this asset was returned to the store."
                )
            return _(
                "Only the archive room (who files the branch's register) can confirm this item came back."
            )
        return None
    if receiver_staff_id is None:
        return _("Name who receives this first.")
    if actor_staff_id is None or actor_staff_id != receiver_staff_id:
        return _("Only %(name)s can confirm receiving this, with their own login.") % {
            "name": receiver_name or _("the named receiver")
        }
    return None


def receiver_refusal(
    *,
    giver_staff_id: int,
    receiver_staff_id: int,
    receiver_branch_id: int | None,
    branch_id: int,
    active: bool,
) -> str | None:
    """Why a colleague cannot be named as the receiver of a line."""
    if receiver_staff_id == giver_staff_id:
        return _("Choose someone other than the person handing over.")
    if not active:
        return _("This person no longer works here.")
    if receiver_branch_id != branch_id:
        return _("Choose a colleague of the same branch.")
    return None


# --- pay ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnsignedRun:
    run_id: int
    month: dt.date
    version: int
    status: str
    amount: Decimal  # the person's slip total in that run


@dataclass(frozen=True)
class Holdback:
    month: dt.date  # the month of the signed run that held it back
    amount: Decimal  # positive: what was withheld


@dataclass
class PayPosition:
    owed: Decimal = ZERO
    withheld: Decimal = ZERO
    adjustments: Decimal = ZERO
    charges: Decimal = ZERO
    detail: dict = field(default_factory=dict)
    fingerprint: str = ""

    @property
    def clear(self) -> bool:
        """Nothing owed, withheld, pending or to be charged."""
        return not (self.owed or self.withheld or self.adjustments or self.charges or self.detail.get("runs"))


def quarter_last_month(month: dt.date) -> dt.date:
    return dt.date(month.year, (month.month - 1) // 3 * 3 + 3, 1)


def pay_position(
    *,
    unsigned: list[UnsignedRun],
    holdbacks: list[Holdback],
    settled_quarter_ends: set[dt.date],
    pending_adjustments: list[tuple[dt.date, Decimal]] = (),
    charges: Decimal = ZERO,
) -> PayPosition:
    """Pay still owed or withheld for a person, from their pay runs.

    - owed: each unsigned (computed, reviewed, being signed or returned) run's slip total;
    - withheld: holdback of signed months whose quarter's last month has no signed run yet
      (at the quarter's end the holdback is released or forfeited, so it is settled);
    - adjustments recorded for months with no signed run, and incident charges to deduct.
    """
    owed = to_fen(sum((r.amount for r in unsigned), ZERO))
    open_holdbacks = [h for h in holdbacks if quarter_last_month(h.month) not in settled_quarter_ends]
    withheld = to_fen(sum((h.amount for h in open_holdbacks), ZERO))
    adjust = to_fen(sum((a for _m, a in pending_adjustments), ZERO))
    charges = to_fen(charges)
    detail = {
        "runs": [
            {
                "run": r.run_id,
                "month": r.month.isoformat(),
                "version": r.version,
                "status": r.status,
                "amount": str(to_fen(r.amount)),
            }
            for r in sorted(unsigned, key=lambda r: (r.month, r.version, r.run_id))
        ],
        "holdbacks": [
            {"month": h.month.isoformat(), "amount": str(to_fen(h.amount))}
            for h in sorted(open_holdbacks, key=lambda h: h.month)
        ],
        "adjustments": [
            {"month": m.isoformat(), "amount": str(to_fen(a))} for m, a in sorted(pending_adjustments)
        ],
        "owed": str(owed),
        "withheld": str(withheld),
        "adjustment_total": str(adjust),
        "charges": str(charges),
    }
    digest = hashlib.sha256(json.dumps(detail, sort_keys=True).encode()).hexdigest()
    return PayPosition(owed, withheld, adjust, charges, detail, digest)


# --- sentences ---------------------------------------------------------------------------


def holdings_sentence(counts: dict[str, int]) -> str:
    """ "2 assets, 5 clients and 1 open follow-up" from counts by line kind (zeros left out)."""
    parts = []
    if counts.get(ASSET):
        n = counts[ASSET]
        parts.append(ngettext("%(n)d asset", "%(n)d assets", n) % {"n": n})
    if counts.get(CLIENT):
        n = counts[CLIENT]
        parts.append(ngettext("%(n)d client", "%(n)d clients", n) % {"n": n})
    if counts.get(FOLLOWUP):
        n = counts[FOLLOWUP]
        parts.append(ngettext("%(n)d open follow-up", "%(n)d open follow-ups", n) % {"n": n})
    if counts.get(VISIT):
        n = counts[VISIT]
        parts.append(ngettext("%(n)d planned visit", "%(n)d planned visits", n) % {"n": n})
    if counts.get(ARCHIVE):
        n = counts[ARCHIVE]
        parts.append(ngettext("%(n)d archive item", "%(n)d archive items", n) % {"n": n})
    return pgettext("list separator", ", ").join(parts) if parts else ""
