"""Benchmark the to-do page (issue 15: within 60 ms for a county, at most 6 queries for every role).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_<name> .venv/bin/python bench/bench_todo.py \
        [--associations 10000] [--runs 20] [--rebuild]

Builds (once; `--rebuild` to start again) a county 「測試縣」 of N associations in 18 townships in the
database DATABASE_URL names (migrated), with this year's and last year's facts varied so that every kind
and state of to-do occurs, a county officer and a township clerk; writes the duties (`manage.py
refresh_duties` does the same), then requests /grading/todo/ in-process with Django's test Client as each
of them: one warm-up, then `--runs` timed requests, and prints the median wall-clock time, the fastest,
the median CPU time of this process, the median time spent in the queries' round trips, and the query count.
Run it while the machine is otherwise idle: wall-clock figures grow with other load.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from associations.models import (  # noqa: E402
    Association,
    County,
    Election,
    Meeting,
    StaffMembership,
    Township,
    YearlyFiling,
)

COUNTY = "測試縣"
D = datetime.date
LATE = datetime.timedelta(days=40)


@transaction.atomic
def build(count: int) -> None:
    today = timezone.localdate()
    year = today.year
    county = County.objects.create(name=COUNTY)
    townships = [
        Township.objects.create(county=county, name=f"測試{n}鄉", kind="鄉", sort_order=n) for n in range(18)
    ]
    associations = Association.objects.bulk_create(
        (
            Association(
                name=f"第{n}號社區發展協會", name_key=f"第{n}號社區發展協會", township=townships[n % 18]
            )
            for n in range(count)
        ),
        batch_size=5000,
    )
    meetings, filings, elections = [], [], []
    for n, association in enumerate(associations):
        variant = n % 10
        if variant not in (0, 5):  # a fifth hold no assembly this year
            meetings.append(
                Meeting(
                    association=association,
                    kind="general_assembly",
                    held_on=D(year, 5, 20),
                    minutes_filed_on=None if variant == 1 else D(year, 6, 10) + LATE * (variant == 2),
                )
            )
        for day in (D(year, 3, 1), D(year, 8, 1)) if variant != 3 else (D(year, 3, 1),):
            meetings.append(Meeting(association=association, kind="board", held_on=day))
            meetings.append(Meeting(association=association, kind="supervisory", held_on=day))
        filings.append(
            YearlyFiling(
                association=association,
                year=year,
                plan_budget_filed_on=None if variant == 4 else D(year - 1, 12, 1) + LATE * (variant == 6),
            )
        )
        filings.append(
            YearlyFiling(
                association=association,
                year=year - 1,
                report_accounts_filed_on=None if variant == 7 else D(year, 3, 1) + LATE * (variant == 8),
            )
        )
        if variant != 9:
            ends = today + datetime.timedelta(days=(n * 37) % 900 - 200)
            elections.append(
                Election(
                    association=association,
                    term_number=8,
                    elected_on=ends - datetime.timedelta(days=4 * 365),
                    term_ends_on=ends,
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    YearlyFiling.objects.bulk_create(filings, batch_size=5000)
    Election.objects.bulk_create(elections, batch_size=5000)
    User = get_user_model()
    for username, role, township in (
        ("bench-county", "county", None),
        ("bench-clerk", "township", townships[0]),
    ):
        user = User.objects.create_user(username=username, password="x")
        StaffMembership.objects.create(
            user=user, role=role, township=township, county=None if township else county
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--associations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--no-refresh", action="store_true", help="keep the duties already written")
    args = parser.parse_args()
    setup_test_environment()

    existing = County.objects.filter(name=COUNTY).first()
    if existing is not None and args.rebuild:
        with transaction.atomic():
            Association.objects.filter(township__county=existing).delete()
            get_user_model().objects.filter(username__startswith="bench-").delete()
            Township.objects.filter(county=existing).delete()
            existing.delete()
        existing = None
    if existing is None:
        started = time.perf_counter()
        build(args.associations)
        print(f"built {args.associations} associations in {time.perf_counter() - started:.1f} s")
    scope = Association.objects.filter(township__county__name=COUNTY)
    try:
        from grading.duties import refresh
    except ImportError:  # the design before stored duties: nothing to write
        refresh = None
    if refresh is not None and not args.no_refresh:
        started = time.perf_counter()
        written = refresh(associations=scope)
        print(f"refresh: {written} duties written in {time.perf_counter() - started:.2f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does soon after a bulk write
            cursor.execute("ANALYZE")

    print(f"{connection.vendor}, {scope.count()} associations, {os.cpu_count()} CPU")
    for username in ("bench-county", "bench-clerk"):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        for url in ("/grading/todo/", "/grading/todo/?state=late_done&sort=township&page=3"):
            response = client.get(url)  # warm
            assert response.status_code == 200, response.status_code
            times, cpu, in_db = [], [], []
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as queries:
                    started, started_cpu = time.perf_counter(), time.process_time()
                    client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                in_db.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            print(
                f"{username:<13} {url:<52} median {statistics.median(times):7.1f} ms"
                f" (min {min(times):7.1f}; this process's CPU {statistics.median(cpu):7.1f},"
                f" in the database {statistics.median(in_db):7.1f})  {len(queries.captured_queries)} queries"
            )


if __name__ == "__main__":
    main()
