"""Roster export: the associations a user sees, with the same headers the import reads and dates in ROC
form, so that exporting and importing the file back reports every row unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.db.models import F, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from associations.models import Association, Officer
from associations.roster.columns import HEADERS, POSITIONS, officer_cell, status_cell
from core.dates import format_roc
from core.exports import Cell, write_table
from core.security import exported_table

CHUNK = 2000
SHEET_TITLE = "社區發展協會"


def association_rows(queryset: QuerySet[Association]) -> Iterator[list[Cell]]:
    """One row per association of `queryset` (already scoped and filtered), in its order. Queries: one per
    CHUNK associations, plus one each for their villages and current officers."""
    officers = Prefetch(
        "officers",
        queryset=Officer.objects.current()
        .filter(position__in=POSITIONS.values())
        .order_by(F("term_start").desc(nulls_last=True), "-pk"),
        to_attr="current_officers",
    )
    rows = queryset.select_related("township").prefetch_related("villages", officers)
    for association in rows.iterator(chunk_size=CHUNK):
        holders: dict[str, str] = {}
        for officer in association.current_officers:
            holders.setdefault(officer.position, officer_cell(officer.name, officer.note))
        yield [
            association.township.name,
            association.name,
            "、".join(village.name for village in association.villages.all()),
            holders.get(POSITIONS["chair"], ""),
            holders.get(POSITIONS["secretary"], ""),
            association.phone,
            association.address,
            format_roc(association.founded_on),
            association.registration_number,
            association.term_number,
            association.member_count,
            association.email,
            status_cell(association.status),
            format_roc(association.dissolved_on),
        ]


def export_to_path(*, queryset: QuerySet[Association], path: Path) -> int:
    """Write `queryset` to `path` (.xlsx or .csv by extension); returns the number of rows written."""
    count = 0

    def counted() -> Iterator[list[Cell]]:
        nonlocal count
        for row in association_rows(queryset):
            count += 1
            yield row

    write_table(path, headers=HEADERS, rows=counted(), title=SHEET_TITLE)
    return count


def export_response(request: HttpRequest, *, queryset: QuerySet[Association], fmt: str) -> HttpResponse:
    """The download, recorded in the security log with the request's filter and the row count."""
    filename = f"社區發展協會名冊_{format_roc(timezone.localdate(), sep='')}"
    return exported_table(
        request,
        filename=filename,
        fmt=fmt,
        headers=HEADERS,
        rows=association_rows(queryset),
        title=SHEET_TITLE,
    )
