"""Reads for other pages (the home page's award block) and the award pages' shared loads."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, Exists, F, FilteredRelation, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest

from awards import permissions
from awards.models import AwardGroup, AwardLevel, AwardResult, AwardRound, Criterion, Entry, ScoreSheet
from core.listing import page_size


def judge_summary(user: object) -> list[dict[str, object]]:
    """The rounds a judge is assigned to (newest first), each with the entries they may score and how many
    of those they have submitted (two queries)."""
    rounds = list(permissions.scope_rounds(AwardRound.objects.all(), user).order_by("-year", "code"))
    entries = permissions.scope_entries(Entry.objects.filter(round__in=rounds), user)
    to_score = dict(entries.values("round_id").annotate(n=Count("pk")).values_list("round_id", "n"))
    submitted = dict(
        ScoreSheet.objects.filter(entry__in=entries, judge_id=user.pk)  # type: ignore[attr-defined]
        .values("entry__round_id")
        .annotate(n=Count("pk", filter=Q(state=ScoreSheet.State.SUBMITTED)))
        .values_list("entry__round_id", "n")
    )
    return [
        {"round": r, "entries": to_score.get(r.pk, 0), "submitted": submitted.get(r.pk, 0)} for r in rounds
    ]


def round_with_groups(rounds: QuerySet[AwardRound], pk: int) -> tuple[AwardRound, list[AwardGroup]] | None:
    """The round `pk` of `rounds` (None when not there) with its groups in order, each with its levels
    (best first) and current criteria (by position) already loaded, in one query: the round LEFT JOIN its
    groups, each LEFT JOIN its levels and its current criteria (a group's rows are its levels times its
    criteria: a few dozen). `group.levels.all()` and `group.criteria.all()` then run no query."""
    round_fields = [f.attname for f in AwardRound._meta.concrete_fields]
    group_fields = [f.attname for f in AwardGroup._meta.concrete_fields]
    level_fields = [f.attname for f in AwardLevel._meta.concrete_fields]
    criterion_fields = [f.attname for f in Criterion._meta.concrete_fields]
    rows = list(
        rounds.filter(pk=pk)
        .annotate(
            current=FilteredRelation(
                "groups__criteria", condition=Q(groups__criteria__superseded_at__isnull=True)
            )
        )
        .order_by("groups__sort_order", "groups__id", "groups__levels__rank", "current__position")
        .values_list(
            *round_fields,
            *(f"groups__{f}" for f in group_fields),
            *(f"groups__levels__{f}" for f in level_fields),
            *(f"current__{f}" for f in criterion_fields),
        )
    )
    if not rows:
        return None
    db = AwardRound.objects.db
    n_round, n_group, n_level = len(round_fields), len(group_fields), len(level_fields)
    award_round = AwardRound.from_db(db, round_fields, rows[0][:n_round])
    groups: dict[int, AwardGroup] = {}
    levels: dict[int, dict[int, AwardLevel]] = {}
    criteria: dict[int, dict[int, Criterion]] = {}
    for row in rows:
        group_values = row[n_round : n_round + n_group]
        if group_values[0] is None:
            continue  # a round without groups: its one row
        group = groups.get(group_values[0])
        if group is None:
            group = groups[group_values[0]] = AwardGroup.from_db(db, group_fields, group_values)
            group.round = award_round
            levels[group.pk], criteria[group.pk] = {}, {}
        level_values = row[n_round + n_group : n_round + n_group + n_level]
        if level_values[0] is not None and level_values[0] not in levels[group.pk]:
            levels[group.pk][level_values[0]] = AwardLevel.from_db(db, level_fields, level_values)
        criterion_values = row[n_round + n_group + n_level :]
        if criterion_values[0] is not None and criterion_values[0] not in criteria[group.pk]:
            criteria[group.pk][criterion_values[0]] = Criterion.from_db(
                db, criterion_fields, criterion_values
            )
    for group in groups.values():
        group._prefetched_objects_cache = {
            "levels": _loaded(group.levels, levels[group.pk].values()),
            "criteria": _loaded(group.criteria, criteria[group.pk].values()),
        }
    return award_round, list(groups.values())


def _loaded(manager: object, objects: Iterable[object]) -> QuerySet:
    """A related manager's queryset already holding `objects` (as prefetch_related leaves it)."""
    queryset = manager.get_queryset()  # type: ignore[attr-defined]
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    return queryset


#: The columns of a published result the results page shows (`published_page`), in this order.
PUBLISHED_COLUMNS = (
    "entry__group_id",
    "entry__township__name",
    "entry__association_id",
    "entry__association__name",
    "rank",
    "score",
    "judge_totals",
    "judge_ids",
    "spread",
    "spread_flag",
    "normalised",
    "level",
    "national_nominee",
)


def published_page(
    request: HttpRequest, award_round: AwardRound, group_pks: list[int]
) -> tuple[Page, set[int]]:
    """The page of the round's published results (`?page=`, `?per=`) in the ranking's order (group by
    group), as tuples of PUBLISHED_COLUMNS, and the groups (of `group_pks`) that have any result, in one
    query: the page's keys are sorted and cut in a subquery over narrow rows (a result, its entry and
    group), and only the page's rows are joined to their township and association and read in full (their
    judges' totals); the count of all the results and whether each group has any are read beside them
    (subqueries run once). Joining all the round's results before sorting was most of the page's query
    time. No rows on page 1 is an empty list; on a later page, a page past the end: 404."""
    wanted = request.GET.get("page", "1")
    number = int(wanted) if wanted.isdecimal() else 0
    if number < 1:
        raise Http404
    paginator = Paginator(AwardResult.objects.none(), page_size(request))
    bottom = (number - 1) * paginator.per_page
    results = AwardResult.objects.filter(round=award_round)
    order = ("entry__group__sort_order", "entry__group_id", F("rank").asc(nulls_last=True), "entry_id")
    keys = results.order_by(*order).values("pk")[bottom : bottom + paginator.per_page]
    total = results.order_by().values("round_id").annotate(n=Count("pk")).values("n")
    has = {f"_has_{pk}": Exists(results.filter(entry__group_id=pk)) for pk in group_pks}
    rows = list(
        AwardResult.objects.filter(pk__in=keys)
        .order_by()
        .annotate(_total=Subquery(total), **has)
        .values_list(*PUBLISHED_COLUMNS, "_total", *has, "entry_id")
    )
    # The page's rows in the keys' order, sorted here rather than joined to their groups again.
    position = {pk: n for n, pk in enumerate(group_pks)}
    rows.sort(
        key=lambda row: (position.get(row[0], len(position)), row[0], row[4] is None, row[4] or 0, row[-1])
    )
    n = len(PUBLISHED_COLUMNS)
    paginator.__dict__["count"] = rows[0][n] if rows else 0
    try:
        paginator.validate_number(number)
    except InvalidPage:
        raise Http404 from None
    flags = rows[0][n + 1 : n + 1 + len(group_pks)] if rows else [False] * len(group_pks)
    with_results = {pk for pk, flag in zip(group_pks, flags, strict=True) if flag}
    return Page([row[:n] for row in rows], number, paginator), with_results
