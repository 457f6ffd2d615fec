"""Creating portal users with a role: one service shared by `add_staff` and the demo seeding."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from associations.models import StaffMembership, Township
from core.roles import Role


class StaffError(Exception):
    pass


@transaction.atomic
def staff_add(
    *,
    username: str,
    role: Role,
    password: str,
    township: str | None = None,
    full_name: str = "",
    validate: bool = True,
) -> tuple[object, bool]:
    """Create or update `username` with `role`. Township staff are bound to exactly one township; other roles
    to none. Administrators get the Django admin (is_staff, is_superuser); no other role does."""
    township_obj = None
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
    user.set_password(password)
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.is_active = True
    if full_name:
        # Chinese names read family name first; keep the whole name in one field so get_full_name() is right.
        user.first_name, user.last_name = full_name, ""
    user.save()
    StaffMembership.objects.update_or_create(user=user, defaults={"role": role, "township": township_obj})
    return user, created
