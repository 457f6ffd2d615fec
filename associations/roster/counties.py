"""Keeping an import to the county chosen for it: a township the chosen county does not have is looked up
among every other county's, so the report can say where it belongs. A file whose townships all belong to
one other county gets one blocking error naming that county, instead of the same error on every row; a
file mixing counties names each foreign row with its township's county. The roster import and the
compliance import both clean their rows with it."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from associations.models import County, Township
from core.imports.issues import Issue
from core.imports.report import ImportReport
from core.text import normalize_place

_POSTCODE_RE = re.compile(r"^\d{3,6}")


class CountyCheck:
    """Collects, row by row, which rows resolved in the chosen county and which name another county's
    township; `report_to` turns the foreign rows into the report's errors. The other counties' townships
    are loaded once, on the first row that needs them; a name two of them share matches neither (fail
    closed: the row keeps the plain error that its township is not the chosen county's)."""

    def __init__(self, county: County) -> None:
        self.county = county
        self.home_rows = 0
        self.foreign: list[tuple[int, str, str | None, Township]] = []  # (row, written, column, township)
        self._by_name: dict[str, Township | None] | None = None
        self._by_county: dict[str, list[tuple[str, Township]]] = {}

    def at_home(self) -> None:
        """A row whose township is the chosen county's."""
        self.home_rows += 1

    def elsewhere(self, row: int, written: str, *, column: str | None) -> bool:
        """Whether `written` names exactly one township of another county; if so the row is recorded
        (its error is written by `report_to`)."""
        township = self._names().get(normalize_place(written))
        if township is None:
            return False
        self.foreign.append((row, written, column, township))
        return True

    def elsewhere_in(self, row: int, *texts: str, column: str | None) -> bool:
        """The same for a name or address that starts with another county and one of its townships
        (新竹縣竹北市…), for a file without a township column."""
        self._names()
        for text in texts:
            key = _POSTCODE_RE.sub("", normalize_place(text))
            for county_name, townships in self._by_county.items():
                if not key.startswith(county_name):
                    continue
                rest = key[len(county_name) :]
                township = next((t for name, t in townships if rest.startswith(name)), None)
                if township is not None:
                    self.foreign.append((row, text, column, township))
                    return True
        return False

    def report_to(self, report: ImportReport) -> None:
        """One error naming the county when no row is the chosen county's and every foreign row is of one
        other county; else one error per foreign row, naming its township's county."""
        counties = {township.county.name for _row, _written, _column, township in self.foreign}
        if self.foreign and not self.home_rows and len(counties) == 1:
            other = counties.pop()
            report.errors.append(
                Issue(_("此檔案的鄉鎮市區均屬%(other)s，請選擇%(other)s或確認檔案。") % {"other": other})
            )
            return
        for row, written, column, township in self.foreign:
            report.errors.append(
                Issue(
                    _("「%(written)s」是%(other)s%(township)s，不屬%(county)s；請確認檔案或選擇的縣市。")
                    % {
                        "written": written,
                        "other": township.county.name,
                        "township": township.name,
                        "county": self.county.name,
                    },
                    row,
                    column,
                )
            )

    def _names(self) -> dict[str, Township | None]:
        if self._by_name is None:
            by_name: dict[str, Township | None] = {}
            others = Township.objects.exclude(county=self.county).select_related("county")
            for township in others.order_by("county__name", "sort_order", "name"):
                county_name = normalize_place(township.county.name)
                for written in township.names():
                    for key in (normalize_place(written), county_name + normalize_place(written)):
                        by_name[key] = township if by_name.get(key, township) == township else None
                self._by_county.setdefault(county_name, []).append((normalize_place(township.name), township))
            for townships in self._by_county.values():  # longest first, as Geography.township_in
                townships.sort(key=lambda pair: -len(pair[0]))
            self._by_name = by_name
        return self._by_name
