"""What `awards` gives the apps below it: the award history on an association's page (`associations.panels`)
and awards won as a programme fact for the tier rule (`grading.providers`). Both read only published results
(`AwardResult`, written at publication)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from associations.models import Association
from associations.panels import Section
from awards.models import AwardResult
from core.dates import format_roc_year
from grading.tiers import ProgrammeCount


class AwardHistorySection:
    code = "awards"

    def section(self, *, association: Association, user: object) -> Section:
        rows = [
            (
                format_roc_year(result.year),
                result.round.name,
                result.group_name,
                result.rank or "—",
                f"{result.score:.2f}" if result.score is not None else "—",
                result.level or "—",
                _("是") if result.national_nominee else "",
            )
            for result in AwardResult.objects.filter(association=association)
            .select_related("round")
            .order_by("-year", "round_id")
        ]
        return Section(
            title=_("金卓越社區選拔得獎紀錄"),
            headers=[_("年度"), _("回合"), _("組別"), _("名次"), _("總分"), _("等第"), _("推薦全國")],
            rows=rows,
            empty=_("尚無公布的選拔成績。"),
        )


class AwardsProgrammeProvider:
    """An award level won in the year counts as one programme activity per award (one query)."""

    code = "awards"

    def counts(
        self, *, associations: QuerySet[Association], year: int, thresholds: Mapping[str, int]
    ) -> dict[int, list[ProgrammeCount]]:
        won = (
            AwardResult.objects.filter(association__in=associations.values("pk"), year=year)
            .exclude(level="")
            .values("association_id")
            .annotate(n=Count("pk"))
            .values_list("association_id", "n")
        )
        return {
            association_id: [ProgrammeCount("award", gettext_noop("金卓越社區選拔獲獎"), n)]
            for association_id, n in won
        }
