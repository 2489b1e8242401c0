"""The asset rules as pure functions (第十一至十四条): which places a movement may go between,
what a line does to the stock, what a register entry's status and custodian are, and what may
be charged for an incident. No database, no request.

A ledger line moves ``quantity`` units from one place to another. A place is the keeper's
store, a person, or outside the branch (bought in, handed out to clients, disposed of, lost).
Stock in the store and each person's holding are the sums of what came in minus what went out.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

STORE = "store"
PERSON = "person"
OUTSIDE = "outside"

RECEIVE = "receive"
DISPATCH = "dispatch"
ISSUE = "issue"
RETURN = "return"
TRANSFER = "transfer"
DISPOSE = "dispose"
LOSS = "loss"
REVERSAL = "reversal"

# The places each kind of movement may go between: (from, to).
ROUTES: dict[str, set[tuple[str, str]]] = {
    RECEIVE: {(OUTSIDE, STORE)},
    DISPATCH: {(STORE, OUTSIDE), (PERSON, OUTSIDE)},
    ISSUE: {(STORE, PERSON)},
    RETURN: {(PERSON, STORE)},
    # Person to person, or a move between outlets that leaves the keeper as they were.
    TRANSFER: {(PERSON, PERSON), (STORE, STORE)},
    DISPOSE: {(STORE, OUTSIDE), (PERSON, OUTSIDE)},
    LOSS: {(STORE, OUTSIDE), (PERSON, OUTSIDE)},
}

IN_STORE = "in_store"
ISSUED = "issued"
GONE = "disposed"


@dataclass(frozen=True)
class Move:
    """A line as plain values: ``from_id``/``to_id`` are the people (None unless the place is a person)."""

    source: str
    target: str
    quantity: int
    from_id: int | None = None
    to_id: int | None = None


def effect(move: Move) -> dict:
    """What a line does: {"store": Δ, staff_id: Δ, …}; outside is not counted."""
    delta: dict = {}

    def add(place: str, who: int | None, q: int) -> None:
        if place == OUTSIDE:
            return
        key = STORE if place == STORE else who
        delta[key] = delta.get(key, 0) + q

    add(move.source, move.from_id, -move.quantity)
    add(move.target, move.to_id, move.quantity)
    return {k: v for k, v in delta.items() if v}


def reversed_move(move: Move) -> Move:
    """The line that undoes ``move``: the same quantity, back the way it came."""
    return Move(move.target, move.source, move.quantity, move.to_id, move.from_id)


def balances(moves: Iterable[Move]) -> dict:
    """The stock of the store and of each person after these lines (zero rows left out)."""
    total: dict = {}
    for m in moves:
        for k, v in effect(m).items():
            total[k] = total.get(k, 0) + v
    return {k: v for k, v in total.items() if v}


def route_errors(kind: str, move: Move) -> dict[str, str]:
    """What is wrong with the places of a movement of this kind, as {field: message}."""
    errors: dict[str, str] = {}
    allowed = ROUTES.get(kind)
    if allowed is None:
        return {"kind": _("Choose a kind of movement.")}
    if move.quantity is None or move.quantity <= 0:
        errors["quantity"] = _("Give a quantity of at least 1.")
    if (move.source, move.target) not in allowed:
        if move.source == PERSON and (PERSON, move.target) not in allowed:
            errors["from_staff"] = _("This movement does not start with a person.")
        elif move.source != PERSON and any(s == PERSON for s, _t in allowed):
            errors["from_staff"] = _("Choose the person the items come from.")
        if move.target == PERSON and (move.source, PERSON) not in allowed:
            errors["to_staff"] = _("This movement does not go to a person.")
        elif move.target != PERSON and any(t == PERSON for _s, t in allowed):
            errors["to_staff"] = _("Choose the person who receives the items.")
        if not errors:
            errors["kind"] = _("This movement cannot go from there to there.")
    if move.source == PERSON and move.target == PERSON and move.from_id == move.to_id:
        errors["to_staff"] = _("The items already are with this person; choose someone else.")
    return errors


def shortfall(kind_source: str, available: int, quantity: int) -> bool:
    """Whether a movement takes more than the place it comes from holds (outside has no limit)."""
    return kind_source != OUTSIDE and quantity > available


@dataclass(frozen=True)
class Derived:
    status: str
    custodian_id: int | None


def derive(on_hand: int, holdings: dict[int, int]) -> Derived:
    """A register entry's status and custodian from its stock.

    Status: gone when nothing is left, in store when everything is in the store, else issued.
    Custodian: the one person who holds it when nothing is in the store; otherwise none (the
    keeper's store, or spread over several people, each shown under their holdings).
    """
    held = {k: v for k, v in holdings.items() if v > 0}
    total = on_hand + sum(held.values())
    if total == 0:
        return Derived(GONE, None)
    if not held:
        return Derived(IN_STORE, None)
    custodian = next(iter(held)) if len(held) == 1 and on_hand == 0 else None
    return Derived(ISSUED, custodian)


SEARCH_TEXT_MAX = 2000


def search_text(tag: str, description: str, spec: str, holders: Iterable[tuple[str, str, str]] = ()) -> str:
    """The list's search text: the register fields and each holder's (name, 工号, pinyin keys),
    lower-cased, space-separated (pinyin keys keep their leading spaces, so " zs" finds a word
    start)."""
    parts = [tag, description, spec]
    for name, emp_no, keys in holders:
        parts += [name, emp_no, keys]
    return " ".join(p.strip() for p in parts if p and p.strip()).lower()[:SEARCH_TEXT_MAX]


def search_terms(q: str) -> list[str]:
    """The words of a search, lower-cased: every one must match."""
    return [w for w in (q or "").lower().split() if w][:5]


def charge_errors(
    *, amount: Decimal | None, value: Decimal, quantity: int, responsible: bool, pay_month: bool, reason: str
) -> dict[str, str]:
    """What is wrong with an incident's charge (第十四条: the person responsible bears the loss).

    The charge is in yuan and fen, not negative, at most the value of what was damaged or lost
    unless a reason is given; a charge needs the person and the month whose pay it comes out of.
    """
    errors: dict[str, str] = {}
    if amount is None:
        return {"amount": _("Give the amount charged (0 for no charge).")}
    if amount < 0:
        errors["amount"] = _("The amount charged cannot be negative.")
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = _("Give the amount in yuan and fen (two decimals at most).")
    elif amount > value * quantity and not reason.strip():
        errors["over_value_reason"] = _(
            "The charge is more than the value of the items; give the reason or lower the amount."
        )
    if amount and amount > 0:
        if not responsible:
            errors["responsible"] = _("Choose the person responsible for a charge.")
        if not pay_month:
            errors["pay_month"] = _("Choose the month whose pay the charge is deducted from.")
    return errors
