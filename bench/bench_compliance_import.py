"""Benchmark the compliance import: a year's sheet of N rows previewed, imported new, imported unchanged, and
imported with a tenth of its rows corrected.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/bench_compliance_import.py

Options: --rows 10000 (the full size), --small 1000 (a smaller size to compare query counts), --runs
(which runs, default all four: preview new unchanged corrected).

Runs in a throwaway test database (test_<name>, created and dropped here), on 新竹縣's 13 townships from
fixtures/geography.csv with N associations (no facts on record at first). Every row fills every column a
real sheet has (an assembly and its minutes date, two board and two supervisory meetings, both filings, the
term end, a note), so a new row creates five meetings, a filing and an election and re-judges the
association. The corrected run changes a tenth of the rows' report date and second board meeting (one
filing updated, one meeting removed and one created each). Seconds and query counts are printed for a
small and the full size, so a count that grows with rows shows.
Target (issue 15): 10,000 rows within 10 s on a 2-core machine, on PostgreSQL.

`run(rows=..., small=...)` does the same and answers the figures as a dict (for `make bench`).
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
from associations.models import Association, County, Election, Meeting, YearlyFiling  # noqa: E402
from bench.cpu import CpuClock  # noqa: E402
from core.imports.pipeline import run_import  # noqa: E402
from core.text import association_name_key  # noqa: E402

YEAR = 2025  # ROC 114: a whole year in the past, so no date of the sheet is in the future
RUNS = ("preview", "new", "unchanged", "corrected")
HEADER = [
    "鄉鎮市",
    "協會名稱",
    "會員大會日期",
    "會員大會紀錄送府日期",
    "理事會日期",
    "監事會日期",
    "工作計畫及預算送府日期",
    "工作報告及決算送府日期",
    "任期屆滿日",
    "備註",
]


def populate(count: int, county: County, townships: list) -> None:
    Association.objects.bulk_create(
        (
            Association(
                name=f"第{n}號社區發展協會",
                name_key=association_name_key(
                    f"第{n}號社區發展協會", county=county.name, township=townships[n % len(townships)].name
                ),
                township=townships[n % len(townships)],
                term_number=8,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )


def write_sheet(path: Path, count: int, townships: list, *, corrected: bool = False) -> None:
    """A year's sheet; `corrected`: every tenth row's report date and second board meeting differ."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(HEADER)
        for n in range(count):
            changed = corrected and n % 10 == 0
            writer.writerow(
                [
                    townships[n % len(townships)].name,
                    f"第{n}號社區發展協會",
                    "114/05/20",
                    "114/06/10",
                    "114/03/01、114/09/15" if changed else "114/03/01、114/08/01",
                    "114/03/01、114/08/01",
                    "113/12/01",
                    "115/03/15" if changed else "115/03/01",
                    "116/02/28",
                    f"第{n}列備註",
                ]
            )


def timed(import_run, *, path: Path, user: object, dry_run: bool) -> tuple[float, CpuClock, int, object]:
    """Seconds and queries of one import. Queries are counted by an execute wrapper rather than
    CaptureQueriesContext, which would also copy every multi-megabyte INSERT statement into memory."""
    count = 0

    def counter(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with CpuClock() as cpu, connection.execute_wrapper(counter):
        started = time.perf_counter()
        report = run_import(import_run, path=path, user=user, dry_run=dry_run)
        elapsed = time.perf_counter() - started
    assert report.exit_code == 0, [str(e) for e in report.errors[:5]]
    return elapsed, cpu, count, report


def _measure(*, rows: int, small: int, runs: tuple[str, ...], echo: bool) -> dict:
    from associations.compliance.imports import ComplianceImport

    figures: dict = {"vendor": connection.vendor, "cpus": os.cpu_count(), "year": YEAR, "runs": []}
    townships_import(path=ROOT / "fixtures" / "geography.csv")
    county = County.objects.get(name="新竹縣")
    townships = list(county.townships.order_by("sort_order", "name"))
    user = get_user_model().objects.create_user("bench", password="x")
    if echo:
        print(f"{connection.vendor} {connection.settings_dict['NAME']}, {os.cpu_count()} CPU")
        print(f"{'rows':>7} {'run':<10} {'seconds':>8} {'cpu s':>14} {'queries':>8}  result")
    with tempfile.TemporaryDirectory() as tmp:
        for size in dict.fromkeys((small, rows)):  # the small size first; once if the same
            for model in (Meeting, YearlyFiling, Election):
                model.history.all().delete()
                model.objects.all().delete()
            Association.objects.all().delete()
            populate(size, county, townships)
            sheet = Path(tmp) / f"compliance-{size}.csv"
            write_sheet(sheet, size, townships)
            corrected = Path(tmp) / f"compliance-{size}-corrected.csv"
            write_sheet(corrected, size, townships, corrected=True)
            for run_name in runs:
                seconds, cpu, queries, report = timed(
                    ComplianceImport(year=YEAR, county=county, user=user),
                    path=corrected if run_name == "corrected" else sheet,
                    user=user,
                    dry_run=run_name == "preview",
                )
                figures["runs"].append(
                    {
                        "rows": size,
                        "run": run_name,
                        "seconds": round(seconds, 3),
                        "cpu_seconds": round(cpu.total, 3),
                        "queries": queries,
                        "counts": dict(report.counts),
                    }
                )
                if echo:
                    line = f"{size:>7} {run_name:<10} {seconds:>8.2f} {cpu:>14} {queries:>8}"
                    print(f"{line}  {report.summary()}")
    return figures


def run(rows: int = 10_000, small: int = 1_000, runs: tuple[str, ...] = RUNS, echo: bool = False) -> dict:
    """The benchmark in a throwaway test database; answers {"runs": [{rows, run, seconds, queries, ...}]}."""
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        return _measure(rows=rows, small=small, runs=runs, echo=echo)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="a smaller size, to compare query counts")
    parser.add_argument("--runs", nargs="+", choices=RUNS, default=list(RUNS))
    args = parser.parse_args()
    run(rows=args.rows, small=args.small, runs=tuple(args.runs), echo=True)


if __name__ == "__main__":
    main()
