"""Demo data for people and archives."""

import datetime as dt


def build(*, seed: int, today: dt.date) -> None:
    pass
