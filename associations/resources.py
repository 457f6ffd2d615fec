"""The geography's import and export resources for the admin (core.admin_exports), keyed by natural keys:
a county by its name, a service region and a township by county and name, a village by county, township and
name (a township's name alone may recur in another county). The column headers are fixed Chinese texts, the
same on export and import, so that an exported file re-imports unchanged whatever the admin's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from import_export import fields, widgets

from associations.models import County, ServiceRegion, Township, Village
from core.admin_exports import PortalResource
from core.text import normalize_place, normalize_text

COUNTY = "縣市"
TOWNSHIP = "鄉鎮市區"
REGION = "服務區"
VILLAGE = "村里"


class PlaceWidget(widgets.CharWidget):
    """A place name as stored: no spaces, 台 written as 臺."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        return normalize_place(value)


class TextWidget(widgets.CharWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        return normalize_text(value)


class CountyWidget(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(County, field="name")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> County | None:
        name = normalize_place(value)
        if not name:
            return None
        county = County.objects.filter(name=name).first()
        if county is None:
            raise ValueError(_("找不到縣市「%(name)s」，請先匯入或新增該縣市。") % {"name": name})
        return county


class TownshipWidget(widgets.ForeignKeyWidget):
    """A township by the row's county and its name (臺/台 and the 鄉鎮市 suffix as people write them)."""

    def __init__(self) -> None:
        super().__init__(Township, field="name")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Township | None:
        name = normalize_place(value)
        if not name:
            return None
        county = normalize_place((row or {}).get(COUNTY))
        township = Township.objects.lookup(name, county=county) if county else None
        if township is None:
            raise ValueError(
                _("找不到「%(county)s」的鄉鎮市區「%(name)s」。") % {"county": county or "？", "name": name}
            )
        return township


class ServiceRegionWidget(widgets.ForeignKeyWidget):
    """A service region of the row's county; blank means none."""

    def __init__(self) -> None:
        super().__init__(ServiceRegion, field="name")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> ServiceRegion | None:
        name = normalize_text(value)
        if not name:
            return None
        county = normalize_place((row or {}).get(COUNTY))
        region = ServiceRegion.objects.filter(county__name=county, name=name).first()
        if region is None:
            raise ValueError(
                _("「%(county)s」沒有服務區「%(name)s」，請先匯入服務區。")
                % {"county": county or "？", "name": name}
            )
        return region


def _county_column(attribute: str = "county", *, readonly: bool = False) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=COUNTY, widget=CountyWidget(), readonly=readonly)


class CountyResource(PortalResource):
    name = fields.Field(attribute="name", column_name=COUNTY, widget=PlaceWidget())

    class Meta(PortalResource.Meta):
        model = County
        fields = ["name"]
        import_id_fields = ["name"]


class ServiceRegionResource(PortalResource):
    county = _county_column()
    name = fields.Field(attribute="name", column_name=REGION, widget=TextWidget())

    class Meta(PortalResource.Meta):
        model = ServiceRegion
        fields = ["county", "name"]
        import_id_fields = ["county", "name"]


class TownshipResource(PortalResource):
    county = _county_column()
    name = fields.Field(attribute="name", column_name=TOWNSHIP, widget=PlaceWidget())
    service_region = fields.Field(
        attribute="service_region", column_name=REGION, widget=ServiceRegionWidget()
    )

    class Meta(PortalResource.Meta):
        model = Township
        fields = ["county", "name", "kind", "service_region", "sort_order"]
        import_id_fields = ["county", "name"]


class VillageResource(PortalResource):
    # Read-only: the county is only there to say which township is meant.
    county = _county_column("township__county", readonly=True)
    township = fields.Field(attribute="township", column_name=TOWNSHIP, widget=TownshipWidget())
    name = fields.Field(attribute="name", column_name=VILLAGE, widget=PlaceWidget())

    class Meta(PortalResource.Meta):
        model = Village
        fields = ["county", "township", "name", "kind"]
        import_id_fields = ["township", "name"]
