"""The demo of 苗栗縣 and the smaller 雲林縣 (`manage.py seed_demo`), composed here from each app's part in
the order the apps are layered: the associations' roster, users and compliance facts first, then
`grading`'s judgment of them, county by county, and 苗栗's award rounds and subsidy applications.
No app keeps a list of demo steps: adding an app's part means adding its call here."""

from __future__ import annotations

import datetime
import time
from typing import TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from associations.demo.national import (
    JUDGES,
    NATIONAL_ASSOCIATIONS,
    NationalResult,
    national_write,
    national_years,
)
from associations.demo.words import COUNTY as DEMO_COUNTY
from associations.demo.writing import DemoResult, demo_write
from associations.models import Association
from awards.demo import awards_demo, awards_national
from core.roles import Role
from grading.demo import grade_demo, grade_national
from grading.duties import refresh as refresh_duties
from subsidies.demo import subsidies_demo


@transaction.atomic
def demo_seed(
    *, seed: int = 112, stdout: TextIO | None = None, today: datetime.date | None = None
) -> DemoResult:
    """Seed the demo: what already exists is left alone, and the apps above `associations` add their part
    for a county only when this run created its associations (so running it twice changes nothing)."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    result = demo_write(seed=seed, today=today, stdout=stdout)
    for county in result.counties_created:
        county_user = _county_user(result, county)
        result.notes.extend(grade_demo(seed=seed, today=today, county=county, county_user=county_user))
        if county == DEMO_COUNTY:  # the award and subsidy desks are shown on 苗栗, where the judges are
            result.notes.extend(awards_demo(seed=seed, today=today, county_user=county_user))
            result.notes.extend(subsidies_demo(today=today, county_user=county_user))
    if result.counties_created:
        # The to-do list reads stored duties: written once the demo's facts are all in.
        refresh_duties(
            associations=Association.objects.filter(township__county__name__in=result.counties_created),
            today=today,
        )
    result.seconds = time.perf_counter() - started
    return result


def _county_user(result: DemoResult, county: str) -> object:
    """The county's demo officer, who grades and finalises its registers."""
    username = next(u.username for u in result.users if u.role == Role.COUNTY and u.county == county)
    return get_user_model().objects.get(username=username)


#: Applications the national set puts through the subsidy route: the demo's plans this many times over.
NATIONAL_SUBSIDY_REPEAT = 4


@transaction.atomic
def national_seed(
    *,
    seed: int = 112,
    associations: int = NATIONAL_ASSOCIATIONS,
    stdout: TextIO | None = None,
    today: datetime.date | None = None,
) -> NationalResult:
    """The national set (`seed_demo --scale national`, issue 15) onto an empty database: the associations'
    part in bulk, every county and year judged by the real recompute, and in the home county the award
    rounds (500 entries, 7 judges, 6 criteria a year) and the year's subsidy applications in every state."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    result = national_write(seed=seed, today=today, associations=associations, stdout=stdout)
    _note(stdout, [], [f"{result.associations} associations written"], started)
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=[u.username for u in result.users])
    }
    county_user = next(users[u.username] for u in result.users if u.role == Role.COUNTY)
    years = national_years(today)
    _note(stdout, result.notes, grade_national(years=years, today=today, county_user=county_user), started)
    judges = [users[username] for username, _name in JUDGES]
    awards = awards_national(seed=seed, years=years, county_user=county_user, judges=judges)
    _note(stdout, result.notes, awards, started)
    subsidies = subsidies_demo(today=today, county_user=county_user, repeat=NATIONAL_SUBSIDY_REPEAT)
    _note(stdout, result.notes, subsidies, started)
    result.seconds = time.perf_counter() - started
    return result


def _note(stdout: TextIO | None, notes: list[str], lines: list[str], started: float) -> None:
    """Keep `lines` for the summary and show them now with the time taken so far (the seed is long)."""
    notes.extend(lines)
    if stdout is not None:
        for line in lines:
            stdout.write(f"{line} [{time.perf_counter() - started:.0f} s]\n")
            stdout.flush()
