"""Who may see and do what in the award, built on `associations.access` (which decides role, county and
township; nothing here re-decides them).

- A round belongs to a county. County officers and administrators see their (working) county's rounds;
  township staff see the rounds of their township's county, but only their township's entries, and results
  only once published.
- A judge has no county scope for registry data: the assignment to a round grants that round and its
  accepted entries with which the judge has no uncleared conflict, and only their own score sheets until the
  results are published.
- Every action is data (`ACTIONS`): its roles and the round states it may start from. `decide` answers with
  a reason; views use it to show buttons, services to refuse. Fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from associations.access import county_id_of, role_of, township_id_of
from core.roles import COUNTY_WIDE_ROLES, Role

if TYPE_CHECKING:
    from awards.models import AwardRound, Entry

AWARD_ROLES = frozenset({Role.COUNTY, Role.TOWNSHIP, Role.ADMIN, Role.JUDGE})
SETUP, SCORING, PUBLISHED = "setup", "scoring", "published"


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    roles: frozenset[Role]
    sources: frozenset[str]


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("nominate", _("推薦參選"), frozenset({Role.TOWNSHIP, Role.COUNTY}), frozenset({SETUP})),
        Action("accept", _("受理參選"), frozenset({Role.COUNTY}), frozenset({SETUP, SCORING})),
        Action("assign_judge", _("指派評審"), frozenset({Role.COUNTY}), frozenset({SETUP, SCORING})),
        Action("revise_criterion", _("修改評分項目"), frozenset({Role.COUNTY}), frozenset({SETUP, SCORING})),
        Action("start_scoring", _("開始評分"), frozenset({Role.COUNTY}), frozenset({SETUP})),
        Action(
            "declare_conflict",
            _("申報迴避"),
            frozenset({Role.JUDGE, Role.COUNTY}),
            frozenset({SETUP, SCORING}),
        ),
        Action("clear_conflict", _("解除迴避"), frozenset({Role.COUNTY}), frozenset({SETUP, SCORING})),
        Action("score", _("評分"), frozenset({Role.JUDGE}), frozenset({SCORING})),
        Action("change_score", _("修改已送出的分數"), frozenset({Role.COUNTY}), frozenset({SCORING})),
        Action("publish", _("公布結果"), frozenset({Role.COUNTY}), frozenset({SCORING})),
    )
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    forbidden: bool = False

    def __bool__(self) -> bool:
        return self.allowed


def decide(user: object, action_name: str, award_round: AwardRound) -> Decision:
    action = ACTIONS[action_name]
    role = role_of(user)
    if role not in action.roles:
        roles = "、".join(str(r.label) for r in sorted(action.roles))
        return Decision(
            False, _("只有%(roles)s可以%(action)s。") % {"roles": roles, "action": action.label}, True
        )
    if role == Role.JUDGE:
        if not is_assigned(user, award_round):
            return Decision(False, _("您未受邀擔任此回合的評審。"), True)
    elif county_id_of(user) != award_round.county_id:
        return Decision(False, _("只能處理所屬縣市的選拔。"), True)
    if award_round.state not in action.sources:
        return Decision(
            False,
            _("此回合目前為「%(state)s」，不可%(action)s。")
            % {"state": award_round.get_state_display(), "action": action.label},
        )
    return Decision(True)


def allowed_actions(user: object, award_round: AwardRound) -> set[str]:
    return {name for name in ACTIONS if decide(user, name, award_round)}


def can_use_awards(user: object) -> bool:
    return role_of(user) in AWARD_ROLES


def is_assigned(user: object, award_round: AwardRound) -> bool:
    if role_of(user) != Role.JUDGE:
        return False
    if getattr(award_round, "_fetched_for_judge", None) == user.pk:  # type: ignore[attr-defined]
        return True  # fetched through scope_rounds, which required this very assignment
    return award_round.judges.filter(judge_id=user.pk).exists()  # type: ignore[attr-defined]


def scope_rounds(queryset: QuerySet[AwardRound], user: object) -> QuerySet[AwardRound]:
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES or role == Role.TOWNSHIP:
        county_id = county_id_of(user)
        return queryset.filter(county_id=county_id) if county_id is not None else queryset.none()
    if role == Role.JUDGE:
        return queryset.filter(judges__judge_id=user.pk)  # type: ignore[attr-defined]
    return queryset.none()


def active_conflicts(judge_id: int) -> QuerySet:
    from awards.models import Conflict

    return Conflict.objects.filter(judge_id=judge_id, cleared_at__isnull=True)


def scope_entries(queryset: QuerySet[Entry], user: object) -> QuerySet[Entry]:
    """County-wide roles: their county's entries; township staff: their township's; a judge: the accepted
    entries of rounds they are assigned to, without an uncleared conflict."""
    from awards.models import Entry, JudgeAssignment

    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        county_id = county_id_of(user)
        return queryset.filter(round__county_id=county_id) if county_id is not None else queryset.none()
    if role == Role.TOWNSHIP:
        return queryset.filter(township_id=township_id_of(user))
    if role == Role.JUDGE:
        assigned = JudgeAssignment.objects.filter(round_id=OuterRef("round_id"), judge_id=user.pk)  # type: ignore[attr-defined]
        conflicted = active_conflicts(user.pk).filter(entry_id=OuterRef("pk"))  # type: ignore[attr-defined]
        return queryset.filter(Exists(assigned), state=Entry.State.ACCEPTED).exclude(Exists(conflicted))
    return queryset.none()


def can_see_results(user: object, award_round: AwardRound) -> bool:
    """County-wide roles of the round's county at any time (to check before publishing); everyone else who
    sees the round only once published."""
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        return county_id_of(user) == award_round.county_id
    return award_round.is_published and role in AWARD_ROLES


def can_see_all_sheets(user: object, award_round: AwardRound) -> bool:
    """Every judge's sheets: the round's county officers; judges see only their own until publication."""
    return role_of(user) in COUNTY_WIDE_ROLES and county_id_of(user) == award_round.county_id


def get_round_for_user(user: object, pk: int) -> AwardRound:
    from awards.models import AwardRound

    if not can_use_awards(user):
        raise PermissionDenied
    try:
        award_round = scope_rounds(AwardRound.objects.select_related("county"), user).get(pk=pk)
    except AwardRound.DoesNotExist:
        raise Http404 from None
    _mark_judge(award_round, user)
    return award_round


def get_round_with_groups_for_user(user: object, pk: int) -> tuple[AwardRound, list]:
    """`get_round_for_user` with the round's groups, their levels and current criteria, in one query
    (`awards.selectors.round_with_groups`)."""
    from awards.models import AwardRound
    from awards.selectors import round_with_groups

    if not can_use_awards(user):
        raise PermissionDenied
    found = round_with_groups(scope_rounds(AwardRound.objects.all(), user), pk)
    if found is None:
        raise Http404
    _mark_judge(found[0], user)
    return found


def _mark_judge(award_round: AwardRound, user: object) -> None:
    """A round a judge could fetch is one they are assigned to (`scope_rounds`): `is_assigned` need not ask
    again while this request holds it."""
    if role_of(user) == Role.JUDGE:
        award_round._fetched_for_judge = user.pk  # type: ignore[attr-defined]


def get_entry_for_user(user: object, pk: int) -> Entry:
    from awards.models import Entry

    if not can_use_awards(user):
        raise PermissionDenied
    try:
        entry = scope_entries(
            Entry.objects.select_related("round", "group", "township", "association"), user
        ).get(pk=pk)
    except Entry.DoesNotExist:
        raise Http404 from None
    _mark_judge(entry.round, user)  # a judge's entries are those of rounds they are assigned to
    return entry


def get_conflict_for_user(user: object, pk: int) -> object:
    """A conflict, for the round's county officers only (a judge's own declarations show on their pages)."""
    from awards.models import Conflict

    if role_of(user) not in COUNTY_WIDE_ROLES:
        raise PermissionDenied
    try:
        return Conflict.objects.select_related("entry__round", "judge").get(
            pk=pk, entry__in=scope_entries(_all_entries(), user)
        )
    except Conflict.DoesNotExist:
        raise Http404 from None


def get_sheet_for_user(user: object, pk: int) -> object:
    """Another judge's score sheet: only for the round's county officers."""
    from awards.models import ScoreSheet

    if role_of(user) not in COUNTY_WIDE_ROLES:
        raise PermissionDenied
    try:
        return ScoreSheet.objects.select_related("entry__round", "entry__group", "judge").get(
            pk=pk, entry__in=scope_entries(_all_entries(), user)
        )
    except ScoreSheet.DoesNotExist:
        raise Http404 from None


def get_criterion_for_user(user: object, pk: int) -> object:
    from awards.models import AwardRound, Criterion

    if role_of(user) not in COUNTY_WIDE_ROLES:
        raise PermissionDenied
    try:
        return Criterion.objects.select_related("group__round").get(
            pk=pk, group__round__in=scope_rounds(AwardRound.objects.all(), user)
        )
    except Criterion.DoesNotExist:
        raise Http404 from None


def _all_entries() -> QuerySet:
    from awards.models import Entry

    return Entry.objects.all()
