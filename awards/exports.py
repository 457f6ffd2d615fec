"""The results table as exported (the results page's buttons and `export_award_results`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _

from awards.models import AwardRound
from awards.results import round_results
from core.exports import Cell


def results_headers() -> list[str]:
    return [
        _("組別"),
        _("名次"),
        _("鄉鎮市"),
        _("協會名稱"),
        _("總分"),
        _("評審人數"),
        _("各評審總分"),
        _("等第"),
    ]


def results_rows(award_round: AwardRound) -> Iterator[Sequence[Cell]]:
    for group_result in round_results(award_round):
        for line in group_result.lines:
            result, entry = line.result, line.entry
            yield [
                group_result.group.name,
                result.rank,
                entry.township.name,
                entry.association.name if entry.association_id else entry.display_name,
                f"{result.score:.2f}" if result.score is not None else "",
                result.judges_counted,
                "、".join(f"{total:.2f}" for total in line.totals_in_order),
                result.level,
            ]
