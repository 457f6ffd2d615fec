"""Creating portal users with a role: one service shared by `add_staff` and the demo seeding."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from associations import access
from associations.models import County, StaffMembership, Township
from core import security
from core.roles import Role
from core.text import normalize_place


class StaffError(Exception):
    pass


@transaction.atomic
def staff_add(
    *,
    username: str,
    role: Role,
    password: str,
    township: str | None = None,
    county: str | None = None,
    full_name: str = "",
    validate: bool = True,
    password_hash: str | None = None,
) -> tuple[object, bool]:
    """Create or update `username` with `role`. Township staff are bound to exactly one township (and so to
    its county); a county officer to one county (PORTAL_COUNTY unless `county` names another); an
    administrator may be given the county they start working on. Administrators get the Django admin
    (is_staff, is_superuser); no other role does. `password_hash` (`make_password(password)`, made once)
    spares a seed of many users a slow hash each."""
    township_obj = county_obj = None
    if county and role not in (Role.COUNTY, Role.ADMIN):
        raise StaffError(_("只有縣府承辦人與系統管理者可以指定縣市。"))
    if role == Role.COUNTY or county:
        county_obj = county_named(county or settings.PORTAL_COUNTY)
        if county_obj is None:
            raise StaffError(
                _("找不到縣市「%(name)s」，請先匯入行政區資料。") % {"name": county or settings.PORTAL_COUNTY}
            )
    if role == Role.TOWNSHIP:
        if not township:
            raise StaffError(_("公所承辦人必須以 --township 指定鄉鎮市區。"))
        township_obj = Township.objects.lookup(township)
        if township_obj is None:
            raise StaffError(
                _("找不到鄉鎮市區「%(name)s」，或名稱不只對應一處（請加上縣市，例如 苗栗縣竹南鎮）。")
                % {"name": township}
            )
    elif township:
        raise StaffError(_("只有公所承辦人需要指定鄉鎮市區。"))
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise StaffError(" ".join(exc.messages)) from exc
    if password_hash is not None:
        user.password = password_hash
    else:
        user.set_password(password)
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.is_active = True
    if full_name:
        # Chinese names read family name first; keep the whole name in one field so get_full_name() is right.
        user.first_name, user.last_name = full_name, ""
    user.save()
    before = StaffMembership.objects.filter(user=user).first()
    old = membership_state(before)
    membership, _created = StaffMembership.objects.update_or_create(
        user=user, defaults={"role": role, "township": township_obj, "county": county_obj}
    )
    record_membership_change(user=user, old=old, new=membership_state(membership))
    return user, created


def membership_state(membership: StaffMembership | None) -> dict[str, str]:
    """What the security log keeps of a membership: its role, township and county, by name."""
    if membership is None:
        return {"role": "", "township": "", "county": ""}
    return {
        "role": membership.role,
        "township": membership.township.name if membership.township_id else "",
        "county": membership.county.name if membership.county_id else "",
    }


def record_membership_change(*, user: object, old: dict[str, str], new: dict[str, str]) -> None:
    """Write the change of `user`'s role, township or county (old → new) to the security log, if any."""
    if old != new:
        security.record(security.Kind.MEMBERSHIP, username=user.get_username(), old=old, new=new)


def county_named(name: str) -> County | None:
    """A county as people write it (台 or 臺)."""
    wanted = normalize_place(name)
    return next((c for c in County.objects.all() if normalize_place(c.name) == wanted), None)


@transaction.atomic
def working_county_set(*, user: object, county: County) -> None:
    """An administrator chooses the county they work on; it is kept on their membership, so it holds on
    every page and in every later session. A superuser without a membership gets an administrator's one."""
    if not access.can_switch_county(user):
        raise StaffError(_("只有系統管理者可以切換縣市。"))
    StaffMembership.objects.update_or_create(
        user=user, defaults={"role": Role.ADMIN, "township": None, "county": county}
    )
