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
from subsidies.models import Application, Attachment, CostLine, FundingLine, FundingSource


def require_staff(user: object) -> None:
    """The subsidy pages are for county officers, township clerks and administrators."""
    if not access.can_use_registry(user):
        raise PermissionDenied


def get_application_for_user(
    user: object,
    pk: int,
    *,
    with_assessment: bool = False,
    with_cost_lines: bool = False,
    with_funding_lines: bool = False,
) -> Application:
    """The application, if `user` may see it. `with_assessment`: its association's assessment of its year
    joined in the same query, as `year_assessment` (None when there is none). `with_cost_lines`: its cost
    lines read by the same query, as the list `cost_line_rows` (in the order of `CostLine.Meta.ordering`).
    `with_funding_lines`: likewise its funding lines, each with its source's name, as `funding_line_rows`
    (in the order of `FundingLine.Meta.ordering`)."""
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
    if with_funding_lines:
        applications = applications.annotate(**{_FUNDING_LINES_COLUMN: _funding_lines_json()})
    try:
        application = applications.get(pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None
    if with_cost_lines:
        rows = json.loads(getattr(application, _COST_LINES_COLUMN) or "[]")
        application.cost_line_rows = sorted(
            (CostLine.from_db(connection.alias, _COST_LINE_FIELDS, row) for row in rows), key=lambda c: c.pk
        )
    if with_funding_lines:
        application.funding_line_rows = _funding_lines(getattr(application, _FUNDING_LINES_COLUMN) or "[]")
    return application


def _funding_lines(data: str) -> list[FundingLine]:
    """The funding lines of `_funding_lines_json`, each with its source (only its name loaded), in the
    order of `FundingLine.Meta.ordering` (the source's sort order, then the kind)."""
    lines = []
    for *values, name, sort_order in json.loads(data):
        line = FundingLine.from_db(connection.alias, _FUNDING_LINE_FIELDS, values)
        line.source = FundingSource.from_db(connection.alias, ["id", "name"], [line.source_id, name])
        lines.append((sort_order, line.kind, line.pk, line))
    return [line for *_key, line in sorted(lines, key=lambda item: item[:3])]


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


#: The annotation that carries an application's funding lines (as JSON), and their fields in order.
_FUNDING_LINES_COLUMN = "_funding_lines_json"
_FUNDING_LINE_FIELDS = [
    "id",
    "application_id",
    "source_id",
    "kind",
    "requested",
    "approved",
    "disbursed",
    "spent",
    "returned",
]


def _funding_lines_json() -> RawSQL:
    """The application's funding lines as a JSON array of their `_FUNDING_LINE_FIELDS` followed by their
    source's name and sort order: a subquery of the application's own query (as `_cost_lines_json`),
    where they cost a query of their own on the detail page."""
    qn = connection.ops.quote_name
    lines, sources = qn(FundingLine._meta.db_table), qn(FundingSource._meta.db_table)
    outer = qn(Application._meta.db_table)
    columns = [f"{lines}.{qn(FundingLine._meta.get_field(name).column)}" for name in _FUNDING_LINE_FIELDS]
    columns += [f"{sources}.{qn('name')}", f"{sources}.{qn('sort_order')}"]
    aggregate = (
        "json_agg(json_build_array({}))::text"
        if connection.vendor == "postgresql"
        else ("json_group_array(json_array({}))")
    )
    sql = (
        f"SELECT {aggregate.format(', '.join(columns))} FROM {lines} "
        f"INNER JOIN {sources} ON ({lines}.{qn('source_id')} = {sources}.{qn('id')}) "
        f"WHERE {lines}.{qn('application_id')} = {outer}.{qn('id')}"
    )
    return RawSQL(sql, (), output_field=TextField())
