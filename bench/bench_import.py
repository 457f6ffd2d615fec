"""Benchmark the roster import: N new rows, then the same file again (every row unchanged).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/bench_import.py

Options: --rows 10000 (the full size), --small 1000 (a smaller size to compare query counts).

Runs in a throwaway test database (test_<name>, created and dropped here), on 新竹縣's 13 townships from
fixtures/geography.csv, with every column a real roster has (township, name, date, chair, phone, address).
It prints seconds and query counts for a small and the full size, so a count that grows with rows shows.
Target (issue 3): each of the two runs within 5 s for 10,000 rows on a 2-core machine, on PostgreSQL.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from associations.geography import townships_import  # noqa: E402
from associations.models import Association, County, Officer  # noqa: E402
from associations.roster.dataset import roster_import  # noqa: E402
from bench.cpu import CpuClock  # noqa: E402


def write_roster(path: Path, rows: int, townships: list[str]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(["編號", "鄉鎮市", "名稱", "成立日期", "理事長", "電話", "地址"])
        for n in range(rows):
            township = townships[n % len(townships)]
            writer.writerow(
                [
                    n + 1,
                    township,
                    f"第{n}號社區發展協會",
                    f"{81 + n % 30}{1 + n % 12:02d}{1 + n % 28:02d}",
                    f"王{n}明",
                    f"09{n:08d}",
                    f"新竹縣{township}中正路{n}號",
                ]
            )


def timed(path: Path, county: County, user: object) -> tuple[float, CpuClock, int, object]:
    """Seconds and queries of one import. Queries are counted by an execute wrapper rather than
    CaptureQueriesContext, which would also copy every multi-megabyte INSERT statement into memory."""
    count = 0

    def counter(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with CpuClock() as cpu, connection.execute_wrapper(counter):
        started = time.perf_counter()
        report = roster_import(path=path, user=user, county=county, dry_run=False)
        elapsed = time.perf_counter() - started
    assert report.exit_code == 0, [str(e) for e in report.errors[:5]]
    return elapsed, cpu, count, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="a smaller size, to compare query counts")
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        townships_import(path=ROOT / "fixtures" / "geography.csv")
        county = County.objects.get(name="新竹縣")
        townships = list(county.townships.values_list("name", flat=True))
        user = get_user_model().objects.create_user("bench", password="x")
        print(f"{connection.vendor} {connection.settings_dict['NAME']}, {os.cpu_count()} CPU")
        print(f"{'rows':>7} {'run':<10} {'seconds':>8} {'cpu s':>14} {'queries':>8}  result")
        with tempfile.TemporaryDirectory() as tmp:
            for size in (args.small, args.rows):
                Officer.objects.all().delete()
                Association.objects.all().delete()
                path = Path(tmp) / f"roster-{size}.csv"
                write_roster(path, size, townships)
                for run in ("new", "unchanged"):
                    seconds, cpu, queries, report = timed(path, county, user)
                    print(f"{size:>7} {run:<10} {seconds:>8.2f} {cpu:>14} {queries:>8}  {report.summary()}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
