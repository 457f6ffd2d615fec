"""The years a page may open: from the association's founding (or its earliest recorded fact) to next year,
and for a county's grading pages from the county's earliest data to next year. A year outside answers 404
before anything is read or created, so a typed `/compliance/2100/` leaves no register behind."""

from __future__ import annotations

import datetime

from django.db.models import Min, Subquery
from django.utils import timezone

from associations.models import Association, County, Meeting, YearlyFiling


def _span(earliest: list[datetime.date | int | None]) -> range:
    """From the earliest of `earliest` (dates or years; the year being checked, last year, at the latest)
    to next year."""
    this_year = timezone.localdate().year
    years = [e.year if isinstance(e, datetime.date) else e for e in earliest if e is not None]
    return range(min([*years, this_year - 1]), this_year + 2)


def association_years(association: Association) -> range:
    """The years an association's checklist may be opened for."""
    found = Association.objects.filter(pk=association.pk).aggregate(
        meeting=Min("meetings__held_on"),
        filing=Min("yearly_filings__year"),
        elected=Min("elections__elected_on"),
    )
    return _span([association.founded_on, *found.values()])


def always_open(year: int) -> bool:
    """Last year, this year and next year are open for every county and association (`_span` never starts
    later than last year): a page of those years needs no query to know it."""
    this_year = timezone.localdate().year
    return this_year - 1 <= year <= this_year + 1


def county_years(county_id: int | None) -> range:
    """The years a county's grading pages and township grid may be opened for."""
    if county_id is None:
        return _span([])
    found = County.objects.filter(pk=county_id).values(**county_year_columns(county_id)).first()
    return _span(list(found.values()) if found else [])


def county_year_columns(county_id: int) -> dict[str, Subquery]:
    """What `county_years` reads, as columns to add to another query (e.g. of the county's townships):
    `county_years_of(row)` turns them into the range. They do not refer to the query's rows, so the database
    computes them once for the query, not once a row."""

    def earliest(model: type, field: str, path: str = "association__township__county") -> Subquery:
        rows = model.objects.filter(**{path: county_id}).order_by().values(path)
        return Subquery(rows.annotate(m=Min(field)).values("m"))

    return {
        "_county_founded": earliest(Association, "founded_on", "township__county"),
        "_county_meeting": earliest(Meeting, "held_on"),
        "_county_filing": earliest(YearlyFiling, "year"),
    }


def county_years_of(row: object) -> range:
    """The range of a row read with `county_year_columns`."""
    return _span([getattr(row, name) for name in ("_county_founded", "_county_meeting", "_county_filing")])
