"""Fetch-and-authorise for subsidy rows, built on `associations.access` (which decides scope): a row the
user may not see answers 404, as if it did not exist."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F, FilteredRelation, Q
from django.http import Http404

from associations import access
from core.roles import Role
from subsidies.models import Application, Attachment


def require_staff(user: object) -> None:
    """The subsidy pages are for county officers, township clerks and administrators."""
    if not access.can_use_registry(user):
        raise PermissionDenied


def get_application_for_user(user: object, pk: int, *, with_assessment: bool = False) -> Application:
    """The application, if `user` may see it. `with_assessment`: its association's assessment of its year
    joined in the same query, as `year_assessment` (None when there is none)."""
    require_staff(user)
    applications = Application.objects.visible_to(user).select_related(
        "association__township__county", "item", "county"
    )
    if with_assessment:
        applications = applications.annotate(
            year_assessment=FilteredRelation(
                "association__assessments", condition=Q(association__assessments__year=F("year"))
            )
        ).select_related("year_assessment")
    try:
        return applications.get(pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None


def get_attachment_for_user(user: object, pk: int) -> Attachment:
    require_staff(user)
    visible = Application.objects.visible_to(user).values("pk")
    try:
        return Attachment.objects.select_related("application").get(pk=pk, application__in=visible)
    except Attachment.DoesNotExist:
        raise Http404 from None


def can_enter_applications(user: object) -> bool:
    """Associations have no accounts: their township clerk enters applications for them."""
    return access.role_of(user) == Role.TOWNSHIP


def can_configure(user: object) -> bool:
    return access.role_of(user) in {Role.COUNTY, Role.ADMIN}


def _config_row(user: object, model, pk: int):
    """A source or item of the user's county, for those who configure; no one else sees them (404)."""
    require_staff(user)
    if not can_configure(user):
        raise Http404
    try:
        return access.scope_by_county(model.objects.all(), user).get(pk=pk)
    except model.DoesNotExist:
        raise Http404 from None


def get_source_for_user(user: object, pk: int):
    from subsidies.models import FundingSource

    return _config_row(user, FundingSource, pk)


def get_item_for_user(user: object, pk: int):
    from subsidies.models import SubsidyItem

    return _config_row(user, SubsidyItem, pk)


def get_batch_for_user(user: object, pk: int):
    """A batch of the user's county; a township clerk sees only batches holding their township's
    applications (404 otherwise)."""
    from subsidies.models import Batch

    require_staff(user)
    batches = access.scope_by_county(Batch.objects.all(), user)
    township_id = access.township_id_of(user)
    if township_id is not None:
        batches = batches.filter(transitions__application__association__township_id=township_id)
    found = batches.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
