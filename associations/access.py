"""Who may see and change what: decided here and nowhere else.

Every list, detail, form, export, count, search and admin page starts from `scope_associations` (through
`Association.objects.visible_to(user)`) or one of the fetch-and-authorise helpers below. The rules fail
closed: an anonymous user, a user without a role, or a role not named here sees nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from core.roles import COUNTY_WIDE_ROLES, REGISTRY_ROLES, Role

if TYPE_CHECKING:
    from associations.models import Association, AssociationQuerySet, Officer, Township

RecordT = TypeVar("RecordT")


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


def can_use_registry(user: object) -> bool:
    return role_of(user) in REGISTRY_ROLES


def can_use_admin(user: object) -> bool:
    """Only administrators use the Django admin; `is_staff` given to anyone else by mistake is not enough."""
    return role_of(user) == Role.ADMIN and bool(getattr(user, "is_staff", False))


def scope_associations(queryset: AssociationQuerySet, user: object) -> AssociationQuerySet:
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        return queryset
    if role == Role.TOWNSHIP:
        return queryset.filter(township_id=township_id_of(user))
    return queryset.none()


def scope_townships(queryset: QuerySet[Township], user: object) -> QuerySet[Township]:
    """The townships a user may file records under (the choices of township fields and filters)."""
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        return queryset
    if role == Role.TOWNSHIP:
        return queryset.filter(pk=township_id_of(user))
    return queryset.none()


def can_change_association(user: object, association: Association) -> bool:
    """County-wide roles change every association; a clerk only those of their own township."""
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        return True
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
