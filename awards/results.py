"""A round's results: its values loaded in a fixed number of queries (however many entries, judges and
criteria), then computed by the pure `awards.scoring`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from awards import scoring
from awards.models import (
    AwardGroup,
    AwardLevel,
    AwardResult,
    AwardRound,
    Conflict,
    Criterion,
    Entry,
    Score,
    ScoreSheet,
)


@dataclass
class ResultLine:
    entry: Entry
    result: scoring.EntryResult
    #: The counted judges' totals in the order of `GroupResult.judges` (None where not counted).
    totals_by_judge: list[Decimal | None] = field(default_factory=list)

    @property
    def totals_in_order(self) -> list[Decimal]:
        return [total for total in self.totals_by_judge if total is not None]


@dataclass
class GroupResult:
    group: AwardGroup
    criteria: list[Criterion]
    judges: list[object]
    lines: list[ResultLine]


def round_results(award_round: AwardRound) -> list[GroupResult]:
    groups = list(
        AwardGroup.objects.filter(round=award_round).prefetch_related(
            Prefetch("levels", queryset=AwardLevel.objects.order_by("rank"))
        )
    )
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(group__round=award_round, superseded_at__isnull=True).order_by(
        "position"
    ):
        criteria[criterion.group_id].append(criterion)
    entries = list(
        Entry.objects.filter(round=award_round, state=Entry.State.ACCEPTED).select_related(
            "township", "association"
        )
    )
    points: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for entry_id, judge_id, position, value in Score.objects.filter(
        sheet__entry__round=award_round,
        sheet__entry__state=Entry.State.ACCEPTED,
        sheet__state=ScoreSheet.State.SUBMITTED,
    ).values_list("sheet__entry_id", "sheet__judge_id", "criterion__position", "points"):
        # A sheet holds one score per position (the version it was given against; see services).
        points[entry_id][judge_id][position] = value
    conflicted: dict[int, set[int]] = defaultdict(set)
    for entry_id, judge_id in Conflict.objects.filter(
        entry__round=award_round, cleared_at__isnull=True
    ).values_list("entry_id", "judge_id"):
        conflicted[entry_id].add(judge_id)
    past: dict[int, set[str]] = defaultdict(set)
    if any(level.requires_level for group in groups for level in group.levels.all()):
        for association_id, level in AwardResult.objects.filter(
            association__in=Entry.objects.filter(round=award_round).values("association_id"),
            year__lt=award_round.year,
        ).values_list("association_id", "level"):
            past[association_id].add(level)
    judges = list(get_user_model().objects.filter(award_assignments__round=award_round).order_by("username"))

    by_group: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_group[entry.group_id].append(entry)
    out = []
    for group in groups:
        levels = list(group.levels.all())
        inputs = [
            scoring.EntryInput(
                key=entry.pk,
                sheets=[
                    scoring.Sheet(judge_id, sheet) for judge_id, sheet in points.get(entry.pk, {}).items()
                ],
                conflicted=frozenset(conflicted.get(entry.pk, ())),
                eligible_levels=_eligible(levels, past.get(entry.association_id or 0, set()), entry),
            )
            for entry in by_group.get(group.pk, [])
        ]
        computed = scoring.compute_group(
            inputs,
            positions=[c.position for c in criteria.get(group.pk, [])],
            method=award_round.method,
            spread_threshold=award_round.spread_threshold,
            levels=[scoring.Level(level.name, level.min_score, level.quota) for level in levels],
            national_quota=group.national_quota,
        )
        by_pk = {entry.pk: entry for entry in by_group.get(group.pk, [])}
        lines = [
            ResultLine(
                entry=by_pk[result.key],
                result=result,
                totals_by_judge=[result.judge_totals.get(judge.pk) for judge in judges],
            )
            for result in computed
        ]
        out.append(GroupResult(group=group, criteria=criteria.get(group.pk, []), judges=judges, lines=lines))
    return out


def _eligible(levels: list[AwardLevel], won: set[str], entry: Entry) -> frozenset[str] | None:
    """The levels the entry may be given: those without a prerequisite, and those whose prerequisite level
    it won before. None when no level has a prerequisite."""
    if not any(level.requires_level for level in levels):
        return None
    return frozenset(
        level.name
        for level in levels
        if not level.requires_level or (entry.association_id and level.requires_level in won)
    )
