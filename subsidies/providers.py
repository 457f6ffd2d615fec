"""Closed-out grants count toward the tier rule (grading/providers.py): each application of the year that
was funded and closed out (核銷結案) is one programme activity, named in the tier trail by its case number."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from associations.models import Association
from grading.tiers import ProgrammeCount
from subsidies.models import Application, State


class ClosedGrantsProvider:
    code = "subsidies"

    def counts(
        self, *, associations: QuerySet[Association], year: int, thresholds: Mapping[str, int]
    ) -> dict[int, list[ProgrammeCount]]:
        """One query: the closed-out applications of the year of the given associations."""
        grants: dict[int, list[str]] = {}
        rows = (
            Application.objects.filter(
                association__in=associations.order_by().values("pk"), year=year, state=State.CLOSED
            )
            .order_by("association_id", "number")
            .values_list("association_id", "case_number", "title")
        )
        for association_id, case_number, title in rows:
            grants.setdefault(association_id, []).append(f"{case_number} {title}")
        return {
            pk: [
                ProgrammeCount(
                    "closed_grants", gettext_noop("結案的補助計畫：%(grants)s"), len(names), {"grants": names}
                )
            ]
            for pk, names in grants.items()
        }
