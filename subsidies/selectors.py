"""Reads of the subsidy desk for other pages (the home dashboard)."""

from __future__ import annotations

from django.db.models import Count, Min
from django.utils import timezone

from associations import access
from associations.years import always_open, county_years
from core.converters import require_year
from subsidies import workflow
from subsidies.models import Allocation, Application, State


def subsidy_summary(user: object) -> dict[str, object] | None:
    """This year's applications by state, and how many wait for the user's role, in one query; None when
    the user sees none this year."""
    if not access.can_use_registry(user):
        return None
    year = timezone.localdate().year
    counts = dict(
        Application.objects.visible_to(user)
        .filter(year=year)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    if not counts:
        return None  # nothing this year: the dashboard shows no empty block
    waiting = workflow.QUEUE_STATES.get(access.role_of(user), frozenset())
    return {
        "year": year,
        "waiting": sum(n for state, n in counts.items() if state in waiting),
        "states": [
            (value, label, counts.get(value, 0)) for value, label in State.choices if counts.get(value)
        ],
    }


def require_subsidy_year(year: int, county_id: int | None) -> None:
    """`require_year` against `subsidy_years`, without its two queries for last, this and next year (every
    county's range holds them: `associations.years.always_open`)."""
    if not always_open(year):
        require_year(year, subsidy_years(county_id))


def subsidy_years(county_id: int | None) -> range:
    """The years a county's budget, configuration and batch pages open for: the county's years
    (`associations.years.county_years`: its earliest fact to next year), reaching back to its earliest
    application or allocation (past years' applications are imported)."""
    years = county_years(county_id)
    if county_id is None:
        return years
    earliest = (
        Application.objects.filter(county_id=county_id)
        .order_by()
        .values("county_id")
        .annotate(application=Min("year"))
        .values("application")
        .union(
            Allocation.objects.filter(source__county_id=county_id)
            .order_by()
            .values("source__county_id")
            .annotate(allocation=Min("year"))
            .values("allocation"),
            all=True,
        )
    )
    return range(min([years.start, *earliest.values_list("application", flat=True)]), years.stop)
