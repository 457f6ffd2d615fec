"""Applications as a table: one row per funding line, with the import's columns plus 案號 and 狀態 (and the
county's rank in a ministry batch). Shared by the batch export and `manage.py export_applications`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from core.dates import format_roc, roc_year
from subsidies.models import Application

HEADERS = [
    "鄉鎮市",
    "協會名稱",
    "年度",
    "補助項目",
    "計畫名稱",
    "期程",
    "經費來源",
    "申請金額",
    "核定金額",
    "案號",
    "狀態",
]


def prefetch(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.select_related("association__township", "item").prefetch_related(
        "funding_lines__source"
    )


def rows(applications: Iterable[Application], *, with_rank: bool = False) -> Iterator[list[object]]:
    for application in applications:
        period = f"{format_roc(application.starts_on)}-{format_roc(application.ends_on)}"
        for line in application.funding_lines.all():
            row: list[object] = [
                application.association.township.name,
                application.association.name,
                roc_year(application.year),
                application.item.name,
                application.title,
                period,
                line.source.name,
                line.requested,
                "" if line.approved is None else line.approved,
                application.case_number,
                application.get_state_display(),
            ]
            yield [application.rank or "", *row] if with_rank else row
