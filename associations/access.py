"""Who may see and change what: decided here and nowhere else.

Scope has three levels: a township clerk sees one township, a county officer one county, an administrator
every county, working on one at a time (the county chosen in the header, kept on their membership). Every
list, detail, form, export, count, search and staff page starts from `scope_associations` (through
`Association.objects.visible_to(user)`) or its twin for rows of one association,
`scope_through_association`, `scope_townships`, `scope_by_county` or one of the
fetch-and-authorise helpers below. The rules fail closed: an anonymous user, a user without a role, a role
not named here, or a county officer whose membership names no county sees nothing.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from core.roles import COUNTY_WIDE_ROLES, REGISTRY_ROLES, Role

if TYPE_CHECKING:
    from associations.models import Association, AssociationQuerySet, County, Officer, Township

RecordT = TypeVar("RecordT")
ModelT = TypeVar("ModelT")

#: Where `county_id_of` keeps an administrator's default county on the user object, for the request.
_DEFAULT_COUNTY_CACHE = "_portal_default_county_id"
_COUNTIES_CACHE = "_portal_counties"


def role_of(user: object) -> Role | None:
    """The user's role; a superuser without a membership is an administrator. None for everyone else."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    membership = getattr(user, "membership", None)
    if membership is not None:
        return Role(membership.role)
    return Role.ADMIN if getattr(user, "is_superuser", False) else None


def township_id_of(user: object) -> int | None:
    """The one township a township clerk serves; None for every other role."""
    if role_of(user) != Role.TOWNSHIP:
        return None
    return user.membership.township_id  # type: ignore[attr-defined]


def county_id_of(user: object) -> int | None:
    """The one county a user works in: a county officer's own, a township clerk's township's, and an
    administrator's working county (the one they chose, else PORTAL_COUNTY's, else the first). None for
    every other role, and for a county officer whose membership names no county (they see nothing)."""
    role = role_of(user)
    if role == Role.TOWNSHIP:
        return user.membership.township.county_id  # type: ignore[attr-defined]
    if role == Role.COUNTY:
        return user.membership.county_id  # type: ignore[attr-defined]
    if role == Role.ADMIN:
        membership = getattr(user, "membership", None)
        if membership is not None and membership.county_id is not None:
            return membership.county_id
        return default_county_id(user)
    return None


def default_county_id(user: object) -> int | None:
    """An administrator's county until they choose one: the deployment's PORTAL_COUNTY, else the first."""
    from associations.models import County

    if not hasattr(user, _DEFAULT_COUNTY_CACHE):
        counties = getattr(user, _COUNTIES_CACHE, None)
        if counties is None:
            counties = list(County.objects.order_by("name"))
        chosen = next((c for c in counties if c.name == settings.PORTAL_COUNTY), None)
        if chosen is None:
            chosen = next(iter(counties), None)
        setattr(user, _DEFAULT_COUNTY_CACHE, chosen.pk if chosen is not None else None)
        # Kept for the rest of the request: the header shows the county and offers every county to switch to.
        setattr(user, _COUNTIES_CACHE, counties)
    return getattr(user, _DEFAULT_COUNTY_CACHE)


def _loaded_counties(user: object) -> list[County]:
    """The counties read for this request (with the user, `core.auth`, or by `default_county_id`), or none."""
    return getattr(user, _COUNTIES_CACHE, None) or []


def keep_loaded_counties(user: object, counties: list[County]) -> None:
    """Every county, by name, read with an administrator (`core.auth.get_user`): the header's county menu
    and the default county are taken from them for the rest of the request, without another query."""
    setattr(user, _COUNTIES_CACHE, counties)


def county_of(user: object) -> County | None:
    """The County row of `county_id_of`, or None."""
    from associations.models import County

    county_id = county_id_of(user)
    if county_id is None:
        return None
    # The membership's own county (a county officer's, an administrator's choice) or its township's, when the
    # request's user was loaded with them (`core.auth`): no query for the header of every page.
    membership = getattr(user, "membership", None)
    township = getattr(membership, "township", None)
    loaded_counties = (getattr(membership, "county", None), getattr(township, "county", None))
    for loaded in (*loaded_counties, *_loaded_counties(user)):
        if loaded is not None and loaded.pk == county_id:
            return loaded
    return County.objects.filter(pk=county_id).first()


def can_switch_county(user: object) -> bool:
    """Only administrators work on every county, one at a time."""
    return role_of(user) == Role.ADMIN


def switchable_counties(user: object) -> list[County]:
    """The header's county menu: every county, by name, for an administrator; none for anyone else. The
    counties an administrator's default county was chosen from this request are reused (no second query)."""
    from associations.models import County

    if not can_switch_county(user):
        return []
    return _loaded_counties(user) or list(County.objects.order_by("name"))


def scope_counties(queryset: QuerySet[County], user: object) -> QuerySet[County]:
    """The counties a user may work on: every one for an administrator, their own for other registry roles."""
    if can_switch_county(user):
        return queryset
    county_id = county_id_of(user) if can_use_registry(user) else None
    return queryset.filter(pk=county_id) if county_id is not None else queryset.none()


def import_counties(queryset: QuerySet[County], user: object) -> QuerySet[County]:
    """The counties a user may import rosters and compliance sheets into (the county menus of the import
    pages, and `--user` of the import commands): every county for an administrator, their own for a county
    officer. None for a township clerk: an import matches and writes a whole county's rows, which is county
    work, not a township's. None for everyone else."""
    role = role_of(user)
    if role == Role.ADMIN:
        return queryset
    county_id = county_id_of(user) if role == Role.COUNTY else None
    return queryset.filter(pk=county_id) if county_id is not None else queryset.none()


def can_import(user: object) -> bool:
    """Whether the staff import pages are for this user (their menu link): a county officer of a county,
    or an administrator, in their working county. Asks no query of the database."""
    return role_of(user) in (Role.ADMIN, Role.COUNTY) and county_id_of(user) is not None


def working_import_counties(queryset: QuerySet[County], user: object) -> QuerySet[County]:
    """The staff import pages' counties: of `import_counties`, only the one the user works in (an
    administrator imports into another county by switching to it first, or from the admin)."""
    if not can_import(user):
        return queryset.none()
    return import_counties(queryset, user).filter(pk=county_id_of(user))


def can_import_into(user: object, county: County) -> bool:
    from associations.models import County

    return import_counties(County.objects.filter(pk=county.pk), user).exists()


def scope_by_county(queryset: QuerySet[ModelT], user: object, *, field: str = "county") -> QuerySet[ModelT]:
    """Rows kept per county (tier registers, thresholds, their history) of the county the user works in."""
    county_id = county_id_of(user) if can_use_registry(user) else None
    if county_id is None:
        return queryset.none()
    return queryset.filter(**{f"{field}_id": county_id})


def admin_scope(
    queryset: QuerySet[ModelT], user: object, *, association: str = "", county: str = ""
) -> QuerySet[ModelT]:
    """The Django admin's rows: an administrator sees every county (the admin has county filters). Anyone
    else who got past its gate by mistake sees no more than in the staff pages: rows of the associations
    they may see (through the field `association`, "pk" for associations themselves), and rows that belong
    to no association but to a county (through `county`) of their own county."""
    if role_of(user) == Role.ADMIN:
        return queryset
    allowed: list[Q] = []
    if association:
        allowed.append(Q(**{f"{association}__in": scope_associations_ids(user)}))
    county_id = county_id_of(user) if county and can_use_registry(user) else None
    if county_id is not None:
        own_county = Q(**{f"{county}_id": county_id})
        allowed.append(own_county & Q(**{f"{association}__isnull": True}) if association else own_county)
    return queryset.filter(reduce(or_, allowed)) if allowed else queryset.none()


def can_use_registry(user: object) -> bool:
    return role_of(user) in REGISTRY_ROLES


def can_use_admin(user: object) -> bool:
    """Only administrators use the Django admin; `is_staff` given to anyone else by mistake is not enough."""
    return role_of(user) == Role.ADMIN and bool(getattr(user, "is_staff", False))


def can_view_import_records(user: object) -> bool:
    """Import records are opened only in the admin (core.admin.ImportRecordAdmin): whoever may use the admin
    and view them there. Everyone else reads 「匯入紀錄 #12」 without a link they could not follow."""
    if not can_use_admin(user) or not getattr(user, "is_active", False):
        return False
    return user.has_perm("core.view_importrecord") or user.has_perm("core.change_importrecord")


def scope_associations(queryset: AssociationQuerySet, user: object) -> AssociationQuerySet:
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        county_id = county_id_of(user)
        return queryset.filter(township__county_id=county_id) if county_id is not None else queryset.none()
    if role == Role.TOWNSHIP:
        return queryset.filter(township_id=township_id_of(user))
    return queryset.none()


def scope_townships(queryset: QuerySet[Township], user: object) -> QuerySet[Township]:
    """The townships a user may file records under (the choices of township fields and filters), in their
    county's own order."""
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        county_id = county_id_of(user)
        if county_id is None:
            return queryset.none()
        return queryset.filter(county_id=county_id).order_by("sort_order", "name")
    if role == Role.TOWNSHIP:
        return queryset.filter(pk=township_id_of(user))
    return queryset.none()


def can_change_association(user: object, association: Association) -> bool:
    """County-wide roles change every association of their county; a clerk only those of their township."""
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        county_id = county_id_of(user)
        return county_id is not None and association.township.county_id == county_id
    return role == Role.TOWNSHIP and association.township_id == township_id_of(user)


def can_create_association(user: object) -> bool:
    return role_of(user) in REGISTRY_ROLES


def get_association_for_user(user: object, pk: int, *, for_change: bool = False) -> Association:
    """Fetch and authorise in one step: 404 when the user may not see it (as if it did not exist), 403 when
    they may see it but not change it."""
    from associations.models import Association

    if not can_use_registry(user):
        raise PermissionDenied
    try:
        association = Association.objects.visible_to(user).select_related("township__county").get(pk=pk)
    except Association.DoesNotExist:
        raise Http404 from None
    if for_change and not can_change_association(user, association):
        raise PermissionDenied
    return association


def get_officer_for_user(user: object, pk: int, *, for_change: bool = False) -> Officer:
    from associations.models import Officer

    if not can_use_registry(user):
        raise PermissionDenied
    visible = scope_associations_ids(user)
    try:
        officer = Officer.objects.select_related("association__township").get(pk=pk, association__in=visible)
    except Officer.DoesNotExist:
        raise Http404 from None
    if for_change and not can_change_association(user, officer.association):
        raise PermissionDenied
    return officer


def scope_associations_ids(user: object) -> AssociationQuerySet:
    from associations.models import Association

    return Association.objects.visible_to(user).values("pk")


def get_association_record_for_user(
    user: object, model: type[RecordT], pk: int, *, for_change: bool = False
) -> RecordT:
    """Fetch a row that belongs to one association (a meeting, a yearly filing, an election) and authorise
    it like its association: 404 when that association is not visible, 403 when visible but not changeable."""
    if not can_use_registry(user):
        raise PermissionDenied
    try:
        record = model.objects.select_related("association__township").get(
            pk=pk, association__in=scope_associations_ids(user)
        )
    except model.DoesNotExist:
        raise Http404 from None
    if for_change and not can_change_association(user, record.association):
        raise PermissionDenied
    return record


# --- subsidies: applications are scoped through their association ----------------------------------------


def scope_through_association(
    queryset: QuerySet[ModelT], user: object, *, field: str = "association"
) -> QuerySet[ModelT]:
    """Rows that belong to one association (through the foreign key `field`), scoped like their association
    (`scope_associations`): a clerk's township's, a county officer's county's (and an administrator's working
    county's); none for judges and everyone else. Filtered through the join (`field`'s township and its
    county), not `field__in` the visible associations: that subquery made PostgreSQL read every association
    of every county to find one county's."""
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        county_id = county_id_of(user)
        if county_id is None:
            return queryset.none()
        return queryset.filter(**{f"{field}__township__county_id": county_id})
    if role == Role.TOWNSHIP:
        return queryset.filter(**{f"{field}__township_id": township_id_of(user)})
    return queryset.none()


def scope_applications(queryset: QuerySet[ModelT], user: object) -> QuerySet[ModelT]:
    """Subsidy applications of the associations the user may see: a clerk's township's, a county officer's
    county's (and an administrator's working county's). Judges and everyone else: none."""
    return scope_through_association(queryset, user)
