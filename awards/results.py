"""A round's results: its values loaded in a fixed number of queries (four, or three when the caller holds
the round's groups; however many entries, judges and criteria), then computed by the pure `awards.scoring`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.formats import localize
from django.utils.html import format_html_join

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
from awards.selectors import round_with_groups

#: Points are given to one decimal place (`Score.points`).
ONE_PLACE = Decimal("0.1")


@dataclass
class ResultLine:
    entry: Entry
    result: scoring.EntryResult
    #: The counted judges' totals in the order of `GroupResult.judges` (None where not counted).
    totals_by_judge: list[Decimal | None] = field(default_factory=list)

    @property
    def totals_in_order(self) -> list[Decimal]:
        return [total for total in self.totals_by_judge if total is not None]

    def judge_cells(self) -> str:
        """The judges' cells of the results table (— where a judge is not counted), built at once: a
        template loop over every judge of every row was a good part of the page's cost."""
        return format_html_join(
            "",
            '<td class="num">{}</td>',
            (("—" if total is None else localize(total),) for total in self.totals_by_judge),
        )


@dataclass
class GroupResult:
    group: AwardGroup
    criteria: list[Criterion]
    judges: list[object]
    lines: list[ResultLine]


def round_results(award_round: AwardRound, groups: list[AwardGroup] | None = None) -> list[GroupResult]:
    """The round's results by group. `groups`: the round's groups with their levels and current criteria
    loaded (`awards.selectors.round_with_groups`), when the caller has them; else one query more."""
    if groups is None:
        loaded = round_with_groups(AwardRound.objects.all(), award_round.pk)
        groups = loaded[1] if loaded is not None else []
    levels = {group.pk: list(group.levels.all()) for group in groups}
    # Eligibility: per level that needs one won before, whether the entry's association won it in an
    # earlier year, read beside the entry (an EXISTS per such level: a round has one or two).
    required = sorted(
        {level.requires_level for group_levels in levels.values() for level in group_levels} - {""}
    )
    won = {
        f"won_{n}": Exists(
            AwardResult.objects.filter(
                association_id=OuterRef("association_id"), year__lt=award_round.year, level=name
            )
        )
        for n, name in enumerate(required)
    }
    entries = list(
        Entry.objects.filter(round=award_round, state=Entry.State.ACCEPTED)
        .select_related("township", "association")
        .only("round_id", "group_id", "state", "township__name", "association__name")
        .annotate(**won)
        .order_by("pk")
    )
    # Every counted sheet, as (entry, judge, total, its points at each current position): the scores of
    # submitted sheets of accepted entries whose judge has no uncleared conflict with the entry (decided in
    # the same query), summed per sheet and pivoted by position in the database, a row per sheet rather
    # than per score. A sheet holds one score per position (the version it was given against; see
    # services), so each position's sum is that score.
    positions = sorted({c.position for group in groups for c in group.criteria.all()})
    conflicted = Conflict.objects.filter(
        entry_id=OuterRef("sheet__entry_id"), judge_id=OuterRef("sheet__judge_id"), cleared_at__isnull=True
    )
    rows = (
        Score.objects.filter(
            sheet__entry__round=award_round,
            sheet__entry__state=Entry.State.ACCEPTED,
            sheet__state=ScoreSheet.State.SUBMITTED,
        )
        .exclude(Exists(conflicted))
        .values("sheet__entry_id", "sheet__judge_id")
        .annotate(
            total=Sum("points"),
            **{f"p{p}": Sum("points", filter=Q(criterion__position=p)) for p in positions},
        )
        .order_by()
        .values_list("sheet__entry_id", "sheet__judge_id", "total", *(f"p{p}" for p in positions))
    )
    points: dict[int, dict[int, dict[int | None, Decimal]]] = defaultdict(dict)
    for entry_id, judge_id, total, *by_position in rows:
        # Sums come back as the database gives them (SQLite: 80 for 80.0); points have one decimal place.
        sheet = {
            p: value.quantize(ONE_PLACE)
            for p, value in zip(positions, by_position, strict=True)
            if value is not None
        }
        rest = total.quantize(ONE_PLACE) - sum(sheet.values(), Decimal(0))
        if rest:  # points at a position no current criterion has: they still count in the total
            sheet[None] = rest
        points[entry_id][judge_id] = sheet
    judges = list(get_user_model().objects.filter(award_assignments__round=award_round).order_by("username"))

    by_group: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_group[entry.group_id].append(entry)
    out = []
    for group in groups:
        group_levels = levels[group.pk]
        criteria = list(group.criteria.all())
        inputs = [
            scoring.EntryInput(
                key=entry.pk,
                sheets=[
                    scoring.Sheet(judge_id, sheet) for judge_id, sheet in points.get(entry.pk, {}).items()
                ],
                eligible_levels=_eligible(
                    group_levels,
                    {name for n, name in enumerate(required) if getattr(entry, f"won_{n}")},
                    entry,
                ),
            )
            for entry in by_group.get(group.pk, [])
        ]
        computed = scoring.compute_group(
            inputs,
            positions=[c.position for c in criteria],
            method=award_round.method,
            spread_threshold=award_round.spread_threshold,
            levels=[scoring.Level(level.name, level.min_score, level.quota) for level in group_levels],
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
        out.append(GroupResult(group=group, criteria=criteria, judges=judges, lines=lines))
    return out


def published_lines(
    award_round: AwardRound, results: Iterable[AwardResult], judges: list[object]
) -> list[ResultLine]:
    """Published results (`AwardResult`, with `entry` and its township and association loaded) as the lines
    `round_results` computed for them at publication, with the judges' columns in the order of `judges`."""
    lines = []
    for row in results:
        totals = {
            judge_id: Decimal(total) for judge_id, total in zip(row.judge_ids, row.judge_totals, strict=True)
        }
        result = scoring.EntryResult(
            key=row.entry_id,
            judge_totals=totals,
            score=row.score,
            method_used=award_round.method,
            spread=row.spread,
            spread_flag=row.spread_flag,
            normalised=row.normalised,
            rank=row.rank,
            level=row.level,
            national=row.national_nominee,
        )
        lines.append(
            ResultLine(entry=row.entry, result=result, totals_by_judge=[totals.get(j.pk) for j in judges])
        )
    return lines


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
