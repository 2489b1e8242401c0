"""Demo data for archive register."""

import datetime as dt


def build(*, seed: int, today: dt.date) -> None:
    pass
