"""Loading a county's geography (counties, service regions, townships) from a spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from associations.models import County, ServiceRegion, Township
from core.spreadsheets import SpreadsheetError, read_table
from core.text import normalize_place

COLUMNS = {
    "county": ("縣市", "縣市別"),
    "township": ("鄉鎮市區", "鄉鎮市", "行政區"),
    "kind": ("類型",),
    "region": ("服務區",),
}
KINDS = {choice.value for choice in Township.Kind}


class GeographyImportError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class GeographyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    messages: list[str] = field(default_factory=list)


@transaction.atomic
def townships_import(*, path: Path) -> GeographyResult:
    """Create or update every township listed; all rows are checked before anything is written, so a file
    with an error changes nothing. Township order in the file becomes the display order."""
    try:
        table = read_table(path, required=COLUMNS["county"] + COLUMNS["township"], columns=COLUMNS)
    except SpreadsheetError as exc:
        raise GeographyImportError([str(exc)]) from exc
    for name in ("county", "township"):
        if name not in table.columns:
            raise GeographyImportError([_("找不到欄位「%(column)s」。") % {"column": COLUMNS[name][0]}])
    rows, errors = [], []
    for row in table.rows:
        county, township = normalize_place(row.get("county")), normalize_place(row.get("township"))
        kind = normalize_place(row.get("kind")) or township[-1:]
        if not county or not township:
            errors.append(_("第 %(row)d 列：縣市與鄉鎮市區都必須填寫。") % {"row": row.number})
        elif kind not in KINDS:
            errors.append(
                _("第 %(row)d 列：類型「%(kind)s」無法辨識，應為鄉、鎮、市或區。")
                % {"row": row.number, "kind": kind}
            )
        else:
            rows.append((county, township, kind, normalize_place(row.get("region"))))
    if errors:
        raise GeographyImportError(errors)

    result = GeographyResult()
    counters: dict[str, int] = {}
    for county_name, township_name, kind, region_name in rows:
        county, _created = County.objects.get_or_create(name=county_name)
        region = (
            ServiceRegion.objects.get_or_create(county=county, name=region_name)[0] if region_name else None
        )
        counters[county_name] = counters.get(county_name, 0) + 1
        wanted = {"kind": kind, "service_region": region, "sort_order": counters[county_name]}
        township, created = Township.objects.get_or_create(county=county, name=township_name, defaults=wanted)
        if created:
            result.created += 1
            continue
        changed = [name for name, value in wanted.items() if getattr(township, name) != value]
        if changed:
            for name in changed:
                setattr(township, name, wanted[name])
            township.full_clean()
            township.save(update_fields=changed)
            result.updated += 1
        else:
            result.unchanged += 1
    return result
