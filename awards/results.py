"""A round's results: its values loaded in a fixed number of queries (four, or three when the caller holds
the round's groups; however many entries, judges and criteria), then computed by the pure `awards.scoring`."""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.formats import get_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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


#: A row of the results table, as the template wrote it (`{line}` for each line of `RowFormat.rows`).
RESULT_ROW = (
    '<tr><td class="num">{rank}</td><td>{township}</td><td>{name}</td>\n'
    "      {cells}\n"
    '      <td class="num"><strong>{score}</strong></td><td class="num">{counted}</td>\n'
    '      <td class="num">{spread}</td>\n'
    '      <td class="num">{normalised}</td><td>{level}</td><td>{national}</td></tr>'
)


def number_text() -> Callable[[object], str]:
    """`localize` for the numbers of a page (whole numbers and Decimals), the format read once a page
    rather than once a number: without thousand separators, localize writes a number as `str` does (a
    Decimal in fixed point) with the language's decimal separator."""
    if settings.USE_THOUSAND_SEPARATOR:
        return lambda value: str(localize(value))
    separator = get_format("DECIMAL_SEPARATOR")
    return lambda value: f"{value:f}".replace(".", separator) if isinstance(value, Decimal) else str(value)


class RowFormat:
    """The results table's rows, built in Python for a page of them (escaped as the template escaped
    them): a template of a dozen lookups and filters per row, and a localized number per judge, was most
    of the results page's time."""

    def __init__(self) -> None:
        self.number = number_text()
        title = html.escape(gettext("評審差距過大"))
        self.flag = f' <span class="badge status-dissolved" title="{title}">!</span>'
        self.yes = html.escape(gettext("是"))

    def row(
        self,
        *,
        township: str,
        name: str,
        totals: Iterable[Decimal | None],
        result: scoring.EntryResult,
    ) -> SafeString:
        number = self.number
        spread = ""
        if result.spread is not None:
            spread = number(result.spread) + (self.flag if result.spread_flag else "")
        return mark_safe(
            RESULT_ROW.format(
                rank=number(result.rank) if result.rank else "—",
                township=html.escape(township),
                name=html.escape(name),
                cells="".join(
                    f'<td class="num">{"—" if total is None else number(total)}</td>' for total in totals
                ),
                score=number(result.score) if result.score else "—",
                counted=result.judges_counted,
                spread=spread,
                normalised="—" if result.normalised is None else number(result.normalised),
                level=html.escape(result.level),
                national=self.yes if result.national else "",
            )
        )

    def rows(self, lines: Iterable[ResultLine]) -> list[SafeString]:
        return [
            self.row(
                township=line.entry.township.name,
                name=line.entry.display_name,
                totals=line.totals_by_judge,
                result=line.result,
            )
            for line in lines
        ]


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


def published_rows(
    award_round: AwardRound, rows: Iterable[tuple], judges: list[object]
) -> list[tuple[int, SafeString]]:
    """Published results (tuples of `awards.selectors.PUBLISHED_COLUMNS`) as (group key, the results
    table's row), as `round_results` computed them at publication, with the judges' columns in the order
    of `judges`."""
    judge_pks = [judge.pk for judge in judges]  # type: ignore[attr-defined]
    rows_format = RowFormat()
    out = []
    for (
        group_id,
        township,
        association_id,
        association,
        rank,
        score,
        judge_totals,
        judge_ids,
        spread,
        spread_flag,
        normalised,
        level,
        national,
    ) in rows:
        totals = {judge_id: Decimal(total) for judge_id, total in zip(judge_ids, judge_totals, strict=True)}
        result = scoring.EntryResult(
            key=0,
            judge_totals=totals,
            score=score,
            method_used=award_round.method,
            spread=spread,
            spread_flag=spread_flag,
            normalised=normalised,
            rank=rank,
            level=level,
            national=national,
        )
        name = association if association_id else f"{township}公所"  # as Entry.display_name
        totals_row = [totals.get(pk) for pk in judge_pks]
        row = rows_format.row(township=township, name=name, totals=totals_row, result=result)
        out.append((group_id, row))
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
