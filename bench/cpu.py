"""CPU seconds of this Python process plus its PostgreSQL backend, for benchmarks on a shared machine.

Wall-clock seconds are inflated by whatever else the machine runs; CPU seconds are not (much). The backend's
CPU is read from /proc/<pid>/stat, which works when PostgreSQL runs on this machine; otherwise only the
Python process is counted and the figure says so.
"""

from __future__ import annotations

import os
import time

from django.db import connection


def _backend_seconds() -> float | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stream:
            fields = stream.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # Fields after the command name: utime and stime are the 12th and 13th (clock ticks).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuClock:
    """with CpuClock() as clock: ...; then clock.python, clock.database (None when unknown), clock.total.
    Reading the backend's pid is one query at each end (`queries`, to subtract from a count taken around)."""

    queries = 0

    def __enter__(self) -> CpuClock:
        self._database = _backend_seconds()
        self._python = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.python = time.process_time() - self._python
        database = _backend_seconds()
        self.queries = 0 if database is None else 2
        self.database = None if database is None or self._database is None else database - self._database
        self.total = self.python + (self.database or 0.0)

    def __format__(self, spec: str) -> str:
        """ "3.10 (2.50+0.60)": total CPU seconds, then Python's and the database's."""
        if self.database is None:
            text = f"{self.python:.2f} (py only)"
        else:
            text = f"{self.total:.2f} ({self.python:.2f}+{self.database:.2f})"
        return format(text, spec)
