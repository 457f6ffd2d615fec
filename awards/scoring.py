"""The results of an award group, from plain values: no database here (`awards.results` loads the values).

Rules decided (docs/domain.md, Golden Excellence award):

- Only submitted score sheets count, and never one of a judge with an uncleared conflict with the entry.
- A judge's total is the sum of their points on the entry. The entry's score is the judges' totals combined
  by the round's method: the mean, the median (the mean of the two middle totals when their number is even),
  or the trimmed mean (the highest and the lowest total dropped, the rest averaged). The trimmed mean needs at
  least three judges: with one or two it falls back to the plain mean, and the result says so
  (`method_used`), since dropping both ends of two totals would leave nothing.
- Arithmetic is Decimal throughout; each shown figure is rounded half-up to two decimals (`round2`) and the
  ranking compares the rounded figures, so two entries shown with the same score are tied.
- Ties are broken by the first criterion's score (the judges' points on it, combined by the same method and
  rounded), then the second, and so on. Entries equal on all of them share the rank (1, 2, 2, 4) and are
  listed in the order of their key.
- The spread is the highest minus the lowest counted judge total; it is flagged when above the round's
  threshold.
- Normalisation (shown beside the raw result, never ranking): each judge's totals in the group are turned
  into z-scores (their total minus that judge's mean, divided by that judge's population standard deviation;
  0 when the judge scored one entry only or gave every entry the same total), and the entry's z-scores are
  combined by the same method.
- Levels are given best first, down the ranking: an entry gets the best level whose minimum score it reaches,
  whose quota is not yet full and that it is eligible for; missing one level it may still get the next.
  Entries sharing a rank are treated alike: when together they would overfill a level's quota, none of them
  gets it (a quota is never exceeded) and they are considered for the next level.
- National nomination: entries with a level whose rank is within the group's national quota.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

MEAN, MEDIAN, TRIMMED = "mean", "median", "trimmed"
METHODS = (MEAN, MEDIAN, TRIMMED)
TWO_PLACES = Decimal("0.01")


def round2(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def aggregate(values: Sequence[Decimal], method: str) -> tuple[Decimal, str]:
    """`values` combined by `method`, unrounded, with the method actually used (see the module's rules)."""
    if not values:
        raise ValueError("no values to aggregate")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    ordered = sorted(values)
    if method == TRIMMED:
        if len(ordered) < 3:
            return _mean(ordered), MEAN
        return _mean(ordered[1:-1]), TRIMMED
    if method == MEDIAN:
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle], MEDIAN
        return (ordered[middle - 1] + ordered[middle]) / 2, MEDIAN
    return _mean(ordered), MEAN


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


@dataclass(frozen=True)
class Sheet:
    """One judge's submitted points on one entry, by criterion position."""

    judge: int
    points: Mapping[int, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.points.values(), Decimal(0))


@dataclass(frozen=True)
class EntryInput:
    key: int
    sheets: Sequence[Sheet]
    #: Judges with an uncleared conflict: their sheets are left out.
    conflicted: frozenset[int] = frozenset()
    #: Names of the levels the entry may be given (eligibility); None: every level.
    eligible_levels: frozenset[str] | None = None


@dataclass(frozen=True)
class Level:
    name: str
    min_score: Decimal | None = None
    quota: int | None = None


@dataclass
class EntryResult:
    key: int
    judge_totals: dict[int, Decimal]
    score: Decimal | None
    method_used: str
    criterion_scores: list[Decimal] = field(default_factory=list)
    spread: Decimal | None = None
    spread_flag: bool = False
    normalised: Decimal | None = None
    rank: int | None = None
    level: str = ""
    national: bool = False

    @property
    def judges_counted(self) -> int:
        return len(self.judge_totals)


def compute_group(
    entries: Sequence[EntryInput],
    *,
    positions: Sequence[int],
    method: str,
    spread_threshold: Decimal,
    levels: Sequence[Level] = (),
    national_quota: int = 0,
) -> list[EntryResult]:
    """The group's results, ranked (entries without a counted sheet last, unranked and without a level)."""
    results = [
        _entry_result(entry, positions=positions, method=method, threshold=spread_threshold)
        for entry in entries
    ]
    _normalise(results, method)
    scored = [r for r in results if r.score is not None]
    unscored = sorted((r for r in results if r.score is None), key=lambda r: r.key)
    scored.sort(key=lambda r: (_rank_key(r), r.key))
    previous: tuple[Decimal, ...] | None = None
    for position, result in enumerate(scored, start=1):
        key = _rank_key(result)
        result.rank = position if key != previous else scored[position - 2].rank
        previous = key
    by_key = {entry.key: entry for entry in entries}
    assign_levels(scored, levels, {key: by_key[key].eligible_levels for key in by_key})
    for result in scored:
        result.national = bool(result.level) and result.rank is not None and result.rank <= national_quota
    return scored + unscored


def _rank_key(result: EntryResult) -> tuple[Decimal, ...]:
    assert result.score is not None
    return (-result.score, *(-score for score in result.criterion_scores))


def _entry_result(
    entry: EntryInput, *, positions: Sequence[int], method: str, threshold: Decimal
) -> EntryResult:
    counted = [sheet for sheet in entry.sheets if sheet.judge not in entry.conflicted]
    totals = {sheet.judge: sheet.total for sheet in counted}
    if not counted:
        return EntryResult(entry.key, totals, None, method)
    raw, used = aggregate(list(totals.values()), method)
    criterion_scores = [
        round2(aggregate([sheet.points.get(position, Decimal(0)) for sheet in counted], method)[0])
        for position in positions
    ]
    spread = max(totals.values()) - min(totals.values())
    return EntryResult(
        entry.key,
        totals,
        round2(raw),
        used,
        criterion_scores=criterion_scores,
        spread=spread,
        spread_flag=spread > threshold,
    )


def z_scores(totals: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """One judge's totals (by entry) as z-scores against that judge's own mean and population deviation."""
    if len(totals) < 2:
        return dict.fromkeys(totals, Decimal(0))
    mean = _mean(list(totals.values()))
    variance = _mean([(value - mean) ** 2 for value in totals.values()])
    if variance == 0:
        return dict.fromkeys(totals, Decimal(0))
    deviation = variance.sqrt()
    return {key: (value - mean) / deviation for key, value in totals.items()}


def _normalise(results: Sequence[EntryResult], method: str) -> None:
    per_judge: dict[int, dict[int, Decimal]] = {}
    for result in results:
        for judge, total in result.judge_totals.items():
            per_judge.setdefault(judge, {})[result.key] = total
    z_by_judge = {judge: z_scores(totals) for judge, totals in per_judge.items()}
    for result in results:
        values = [z_by_judge[judge][result.key] for judge in result.judge_totals]
        if values:
            result.normalised = round2(aggregate(values, method)[0])


def assign_levels(
    ranked: Sequence[EntryResult],
    levels: Sequence[Level],
    eligible: Mapping[int, frozenset[str] | None],
) -> None:
    """Give each ranked result its level (see the module's rules); `levels` best first."""
    given = dict.fromkeys((level.name for level in levels), 0)
    index = 0
    while index < len(ranked):
        end = index + 1  # the ranking lists tied results together: scan to the first of the next rank
        while end < len(ranked) and ranked[end].rank == ranked[index].rank:
            end += 1
        tied, index = list(ranked[index:end]), end
        waiting = list(tied)
        for level in levels:
            fits = [
                r
                for r in waiting
                if (level.min_score is None or (r.score is not None and r.score >= level.min_score))
                and (eligible.get(r.key) is None or level.name in eligible[r.key])
            ]
            if not fits:
                continue
            if level.quota is not None and given[level.name] + len(fits) > level.quota:
                continue
            for result in fits:
                result.level = level.name
            given[level.name] += len(fits)
            waiting = [r for r in waiting if r not in fits]
            if not waiting:
                break
