"""Demo data for office assets."""

import datetime as dt


def build(*, seed: int, today: dt.date) -> None:
    pass
