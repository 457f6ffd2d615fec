"""Benchmark recomputing a year's compliance statuses and tiers: N associations with a year of facts each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/bench_grading.py \
        [--associations 10000]

Runs in a throwaway test database (test_<name>, created and dropped here). Each association gets an assembly,
board and supervisory meetings, both filings, an election and programme facts, varied so that every status and
tier occurs. Three runs are timed: the first (every assessment created), a second with nothing changed, and a
third after a tenth of the associations had their assembly removed. Seconds and query counts are printed for a
small and the full size, so a count that grows with associations shows.
Target (issue 4): 10,000 associations for one year within 10 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from associations.models import (  # noqa: E402
    Association,
    County,
    Election,
    Meeting,
    ProgrammeProfile,
    Township,
    YearlyFiling,
)
from bench.cpu import CpuClock  # noqa: E402
from grading.models import Assessment, TierChange  # noqa: E402
from grading.services import assessments_recompute_system  # noqa: E402

YEAR = 2023
AS_OF = datetime.date(2024, 6, 30)
D = datetime.date


def populate(count: int, townships: list[Township], offset: int) -> None:
    associations = Association.objects.bulk_create(
        Association(
            name=f"第{offset + n}號社區發展協會",
            name_key=f"第{offset + n}號社區發展協會",
            township=townships[n % len(townships)],
        )
        for n in range(count)
    )
    meetings, filings, elections, profiles = [], [], [], []
    for n, association in enumerate(associations):
        variant = n % 10
        if variant != 0:  # a tenth hold no assembly: abnormal, stagnant
            minutes = D(YEAR, 6, 10) if variant != 1 else D(YEAR, 7, 30)  # late minutes: needs guidance
            meetings.append(
                Meeting(
                    association=association,
                    kind="general_assembly",
                    held_on=D(YEAR, 5, 20),
                    minutes_filed_on=minutes,
                )
            )
        for day in (D(YEAR, 3, 1), D(YEAR, 8, 1)) if variant != 2 else (D(YEAR, 3, 1),):
            meetings.append(Meeting(association=association, kind="board", held_on=day))
            meetings.append(Meeting(association=association, kind="supervisory", held_on=day))
        plan = D(YEAR - 1, 12, 1) if variant != 3 else D(YEAR, 1, 15)
        filings.append(
            YearlyFiling(
                association=association,
                year=YEAR,
                plan_budget_filed_on=plan,
                report_accounts_filed_on=D(YEAR + 1, 3, 1),
            )
        )
        ends = D(YEAR + 2, 2, 28) if variant != 4 else D(YEAR, 10, 31)
        elections.append(
            Election(association=association, term_number=8, elected_on=D(YEAR - 2, 3, 1), term_ends_on=ends)
        )
        profiles.append(
            ProgrammeProfile(
                association=association,
                volunteer_team=variant % 3 == 0,
                volunteer_count=15 if variant % 3 == 0 else None,
                regular_services="\n".join(["共餐", "課輔", "巡守"][: variant % 4]),
            )
        )
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    YearlyFiling.objects.bulk_create(filings, batch_size=5000)
    Election.objects.bulk_create(elections, batch_size=5000)
    ProgrammeProfile.objects.bulk_create(profiles, batch_size=5000)


def timed() -> tuple[float, CpuClock, int, object]:
    with CaptureQueriesContext(connection) as queries, CpuClock() as cpu:
        started = time.perf_counter()
        result = assessments_recompute_system(
            county=County.objects.get(name="苗栗縣"), year=YEAR, as_of=AS_OF
        )
        elapsed = time.perf_counter() - started
    return elapsed, cpu, len(queries) - cpu.queries, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--associations", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="a smaller size, to compare query counts")
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        county = County.objects.create(name="苗栗縣")
        townships = [
            Township.objects.create(county=county, name=f"測試{n}鄉", kind="鄉", sort_order=n)
            for n in range(18)
        ]
        print(f"{connection.vendor} {connection.settings_dict['NAME']}, {os.cpu_count()} CPU")
        print(f"{'associations':>12} {'run':<18} {'seconds':>8} {'cpu s':>14} {'queries':>8}  result")
        done = 0
        for size in (args.small, args.associations):
            populate(size - done, townships, done)
            done = size
            Assessment.objects.all().delete()
            TierChange.objects.all().delete()
            for label in ("first", "unchanged"):
                seconds, cpu, queries, result = timed()
                print(f"{size:>12} {label:<18} {seconds:>8.2f} {cpu:>14} {queries:>8}  {_describe(result)}")
            Meeting.objects.filter(
                kind="general_assembly",
                association_id__in=Association.objects.order_by("pk").values("pk")[: size // 10],
            ).delete()
            seconds, cpu, queries, result = timed()
            label = "a tenth changed"
            print(f"{size:>12} {label:<18} {seconds:>8.2f} {cpu:>14} {queries:>8}  {_describe(result)}")
        statuses = dict(Assessment.objects.values_list("status").annotate(n=django.db.models.Count("pk")))
        tiers = dict(
            Assessment.objects.values_list("suggested_tier").annotate(n=django.db.models.Count("pk"))
        )
        print(f"statuses {statuses}; tiers {tiers}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _describe(result: object) -> str:
    return (
        f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
        f"tier changes {result.tier_changes}"
    )


if __name__ == "__main__":
    main()
