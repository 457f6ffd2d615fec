"""The route of a subsidy application, as data (docs/domain.md, Subsidies: the workflow table).

Each action names the roles that may take it, the states it starts from and the state it leads to (None:
the state stays, as for recording an eligibility override). `decide(user, action, application)` answers with
a reason in Chinese; views use it to show buttons, `subsidies.services.application_transition` to refuse.
Associations have no accounts: the township clerk enters an application for the association, submits it
(送件), reviews it (初審) and forwards it (層轉); the county officer reviews, decides, forwards ministry
applications, records the ministry's decision, the disbursement and the closeout. Administrators configure
sources, allocations, items and minimums and take no step of the route."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from associations.access import county_id_of, role_of, township_id_of
from core.roles import Role
from subsidies.models import Application, State

T, C = Role.TOWNSHIP, Role.COUNTY


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    roles: frozenset[Role]
    sources: frozenset[State]
    target: State | None
    #: Whether the person must write a note (a reason) to take it.
    needs_note: bool = False


BEFORE_DECISION = frozenset(
    {
        State.DRAFT,
        State.SUBMITTED,
        State.TOWNSHIP_FORWARDED,
        State.COUNTY_REVIEW,
        State.RETURNED_TO_TOWNSHIP,
        State.RETURNED_TO_ASSOCIATION,
    }
)
DECIDED = frozenset({State.APPROVED, State.PARTLY_APPROVED})


def _a(name, label, roles, sources, target, needs_note=False) -> Action:
    return Action(name, label, frozenset(roles), frozenset(sources), target, needs_note)


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        _a("submit", _("送公所初審"), {T}, {State.DRAFT, State.RETURNED_TO_ASSOCIATION}, State.SUBMITTED),
        _a("township_return", _("退回協會補正"), {T}, {State.SUBMITTED}, State.RETURNED_TO_ASSOCIATION, True),
        _a(
            "forward",
            _("層轉縣府"),
            {T},
            {State.SUBMITTED, State.RETURNED_TO_TOWNSHIP},
            State.TOWNSHIP_FORWARDED,
        ),
        _a("start_review", _("開始審查"), {C}, {State.TOWNSHIP_FORWARDED}, State.COUNTY_REVIEW),
        _a("override_eligibility", _("登錄資格例外"), {C}, {State.COUNTY_REVIEW}, None, True),
        _a("approve", _("核定補助"), {C}, {State.COUNTY_REVIEW}, State.APPROVED),
        _a("approve_partly", _("部分核定"), {C}, {State.COUNTY_REVIEW}, State.PARTLY_APPROVED),
        _a("reject", _("不予補助"), {C}, {State.COUNTY_REVIEW}, State.REJECTED, True),
        _a(
            "return_to_township",
            _("退回公所補正"),
            {C},
            {State.COUNTY_REVIEW},
            State.RETURNED_TO_TOWNSHIP,
            True,
        ),
        _a(
            "return_to_association",
            _("退回協會補正"),
            {C},
            {State.COUNTY_REVIEW},
            State.RETURNED_TO_ASSOCIATION,
            True,
        ),
        _a("forward_to_ministry", _("轉陳衛生福利部"), {C}, DECIDED, State.FORWARDED_TO_MINISTRY),
        _a(
            "record_ministry_decision",
            _("登錄衛福部核定"),
            {C},
            {State.FORWARDED_TO_MINISTRY},
            State.MINISTRY_DECIDED,
        ),
        _a("disburse", _("撥款"), {C}, DECIDED | {State.MINISTRY_DECIDED}, State.DISBURSED),
        _a("submit_closeout", _("送核銷"), {T, C}, {State.DISBURSED}, State.CLOSEOUT_SUBMITTED),
        _a("close", _("核銷結案"), {C}, {State.CLOSEOUT_SUBMITTED}, State.CLOSED),
        _a("withdraw", _("撤回申請"), {T, C}, BEFORE_DECISION, State.WITHDRAWN),
    )
}

#: Where each role's work waits (「待我處理」): the states from which that role has an action to take.
QUEUE_STATES: dict[Role, frozenset[State]] = {
    T: frozenset(
        {
            State.DRAFT,
            State.SUBMITTED,
            State.RETURNED_TO_TOWNSHIP,
            State.RETURNED_TO_ASSOCIATION,
            State.DISBURSED,
        }
    ),
    C: frozenset(
        {
            State.TOWNSHIP_FORWARDED,
            State.COUNTY_REVIEW,
            State.APPROVED,
            State.PARTLY_APPROVED,
            State.FORWARDED_TO_MINISTRY,
            State.MINISTRY_DECIDED,
            State.CLOSEOUT_SUBMITTED,
        }
    ),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    #: Refused for who the user is (role or scope), not for the application's state.
    forbidden: bool = False

    def __bool__(self) -> bool:
        return self.allowed


def in_scope(user: object, application: Application) -> bool:
    """Whether the user acts on this application at all: a clerk on their township's, a county officer on
    their county's. (Seeing it is `associations.access.scope_applications`.)"""
    role = role_of(user)
    if role == T:
        return application.association.township_id == township_id_of(user)
    if role == C:
        return application.association.township.county_id == county_id_of(user)
    return False


def decide(user: object, action_name: str, application: Application) -> Decision:
    action = ACTIONS[action_name]
    if role_of(user) not in action.roles:
        roles = "、".join(str(role.label) for role in sorted(action.roles))
        return Decision(
            False,
            _("只有%(roles)s可以%(action)s。") % {"roles": roles, "action": action.label},
            forbidden=True,
        )
    if not in_scope(user, application):
        return Decision(False, _("只能處理所轄範圍內的申請案。"), forbidden=True)
    if application.state not in action.sources:
        allowed = "、".join(f"「{State(s).label}」" for s in sorted(action.sources))
        return Decision(
            False,
            _("申請案目前為「%(state)s」，不能%(action)s；只有在%(allowed)s時可以。")
            % {"state": application.get_state_display(), "action": action.label, "allowed": allowed},
        )
    return Decision(True)


def allowed_actions(user: object, application: Application) -> list[Action]:
    """The actions `decide` allows, without composing the refusal of every other one (each named the
    roles and states in translated words: a third of the detail page's time)."""
    role = role_of(user)
    if not in_scope(user, application):
        return []
    return [
        action for action in ACTIONS.values() if role in action.roles and application.state in action.sources
    ]
