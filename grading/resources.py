"""The tier thresholds' export for the admin (core.admin_exports): one row per county and year, the year in
ROC form. Thresholds change only through `grading.services.thresholds_update` (a county officer's action,
refused once the year's register is final, and recorded in the tier history), so the admin exports them but
does not import them."""

from __future__ import annotations

from typing import Any

from import_export import fields, widgets

from associations.resources import COUNTY
from core.admin_exports import PortalResource
from core.dates import roc_year
from grading.models import TierThresholds


class RocYearWidget(widgets.Widget):
    """A year as 112."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else roc_year(value)


class TierThresholdsResource(PortalResource):
    county = fields.Field(attribute="county__name", column_name=COUNTY)
    year = fields.Field(attribute="year", column_name="年度", widget=RocYearWidget())

    class Meta(PortalResource.Meta):
        model = TierThresholds
        fields = [
            "county",
            "year",
            "potential_min_activities",
            "developing_min_activities",
            "volunteer_team_min_size",
            "updated_by",
            "updated_at",
        ]
