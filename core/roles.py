"""The roles a portal user can hold. Which rows each role may see is decided in `associations.access`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY = "county", _("縣府承辦人")
    TOWNSHIP = "township", _("公所承辦人")
    JUDGE = "judge", _("評審委員")
    ADMIN = "admin", _("系統管理者")


#: Roles that work in the association registry pages.
REGISTRY_ROLES = frozenset({Role.COUNTY, Role.TOWNSHIP, Role.ADMIN})
#: Roles that see every township.
COUNTY_WIDE_ROLES = frozenset({Role.COUNTY, Role.ADMIN})
