"""Writes of the award: nominating and accepting entries, assigning judges, finding, declaring and clearing
conflicts, saving and submitting score sheets, a county officer's change of a submitted score, revising
criteria (a new version once scoring started), starting scoring and publishing. Each takes keyword-only
values, runs in one transaction, locks the round row first (then the sheet), checks role and state through
`awards.permissions`, and records an `AwardEvent`; a refused write changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.access import role_of, township_id_of
from associations.models import Association, Officer, StaffMembership
from awards import permissions
from awards.models import (
    AwardEvent,
    AwardGroup,
    AwardResult,
    AwardRound,
    Conflict,
    Criterion,
    Entry,
    JudgeAssignment,
    Score,
    ScoreSheet,
)
from core.roles import Role


class AwardError(Exception):
    """A write refused for a reason a person can act on; the message is in Chinese."""


def _lock_round(award_round: AwardRound) -> AwardRound:
    return AwardRound.objects.select_for_update().get(pk=award_round.pk)


def _check(user: object, action: str, award_round: AwardRound) -> None:
    decision = permissions.decide(user, action, award_round)
    if not decision:
        if decision.forbidden:
            raise PermissionDenied(decision.reason)
        raise AwardError(str(decision.reason))


def _event(
    award_round: AwardRound,
    kind: str,
    actor: object,
    *,
    entry: Entry | None = None,
    reason: str = "",
    **detail: object,
) -> None:
    AwardEvent.objects.create(
        round=award_round,
        kind=kind,
        entry=entry,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
        detail=detail,
    )


def person_name(user: object) -> str:
    """The name conflicts are matched on: the account's full name (family name first, as written in
    Chinese), else its username."""
    last, first = getattr(user, "last_name", ""), getattr(user, "first_name", "")
    return (f"{last}{first}".strip() or getattr(user, "username", "")).replace(" ", "")


# --- entries ---------------------------------------------------------------------------------------------


def eligibility_problems(*, association: Association, group: AwardGroup, year: int) -> list[str]:
    """Why `association` may not enter `group` in `year` (none: it may): its latest compliance status before
    the year must not be 異常, and a group that requires earlier levels needs one of them published before."""
    from grading.models import Assessment, ComplianceStatus

    problems = []
    latest = Assessment.objects.filter(association=association, year__lt=year).order_by("-year").first()
    if latest is None:
        problems.append(_("尚無前一年度的會務財務清查結果。"))
    elif latest.status == ComplianceStatus.ABNORMAL:
        problems.append(_("%(year)d年度會務財務狀態為異常，不可參選。") % {"year": latest.year - 1911})
    required = group.required_levels()
    if required:
        won = AwardResult.objects.filter(association=association, year__lt=year, level__in=required).exists()
        if not won:
            problems.append(
                _("%(group)s須曾獲%(levels)s。") % {"group": group.name, "levels": "、".join(required)}
            )
    return problems


@transaction.atomic
def entry_nominate(
    *,
    actor: object,
    group: AwardGroup,
    association: Association | None = None,
    township_id: int | None = None,
) -> Entry:
    """A township office nominates one of its associations (or, in a 公所評鑑 group, itself)."""
    award_round = _lock_round(group.round)
    _check(actor, "nominate", award_round)
    if group.for_townships:
        if association is not None:
            raise AwardError(_("公所評鑑的參選者是公所本身。"))
        township_id = township_id or township_id_of(actor)
        if township_id is None:
            raise AwardError(_("請指定鄉鎮市公所。"))
    else:
        if association is None:
            raise AwardError(_("請選擇協會。"))
        if association.township.county_id != award_round.county_id:
            raise PermissionDenied
        township_id = association.township_id
        problems = eligibility_problems(association=association, group=group, year=award_round.year)
        if problems:
            raise AwardError(" ".join(problems))
    if role_of(actor) == Role.TOWNSHIP and township_id != township_id_of(actor):
        raise PermissionDenied
    duplicate = Entry.objects.filter(round=award_round)
    duplicate = (
        duplicate.filter(association=association)
        if association is not None
        else duplicate.filter(group=group, township_id=township_id, association__isnull=True)
    )
    if duplicate.exists():
        raise AwardError(_("已在此回合參選。"))
    entry = Entry(
        round=award_round, group=group, township_id=township_id, association=association, nominated_by=actor
    )
    entry.full_clean()
    entry.save()
    conflicts_detect(award_round=award_round, entries=[entry])
    return entry


@transaction.atomic
def entry_accept(*, actor: object, entry: Entry) -> Entry:
    award_round = _lock_round(entry.round)
    _check(actor, "accept", award_round)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.state == Entry.State.ACCEPTED:
        return entry
    entry.state, entry.accepted_by = Entry.State.ACCEPTED, actor
    entry.save(update_fields=["state", "accepted_by"])
    _event(award_round, AwardEvent.Kind.ENTRY_ACCEPTED, actor, entry=entry)
    return entry


# --- judges and conflicts --------------------------------------------------------------------------------


@transaction.atomic
def judge_assign(*, actor: object, award_round: AwardRound, judge: object) -> JudgeAssignment:
    award_round = _lock_round(award_round)
    _check(actor, "assign_judge", award_round)
    if role_of(judge) != Role.JUDGE:
        raise AwardError(_("只能指派評審委員帳號。"))
    assignment, created = JudgeAssignment.objects.get_or_create(round=award_round, judge=judge)
    if created:
        _event(award_round, AwardEvent.Kind.JUDGE_ASSIGNED, actor, judge=judge.pk, name=person_name(judge))  # type: ignore[attr-defined]
        conflicts_detect(award_round=award_round, judges=[judge])
    return assignment


def conflicts_detect(
    *, award_round: AwardRound, entries: list[Entry] | None = None, judges: list[object] | None = None
) -> int:
    """Record the conflicts the registry shows (a fixed number of queries): the judge's name is that of a
    current or past officer of the entry's association, or of a staff account of the entry's township
    office. Existing conflicts (cleared or not) are left as they are. Answers how many were added."""
    if judges is None:
        judges = [a.judge for a in award_round.judges.select_related("judge")]
    if entries is None:
        entries = list(award_round.entries.all())
    if not judges or not entries:
        return 0
    by_name: dict[str, list[object]] = {}
    for judge in judges:
        by_name.setdefault(person_name(judge), []).append(judge)
    association_ids = [e.association_id for e in entries if e.association_id]
    officer_names: dict[int, set[str]] = {}
    for association_id, name in Officer.objects.filter(
        association_id__in=association_ids, name__in=list(by_name)
    ).values_list("association_id", "name"):
        officer_names.setdefault(association_id, set()).add(name)
    staff_names: dict[int, set[str]] = {}
    for membership in StaffMembership.objects.filter(
        role=Role.TOWNSHIP, township_id__in={e.township_id for e in entries}
    ).select_related("user"):
        staff_names.setdefault(membership.township_id, set()).add(person_name(membership.user))
    existing = set(
        Conflict.objects.filter(entry__in=entries, judge__in=judges).values_list(
            "entry_id", "judge_id", "source"
        )
    )
    new = []
    for entry in entries:
        for name, named_judges in by_name.items():
            sources = []
            if name in officer_names.get(entry.association_id or 0, set()):
                sources.append(
                    (Conflict.Source.OFFICER, _("%(name)s為該協會幹部（現任或曾任）。") % {"name": name})
                )
            if name in staff_names.get(entry.township_id, set()):
                sources.append((Conflict.Source.STAFF, _("%(name)s為該鄉鎮市公所人員。") % {"name": name}))
            for judge in named_judges:
                for source, detail in sources:
                    if (entry.pk, judge.pk, source) not in existing:  # type: ignore[attr-defined]
                        new.append(Conflict(entry=entry, judge=judge, source=source, detail=detail))
    Conflict.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def conflict_declare(*, actor: object, entry: Entry, judge: object, detail: str = "") -> Conflict:
    award_round = _lock_round(entry.round)
    _check(actor, "declare_conflict", award_round)
    if role_of(actor) == Role.JUDGE and actor.pk != judge.pk:  # type: ignore[attr-defined]
        raise PermissionDenied
    if not award_round.judges.filter(judge=judge).exists():
        raise AwardError(_("此帳號不是本回合的評審。"))
    source = Conflict.Source.JUDGE if role_of(actor) == Role.JUDGE else Conflict.Source.COUNTY
    conflict, created = Conflict.objects.get_or_create(
        entry=entry, judge=judge, source=source, defaults={"detail": detail[:200]}
    )
    if not created and conflict.cleared_at is not None:
        conflict.cleared_at, conflict.cleared_by, conflict.clear_reason = None, None, ""
        conflict.save(update_fields=["cleared_at", "cleared_by", "clear_reason"])
    _event(award_round, AwardEvent.Kind.CONFLICT_DECLARED, actor, entry=entry, judge=judge.pk, detail=detail)  # type: ignore[attr-defined]
    return conflict


@transaction.atomic
def conflict_clear(*, actor: object, conflict: Conflict, reason: str) -> Conflict:
    award_round = _lock_round(conflict.entry.round)
    _check(actor, "clear_conflict", award_round)
    if not reason.strip():
        raise AwardError(_("解除迴避必須填寫理由。"))
    conflict = Conflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.cleared_at is not None:
        raise AwardError(_("此迴避已解除。"))
    conflict.cleared_at, conflict.cleared_by, conflict.clear_reason = timezone.now(), actor, reason.strip()
    conflict.save(update_fields=["cleared_at", "cleared_by", "clear_reason"])
    _event(
        award_round,
        AwardEvent.Kind.CONFLICT_CLEARED,
        actor,
        entry=conflict.entry,
        reason=reason.strip(),
        judge=conflict.judge_id,
        source=conflict.source,
    )
    return conflict


# --- criteria and the round's state ----------------------------------------------------------------------


@transaction.atomic
def criterion_revise(
    *, actor: object, criterion: Criterion, name: str, max_points: Decimal, description: str = ""
) -> Criterion:
    """Before scoring, edit in place; once scoring started, supersede it with a new version (scores given
    against the old version keep pointing at it)."""
    award_round = _lock_round(criterion.group.round)
    _check(actor, "revise_criterion", award_round)
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    if criterion.superseded_at is not None:
        raise AwardError(_("此評分項目已有新版本。"))
    if not award_round.criteria_frozen:
        criterion.name, criterion.max_points, criterion.description = name, max_points, description
        criterion.full_clean()
        criterion.save(update_fields=["name", "max_points", "description"])
        return criterion
    criterion.superseded_at = timezone.now()
    criterion.save(update_fields=["superseded_at"])
    revised = Criterion(
        group_id=criterion.group_id,
        position=criterion.position,
        version=criterion.version + 1,
        name=name,
        max_points=max_points,
        description=description,
    )
    revised.full_clean()
    revised.save()
    _event(
        award_round,
        AwardEvent.Kind.CRITERION_VERSION,
        actor,
        criterion=criterion.pk,
        version=revised.version,
        name=name,
        max_points=str(max_points),
    )
    return revised


@transaction.atomic
def round_start_scoring(*, actor: object, award_round: AwardRound) -> AwardRound:
    award_round = _lock_round(award_round)
    _check(actor, "start_scoring", award_round)
    award_round.state, award_round.scoring_started_at = AwardRound.State.SCORING, timezone.now()
    award_round.save(update_fields=["state", "scoring_started_at"])
    _event(award_round, AwardEvent.Kind.SCORING_STARTED, actor)
    return award_round


# --- score sheets ----------------------------------------------------------------------------------------


def _parse_points(raw: Mapping[int, object], criteria: Mapping[int, Criterion]) -> dict[int, Decimal]:
    """Criterion id -> points, checked against each criterion's maximum; blank values are left out."""
    points: dict[int, Decimal] = {}
    problems = []
    for criterion_id, value in raw.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise AwardError(_("評分項目不屬於此組別。"))
        if value in (None, ""):
            continue
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            problems.append(_("「%(name)s」的分數不是數字。") % {"name": criterion.name})
            continue
        if not number.is_finite() or number < 0 or number > criterion.max_points:
            problems.append(
                _("「%(name)s」的分數須在 0 到 %(max)s 之間。")
                % {"name": criterion.name, "max": criterion.max_points}
            )
        elif number != number.quantize(Decimal("0.1")):
            problems.append(_("「%(name)s」的分數最多一位小數。") % {"name": criterion.name})
        else:
            points[criterion_id] = number
    if problems:
        raise AwardError(" ".join(problems))
    return points


def current_criteria(group_id: int) -> list[Criterion]:
    return list(Criterion.objects.filter(group_id=group_id, superseded_at__isnull=True).order_by("position"))


def _write_points(sheet: ScoreSheet, points: Mapping[int, Decimal]) -> None:
    if not sheet.is_submitted:
        # A draft given against a criterion's earlier version moves to the current one: one score per
        # position. A submitted sheet keeps the versions it was given against.
        positions = dict(Criterion.objects.filter(pk__in=points).values_list("pk", "position"))
        sheet.scores.filter(criterion__position__in=positions.values()).exclude(
            criterion_id__in=points
        ).delete()
    stored = {score.criterion_id: score for score in sheet.scores.all()}
    for criterion_id, value in points.items():
        score = stored.get(criterion_id)
        if score is None:
            Score.objects.create(sheet=sheet, criterion_id=criterion_id, points=value)
        elif score.points != value:
            score.points = value
            score.save(update_fields=["points"])


@transaction.atomic
def sheet_save(
    *, actor: object, entry: Entry, points: Mapping[int, object], submit: bool = False, comment: str = ""
) -> ScoreSheet:
    """A judge's draft of their scores on `entry` (criterion id -> points), submitted when `submit`: every
    current criterion must then have a score, and the sheet is locked."""
    award_round = _lock_round(entry.round)
    _check(actor, "score", award_round)
    if not permissions.scope_entries(Entry.objects.filter(pk=entry.pk), actor).exists():
        raise PermissionDenied
    criteria = {c.pk: c for c in current_criteria(entry.group_id)}
    parsed = _parse_points(points, criteria)
    sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(entry=entry, judge=actor)
    if sheet.is_submitted:
        raise AwardError(_("評分已送出，不可再修改；如需更正請洽縣府承辦人。"))
    _write_points(sheet, parsed)
    sheet.comment, sheet.updated_at = comment, timezone.now()
    fields = ["comment", "updated_at"]
    if submit:
        given = set(sheet.scores.values_list("criterion_id", flat=True))
        missing = [c.name for pk, c in criteria.items() if pk not in given]
        if missing:
            raise AwardError(_("尚未評分的項目：%(names)s。") % {"names": "、".join(missing)})
        sheet.state, sheet.submitted_at = ScoreSheet.State.SUBMITTED, timezone.now()
        fields += ["state", "submitted_at"]
        total = sum(sheet.scores.values_list("points", flat=True), Decimal(0))
        _event(
            award_round, AwardEvent.Kind.SHEET_SUBMITTED, actor, entry=entry, judge=actor.pk, total=str(total)
        )  # type: ignore[attr-defined]
    sheet.save(update_fields=fields)
    return sheet


@transaction.atomic
def score_change(
    *, actor: object, sheet: ScoreSheet, points: Mapping[int, object], reason: str
) -> ScoreSheet:
    """A county officer changes a submitted sheet, with a reason; the old and new points are kept."""
    award_round = _lock_round(sheet.entry.round)
    _check(actor, "change_score", award_round)
    if not reason.strip():
        raise AwardError(_("修改已送出的分數必須填寫理由。"))
    sheet = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
    if not sheet.is_submitted:
        raise AwardError(_("評分尚未送出，由評審自行修改。"))
    # Only the criteria (versions) the sheet was given against: a change never moves a score to a version.
    criteria = {c.pk: c for c in Criterion.objects.filter(pk__in=sheet.scores.values("criterion_id"))}
    parsed = _parse_points(points, criteria)
    before = {s.criterion_id: s.points for s in sheet.scores.all()}
    changes = {
        str(pk): [str(before.get(pk, "")), str(value)]
        for pk, value in parsed.items()
        if before.get(pk) != value
    }
    if not changes:
        raise AwardError(_("分數沒有變更。"))
    _write_points(sheet, parsed)
    _event(
        award_round,
        AwardEvent.Kind.SCORE_CHANGED,
        actor,
        entry=sheet.entry,
        reason=reason.strip(),
        judge=sheet.judge_id,
        changes=changes,
    )
    return sheet


# --- publication -----------------------------------------------------------------------------------------


@transaction.atomic
def round_publish(*, actor: object, award_round: AwardRound) -> int:
    """Compute the results and keep them as the entries' award history; answers the rows written."""
    from awards.results import round_results

    award_round = _lock_round(award_round)
    _check(actor, "publish", award_round)
    rows = []
    for group_result in round_results(award_round):
        for line in group_result.lines:
            entry = line.entry
            rows.append(
                AwardResult(
                    round=award_round,
                    entry=entry,
                    association_id=entry.association_id,
                    year=award_round.year,
                    group_name=group_result.group.name,
                    rank=line.result.rank,
                    score=line.result.score,
                    judges_counted=line.result.judges_counted,
                    judge_totals=[str(total) for total in line.totals_in_order],
                    judge_ids=[
                        judge.pk
                        for judge, total in zip(group_result.judges, line.totals_by_judge, strict=True)
                        if total is not None
                    ],
                    spread=line.result.spread,
                    spread_flag=line.result.spread_flag,
                    normalised=line.result.normalised,
                    level=line.result.level,
                    national_nominee=line.result.national,
                )
            )
    AwardResult.objects.bulk_create(rows)
    award_round.state, award_round.published_at, award_round.published_by = (
        AwardRound.State.PUBLISHED,
        timezone.now(),
        actor,
    )
    award_round.save(update_fields=["state", "published_at", "published_by"])
    _event(award_round, AwardEvent.Kind.PUBLISHED, actor, results=len(rows))
    return len(rows)
