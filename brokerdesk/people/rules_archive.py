"""The archive's rules as pure functions (no database, no request): contract terms
(第十九条), expiry warnings, and the state of a file's document slots (第二十条)."""

import datetime as dt
from dataclasses import dataclass

# 第十九条: labour contracts and marketing cooperation agreements run one year.
CONTRACT_YEARS = 1


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def default_contract_end(starts_on: dt.date, years: int = CONTRACT_YEARS) -> dt.date:
    """The last day of a contract of ``years`` from ``starts_on`` (1 Mar 2026 → 28 Feb 2027)."""
    return add_years(starts_on, years) - dt.timedelta(days=1)


def contract_kind_for(employment_type: str) -> str:
    """Employees sign a labour contract, part-timers a marketing cooperation agreement."""
    return "cooperation" if employment_type == "part_time" else "labour"


def renewal_dates(previous_end: dt.date, years: int = CONTRACT_YEARS) -> tuple[dt.date, dt.date]:
    """A renewal starts the day after the previous contract ends and runs ``years``."""
    start = previous_end + dt.timedelta(days=1)
    return start, default_contract_end(start, years)


def valid_on(starts_on: dt.date, last_day: dt.date | None, day: dt.date) -> bool:
    """Whether a period from ``starts_on`` to ``last_day`` (None: open) covers ``day``."""
    return starts_on <= day and (last_day is None or day <= last_day)


def expiry_due(last_day: dt.date | None, today: dt.date, days_ahead: int) -> bool:
    """Whether an expiry on ``last_day`` should be warned of today (within ``days_ahead``,
    not yet past)."""
    if last_day is None:
        return False
    return today <= last_day <= today + dt.timedelta(days=days_ahead)


def days_left(last_day: dt.date | None, today: dt.date) -> int | None:
    return None if last_day is None else (last_day - today).days


@dataclass(frozen=True)
class SlotState:
    slot: str
    present: bool
    verified: bool

    @property
    def missing(self) -> bool:
        return not self.present

    @property
    def unverified(self) -> bool:
        return self.present and not self.verified


def slot_states(required: tuple[str, ...], current: dict[str, list[bool]]) -> list[SlotState]:
    """The state of each required slot, given ``{slot: [verified?, …]}`` of the current
    documents. A slot with several documents is verified only if all of them are."""
    states = []
    for slot in required:
        docs = current.get(slot, [])
        states.append(SlotState(slot=slot, present=bool(docs), verified=bool(docs) and all(docs)))
    return states
