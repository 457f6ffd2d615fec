"""Programme fact providers: how apps above `grading` add countable facts to the tier rule without
`grading` importing them (docs/architecture.md, "Layers and dependency direction").

A provider answers, in bulk, "for these associations and this year, what countable programme activities
do you know of?". `subsidies` (closed-out grants) and `awards` (results) register theirs in their
`AppConfig.ready()`:

    from grading.providers import register_provider
    register_provider(ClosedGrantsProvider())

`associations`' own programme facts are the first provider, registered by `GradingConfig.ready()`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from associations.models import Association, service_lines
from grading.tiers import ProgrammeCount


@runtime_checkable
class ProgrammeFactProvider(Protocol):
    #: A stable identifier; registering a second provider with the same code replaces the first.
    code: str

    def counts(
        self, *, associations: QuerySet[Association], year: int, thresholds: Mapping[str, int]
    ) -> Mapping[int, list[ProgrammeCount]]:
        """Counts per association id, for every association in `associations` the provider knows of. Must
        run a fixed number of queries however many associations there are."""
        ...


_providers: dict[str, ProgrammeFactProvider] = {}


def register_provider(provider: ProgrammeFactProvider) -> None:
    if not isinstance(provider, ProgrammeFactProvider):
        raise TypeError(f"{provider!r} is not a ProgrammeFactProvider")
    _providers[provider.code] = provider


def unregister_provider(code: str) -> None:
    _providers.pop(code, None)


def registered_providers() -> list[ProgrammeFactProvider]:
    return list(_providers.values())


def programme_counts(
    *, associations: QuerySet[Association], year: int, thresholds: Mapping[str, int]
) -> dict[int, list[ProgrammeCount]]:
    """Every registered provider's counts, merged per association id (in registration order)."""
    merged: dict[int, list[ProgrammeCount]] = {}
    for provider in registered_providers():
        for association_id, counts in provider.counts(
            associations=associations, year=year, thresholds=thresholds
        ).items():
            merged.setdefault(association_id, []).extend(counts)
    return merged


class AssociationProgrammeProvider:
    """Care station, volunteer team and other regular services, from `associations` (one query)."""

    code = "associations"

    def counts(
        self, *, associations: QuerySet[Association], year: int, thresholds: Mapping[str, int]
    ) -> dict[int, list[ProgrammeCount]]:
        year_end = datetime.date(year, 12, 31)
        min_team = thresholds.get("volunteer_team_min_size", 1)
        rows = associations.order_by().values_list(
            "pk",
            "runs_care_station",
            "programme__care_station_since",
            "programme__volunteer_team",
            "programme__volunteer_count",
            "programme__regular_services",
        )
        result: dict[int, list[ProgrammeCount]] = {}
        for pk, runs_station, station_since, team, team_size, services in rows:
            has_station = bool(runs_station) and (station_since is None or station_since <= year_end)
            has_team = bool(team) and (team_size or 0) >= min_team
            if team:
                team_label, team_params = (
                    gettext_noop("志工隊（%(n)d 人，至少 %(min)d 人才計入）"),
                    {"n": team_size or 0, "min": min_team},
                )
            else:
                team_label, team_params = gettext_noop("志工隊"), {}
            result[pk] = [
                ProgrammeCount("care_station", gettext_noop("社區照顧關懷據點"), int(has_station)),
                ProgrammeCount("volunteer_team", team_label, int(has_team), team_params),
                ProgrammeCount(
                    "regular_services", gettext_noop("其他經常性服務"), len(service_lines(services or ""))
                ),
            ]
        return result
