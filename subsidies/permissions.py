"""Fetch-and-authorise for subsidy rows, built on `associations.access` (which decides scope): a row the
user may not see answers 404, as if it did not exist."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, FilteredRelation, Q, TextField
from django.db.models.expressions import RawSQL
from django.http import Http404

from associations import access
from core.roles import Role
from subsidies.models import Application, Attachment, CostLine


def require_staff(user: object) -> None:
    """The subsidy pages are for county officers, township clerks and administrators."""
    if not access.can_use_registry(user):
        raise PermissionDenied


def get_application_for_user(
    user: object, pk: int, *, with_assessment: bool = False, with_cost_lines: bool = False
) -> Application:
    """The application, if `user` may see it. `with_assessment`: its association's assessment of its year
    joined in the same query, as `year_assessment` (None when there is none). `with_cost_lines`: its cost
    lines read by the same query, as the list `cost_line_rows` (in the order of `CostLine.Meta.ordering`)."""
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
    if with_cost_lines:
        applications = applications.annotate(**{_COST_LINES_COLUMN: _cost_lines_json()})
    try:
        application = applications.get(pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None
    if with_cost_lines:
        rows = json.loads(getattr(application, _COST_LINES_COLUMN) or "[]")
        application.cost_line_rows = sorted(
            (CostLine.from_db(connection.alias, _COST_LINE_FIELDS, row) for row in rows), key=lambda c: c.pk
        )
    return application


#: The annotation that carries an application's cost lines (as JSON) on its row, and their fields in order.
_COST_LINES_COLUMN = "_cost_lines_json"
_COST_LINE_FIELDS = ["id", "application_id", "kind", "description", "amount"]


def _cost_lines_json() -> RawSQL:
    """The application's cost lines as a JSON array of [id, application_id, kind, description, amount]: a
    subquery of the application's own query, where they cost a query of their own on the detail page."""
    qn = connection.ops.quote_name
    lines, outer = qn(CostLine._meta.db_table), qn(Application._meta.db_table)
    columns = ", ".join(qn(CostLine._meta.get_field(name).column) for name in _COST_LINE_FIELDS)
    aggregate = (
        "json_agg(json_build_array({}))::text"
        if connection.vendor == "postgresql"
        else ("json_group_array(json_array({}))")
    )
    sql = (
        f"SELECT {aggregate.format(columns)} FROM {lines} "
        f"WHERE {lines}.{qn('application_id')} = {outer}.{qn('id')}"
    )
    return RawSQL(sql, (), output_field=TextField())


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
