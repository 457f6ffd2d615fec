import datetime
import zoneinfo
from pathlib import Path

import time_machine

#: Files the tests read; everything a test opens lives inside the repository (tests/data/README.md).
DATA_DIR = Path(__file__).resolve().parent / "data"

#: The day on which every test whose outcome depends on the date runs (the `frozen_today` fixture): mid-year,
#: after the 31 March deadline for last year's report, with half of this year's meetings behind it.
TODAY = datetime.date(2026, 7, 1)


def clock_at(day: datetime.date = TODAY) -> time_machine.travel:
    """The clock moved to 10:00 in Taipei on `day`; it ticks on, so durations pass but the date stays."""
    start = datetime.datetime.combine(day, datetime.time(10), tzinfo=zoneinfo.ZoneInfo("Asia/Taipei"))
    return time_machine.travel(start, tick=True)
