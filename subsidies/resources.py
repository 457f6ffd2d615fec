"""The subsidy configuration in the admin through django-import-export (core.admin_exports): sources,
items, yearly allocations and minimums, keyed by county and name (a source also by an alias), years in ROC
form. An allocation import is refused when it would drop below what approved applications hold."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from associations.models import County
from associations.resources import COUNTY, CountyWidget, TextWidget
from core.admin_exports import IntegerWidget, PortalResource
from core.dates import ROCDateError, parse_year, roc_year
from core.text import normalize_place
from subsidies.models import Allocation, Application, FundingSource, SelfFundingMinimum, SubsidyItem


class YearWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        if value in (None, ""):
            return None
        try:
            return parse_year(value)
        except ROCDateError as error:
            raise ValueError(str(error)) from error

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else roc_year(value)


def _row_county(row: Any) -> County | None:
    name = normalize_place((row or {}).get(COUNTY))
    return County.objects.filter(name=name).first() if name else None


class SourceWidget(widgets.ForeignKeyWidget):
    """A source by the row's county and its name or an alias."""

    def __init__(self) -> None:
        super().__init__(FundingSource, field="name")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> FundingSource | None:
        from subsidies.services import find_source

        county = _row_county(row)
        found = find_source(county=county, name=str(value or "")) if county else None
        if found is None:
            raise ValueError(_("找不到經費來源「%(name)s」。") % {"name": value})
        return found


class ItemWidget(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(SubsidyItem, field="name")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> SubsidyItem | None:
        county = _row_county(row)
        found = (
            SubsidyItem.objects.filter(county=county, name=str(value or "").strip()).first()
            if county
            else None
        )
        if found is None:
            raise ValueError(_("找不到補助項目「%(name)s」。") % {"name": value})
        return found


def _county() -> fields.Field:
    return fields.Field(attribute="county", column_name=COUNTY, widget=CountyWidget())


def _source_county() -> fields.Field:
    return fields.Field(attribute="source__county__name", column_name=COUNTY, readonly=True)


class FundingSourceResource(PortalResource):
    county = _county()
    name = fields.Field(attribute="name", column_name="經費來源", widget=TextWidget())

    class Meta(PortalResource.Meta):
        model = FundingSource
        fields = ["county", "name", "kind", "aliases", "sort_order", "active"]
        import_id_fields = ["county", "name"]


class SubsidyItemResource(PortalResource):
    county = _county()
    name = fields.Field(attribute="name", column_name="補助項目", widget=TextWidget())

    class Meta(PortalResource.Meta):
        model = SubsidyItem
        fields = ["county", "name", "kind", "sort_order", "active"]
        import_id_fields = ["county", "name"]


class AllocationResource(PortalResource):
    county = _source_county()
    source = fields.Field(attribute="source", column_name="經費來源", widget=SourceWidget())
    year = fields.Field(attribute="year", column_name="年度", widget=YearWidget())
    recurrent_amount = fields.Field(
        attribute="recurrent_amount", column_name="經常門配額", widget=IntegerWidget()
    )
    capital_amount = fields.Field(
        attribute="capital_amount", column_name="資本門配額", widget=IntegerWidget()
    )

    class Meta(PortalResource.Meta):
        model = Allocation
        fields = ["county", "source", "year", "recurrent_amount", "capital_amount"]
        import_id_fields = ["source", "year"]

    def before_save_instance(self, instance: Allocation, row: Any, **kwargs: Any) -> None:
        from subsidies.services import SubsidyError, check_allocation_floor

        try:
            check_allocation_floor(instance)
        except SubsidyError as error:
            raise ValidationError(str(error)) from error


class SelfFundingMinimumResource(PortalResource):
    county = _source_county()
    source = fields.Field(attribute="source", column_name="經費來源", widget=SourceWidget())
    item = fields.Field(attribute="item", column_name="補助項目", widget=ItemWidget())
    year = fields.Field(attribute="year", column_name="年度", widget=YearWidget())
    percent = fields.Field(attribute="percent", column_name="最低自籌比率（%）", widget=IntegerWidget())

    class Meta(PortalResource.Meta):
        model = SelfFundingMinimum
        fields = ["county", "source", "item", "year", "percent"]
        import_id_fields = ["source", "item", "year"]


class ApplicationResource(PortalResource):
    year = fields.Field(attribute="year", column_name="年度", widget=YearWidget())

    class Meta(PortalResource.Meta):
        model = Application
        fields = [
            "case_number",
            "year",
            "association",
            "item",
            "title",
            "starts_on",
            "ends_on",
            "self_funded",
            "state",
        ]
