"""Who may act on a year's tier register, as data: each action names the roles that may take it and the
register state it needs. Pure functions `(user, register) -> Decision`; services enforce them and views use
them to decide which buttons to show."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from associations.access import county_id_of, role_of
from core.dates import format_roc_year
from core.roles import Role
from grading.models import TierRegister


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    roles: frozenset[Role]
    #: The register state the action starts from.
    source: str
    #: The state it leaves the register in (None: the register's state does not change).
    target: str | None = None


OPEN, FINALISED = TierRegister.State.OPEN, TierRegister.State.FINALISED

ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("recompute", _("重新計算"), frozenset({Role.COUNTY, Role.ADMIN}), OPEN),
        Action("override", _("調整分級"), frozenset({Role.COUNTY}), OPEN),
        Action("clear_override", _("取消調整"), frozenset({Role.COUNTY}), OPEN),
        Action("edit_thresholds", _("修改分級門檻"), frozenset({Role.COUNTY, Role.ADMIN}), OPEN),
        Action("finalise", _("定案"), frozenset({Role.COUNTY}), OPEN, FINALISED),
        Action("reopen", _("重新開放"), frozenset({Role.ADMIN}), FINALISED, OPEN),
    )
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    #: Refused for the user's role, not for the register's state: no moment would allow it.
    forbidden: bool = False

    def __bool__(self) -> bool:
        return self.allowed


def decide(user: object, action_name: str, register: TierRegister) -> Decision:
    """Whether `user` may take `action_name` on `register` now, and if not, why (in Chinese)."""
    action = ACTIONS[action_name]
    if role_of(user) not in action.roles:
        roles = "、".join(str(role.label) for role in sorted(action.roles))
        reason = _("只有%(roles)s可以%(action)s。") % {"roles": roles, "action": action.label}
        return Decision(False, reason, forbidden=True)
    if register.county_id is None or register.county_id != county_id_of(user):
        # Each county acts on its own register only; an administrator on the county they work on.
        return Decision(False, _("只能處理所屬縣市的分級清冊。"), forbidden=True)
    if register.state != action.source:
        if register.state == FINALISED:
            return Decision(
                False, _("%(year)s的分級清冊已定案，不可修改。") % {"year": format_roc_year(register.year)}
            )
        return Decision(False, _("%(year)s的分級清冊尚未定案。") % {"year": format_roc_year(register.year)})
    return Decision(True)


def allowed_actions(user: object, register: TierRegister) -> set[str]:
    return {name for name in ACTIONS if decide(user, name, register)}
