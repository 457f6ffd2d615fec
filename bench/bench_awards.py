"""Benchmark a round's results: N entries × J judges × C criteria, every sheet submitted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/bench_awards.py \
        [--entries 500] [--judges 7] [--criteria 6]

Runs in a throwaway test database (test_<name>, created and dropped here). Entries are spread over two groups,
one judge has a conflict with every tenth entry, and the round uses the trimmed mean. The results are computed
(`awards.results.round_results`, what the results page, the export and publication run) for a small and the
full size, printing seconds and queries, so a query count that grows with the entries shows.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from associations.models import Association, County, StaffMembership, Township  # noqa: E402
from awards.models import (  # noqa: E402
    AwardGroup,
    AwardLevel,
    AwardRound,
    Conflict,
    Criterion,
    Entry,
    JudgeAssignment,
    Score,
    ScoreSheet,
)
from awards.results import round_results  # noqa: E402


def populate(award_round: AwardRound, *, entries: int, judges: list, criteria: int, offset: int) -> None:
    rng = random.Random(offset)
    groups = list(award_round.groups.order_by("sort_order"))
    by_group = {g.pk: list(Criterion.objects.filter(group=g).order_by("position")) for g in groups}
    townships = list(Township.objects.order_by("pk"))
    associations = Association.objects.bulk_create(
        Association(
            name=f"第{offset + n}號社區發展協會",
            name_key=f"第{offset + n}號社區發展協會",  # bulk_create skips save(), which derives it
            township=townships[n % len(townships)],
        )
        for n in range(entries)
    )
    made = Entry.objects.bulk_create(
        Entry(
            round=award_round,
            group=groups[n % len(groups)],
            township=association.township,
            association=association,
            state=Entry.State.ACCEPTED,
        )
        for n, association in enumerate(associations)
    )
    Conflict.objects.bulk_create(
        Conflict(entry=entry, judge=judges[0], source=Conflict.Source.COUNTY)
        for n, entry in enumerate(made)
        if n % 10 == 0
    )
    sheets = ScoreSheet.objects.bulk_create(
        ScoreSheet(entry=entry, judge=judge, state=ScoreSheet.State.SUBMITTED)
        for entry in made
        for judge in judges
    )
    Score.objects.bulk_create(
        Score(sheet=sheet, criterion=criterion, points=Decimal(rng.randint(20, 32)) / 2)
        for sheet in sheets
        for criterion in by_group[sheet.entry.group_id]
    )


def timed(award_round: AwardRound) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        groups = round_results(award_round)
        seconds = time.perf_counter() - started
    return seconds, len(queries), sum(len(g.lines) for g in groups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--judges", type=int, default=7)
    parser.add_argument("--criteria", type=int, default=6)
    parser.add_argument("--small", type=int, default=50, help="a smaller size, to compare query counts")
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        county = County.objects.create(name="苗栗縣")
        for n in range(18):
            Township.objects.create(county=county, name=f"測試{n}鄉", kind="鄉", sort_order=n)
        award_round = AwardRound.objects.create(
            county=county, year=2026, code="BENCH", name="基準測試", method="trimmed", state="scoring"
        )
        for order, name in enumerate(("績效組", "卓越組"), start=1):
            group = AwardGroup.objects.create(
                round=award_round, name=name, sort_order=order, national_quota=3
            )
            for position in range(1, args.criteria + 1):
                Criterion.objects.create(
                    group=group, position=position, name=f"項目{position}", max_points=16
                )
            AwardLevel.objects.create(group=group, name="優等", rank=1, min_score=Decimal(75), quota=10)
            AwardLevel.objects.create(group=group, name="甲等", rank=2, min_score=Decimal(65))
        judges = []
        for n in range(args.judges):
            user = get_user_model().objects.create(username=f"judge{n}")
            StaffMembership.objects.create(user=user, role="judge")
            JudgeAssignment.objects.create(round=award_round, judge=user)
            judges.append(user)
        print(f"{connection.vendor} {connection.settings_dict['NAME']}, {os.cpu_count()} CPU")
        print(f"{'entries':>8} {'judges':>6} {'criteria':>8} {'seconds':>8} {'queries':>8} {'lines':>6}")
        done = 0
        for size in (args.small, args.entries):
            populate(award_round, entries=size - done, judges=judges, criteria=args.criteria, offset=done)
            done = size
            timed(award_round)  # warm up
            seconds, queries, lines = timed(award_round)
            print(f"{size:>8} {args.judges:>6} {args.criteria:>8} {seconds:>8.3f} {queries:>8} {lines:>6}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
