"""Past years' decided applications from a spreadsheet, on the shared import pipeline
(core.imports.pipeline): one row per funding line (columns 鄉鎮市, 協會名稱, 年度, 補助項目, 計畫名稱, 期程,
經費來源, 申請金額, 核定金額); the rows of one association, year, item and title make one application.

An unknown item or source, an association not in the roster, or an approved amount over the request is a
blocking error naming the row, and then nothing is written. Imported applications arrive closed (已結案),
with a history entry saying they were imported; they carry what the file has (requested and approved
amounts, no disbursement or spending). An application already stored (same association, year, item and
title) is left as it is, so importing a file twice adds nothing."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils.translation import gettext as _

from associations.models import Association, County
from associations.roster.cleaning import Geography, clean_text
from core.dates import ROCDateError, format_roc_year, parse_date, parse_year, roc_year
from core.imports.issues import Issue
from core.imports.pipeline import DatasetImport
from core.imports.report import ImportReport
from core.models import ImportRecord
from core.spreadsheets import Table
from core.text import normalize_text
from subsidies.models import Application, FundingLine, FundingSource, State, SubsidyItem, Transition
from subsidies.services import township_short_name

KIND = "subsidies.applications"

COLUMNS: dict[str, tuple[str, ...]] = {
    "township": ("鄉鎮市", "鄉鎮市區", "行政區", "鄉鎮"),
    "name": ("協會名稱", "名稱", "團體名稱", "申請單位"),
    "year": ("年度",),
    "item": ("補助項目", "項目"),
    "title": ("計畫名稱", "計畫", "活動名稱"),
    "period": ("期程", "計畫期程", "執行期程"),
    "source": ("經費來源", "補助來源"),
    "requested": ("申請金額", "申請補助金額"),
    "approved": ("核定金額", "核定補助金額"),
}
REQUIRED = COLUMNS["name"]
_RANGE_SPLIT = re.compile(r"\s*(?:~|～|至|到|－|—|–)\s*")


@dataclass
class _Line:
    number: int
    source: FundingSource
    requested: int
    approved: int


@dataclass
class _Planned:
    association: Association
    year: int
    item: SubsidyItem
    title: str
    starts_on: datetime.date
    ends_on: datetime.date
    first_row: int
    lines: list[_Line] = field(default_factory=list)


@dataclass
class ApplicationPlan:
    applications: list[_Planned] = field(default_factory=list)


def _money(value: object) -> int | None:
    text = normalize_text(str(value if value is not None else "")).replace(",", "").replace("元", "")
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() else None


def _period(text: str, year: int) -> tuple[datetime.date, datetime.date]:
    if not text:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    parts = _RANGE_SPLIT.split(text)
    if len(parts) != 2 and text.count("-") == 1:
        parts = text.split("-")
    if len(parts) != 2:
        raise ROCDateError(_("期程「%(text)s」無法辨識，請寫成 115/03/01~115/10/31。") % {"text": text})
    return parse_date(parts[0]), parse_date(parts[1])  # type: ignore[return-value]


class ApplicationImport(DatasetImport[list, ApplicationPlan]):
    kind = KIND
    columns = COLUMNS
    required = REQUIRED

    def __init__(self, *, county: County, user: object) -> None:
        self.county = county
        self.user = user
        self.scope = county.name

    def remembered(self) -> Mapping[str, object]:
        return {"county": self.county.name}

    def clean(self, table: Table, report: ImportReport) -> list[_Planned]:
        geography = Geography(self.county)
        associations = {
            (a.township_id, geography.name_key(a.name, a.township)): a
            for a in Association.objects.filter(township__county=self.county).select_related("township")
        }
        items = {normalize_text(i.name): i for i in SubsidyItem.objects.filter(county=self.county)}
        sources = list(FundingSource.objects.filter(county=self.county))
        grouped: dict[tuple, _Planned] = {}
        for raw in table.rows:
            number, values = raw.number, raw.values

            def column(key: str) -> str:
                return table.columns.get(key, COLUMNS[key][0])

            def error(message: str, key: str, number: int = number) -> None:
                report.errors.append(Issue(message, number, column(key)))

            name = normalize_text(clean_text(values.get("name")))
            township_text = normalize_text(clean_text(values.get("township")))
            township = geography.lookup(township_text) if township_text else geography.township_in(name)
            if township is None:
                error(_("找不到鄉鎮市「%(name)s」。") % {"name": township_text}, "township")
                continue
            association = associations.get((township.pk, geography.name_key(name, township)))
            if association is None:
                error(
                    _("%(township)s沒有名為「%(name)s」的協會；請先匯入名冊或新增協會。")
                    % {"township": township.name, "name": name},
                    "name",
                )
                continue
            try:
                year = parse_year(values.get("year"))
            except ROCDateError as exc:
                error(str(exc), "year")
                continue
            item = items.get(normalize_text(clean_text(values.get("item"))))
            if item is None:
                error(_("沒有補助項目「%(name)s」。") % {"name": values.get("item") or ""}, "item")
                continue
            source_text = normalize_text(clean_text(values.get("source")))
            source = next((s for s in sources if source_text in {s.name, *s.alias_list()}), None)
            if source is None or source.kind == FundingSource.Kind.SELF:
                error(_("沒有經費來源「%(name)s」。") % {"name": source_text}, "source")
                continue
            requested, approved = _money(values.get("requested")), _money(values.get("approved"))
            if requested is None:
                error(_("申請金額須為不小於 0 的整數（元）。"), "requested")
                continue
            if approved is None:
                error(_("核定金額須為不小於 0 的整數（元）。"), "approved")
                continue
            if approved > requested:
                error(
                    _("核定金額 %(approved)s 元超過申請金額 %(requested)s 元。")
                    % {"approved": f"{approved:,}", "requested": f"{requested:,}"},
                    "approved",
                )
                continue
            title = normalize_text(clean_text(values.get("title")))
            if not title:
                error(_("未填寫計畫名稱。"), "title")
                continue
            try:
                starts_on, ends_on = _period(normalize_text(clean_text(values.get("period"))), year)
            except ROCDateError as exc:
                error(str(exc), "period")
                continue
            if ends_on > datetime.date(year, 12, 31) or starts_on > ends_on:
                error(_("計畫期程必須在%(year)s12月31日前結束。") % {"year": format_roc_year(year)}, "period")
                continue
            key = (association.pk, year, item.pk, title)
            planned = grouped.setdefault(
                key, _Planned(association, year, item, title, starts_on, ends_on, number)
            )
            if any(line.source.pk == source.pk for line in planned.lines):
                error(_("與第 %(row)d 列是同一案的同一經費來源。") % {"row": planned.first_row}, "source")
                continue
            planned.lines.append(_Line(number, source, requested, approved))
        return list(grouped.values())

    def plan(self, cleaned: list[_Planned], report: ImportReport, *, lock: bool) -> ApplicationPlan:
        existing = set(
            Application.objects.filter(county=self.county).values_list(
                "association_id", "year", "item_id", "title"
            )
        )
        plan = ApplicationPlan()
        for planned in cleaned:
            if (planned.association.pk, planned.year, planned.item.pk, planned.title) in existing:
                report.unchanged += 1
                continue
            plan.applications.append(planned)
            report.created += 1
        return plan

    def write(self, plan: ApplicationPlan, record: ImportRecord) -> Sequence[str]:
        County.objects.select_for_update().get(pk=self.county.pk)  # numbers are handed out one at a time
        numbers: dict[int, int] = {}
        note = _("由歷年資料匯入（匯入紀錄 #%(id)d）：檔案只有申請及核定金額。") % {"id": record.pk}
        for planned in plan.applications:
            if planned.year not in numbers:
                numbers[planned.year] = (
                    Application.objects.filter(county=self.county, year=planned.year).aggregate(
                        n=Max("number")
                    )["n"]
                    or 0
                )
            numbers[planned.year] += 1
            number = numbers[planned.year]
            township = planned.association.township
            application = Application.objects.create(
                county=self.county,
                association=planned.association,
                year=planned.year,
                number=number,
                case_number=f"{roc_year(planned.year)}-{township_short_name(township.name)}-{number:03d}",
                item=planned.item,
                title=planned.title,
                starts_on=planned.starts_on,
                ends_on=planned.ends_on,
                state=State.CLOSED,
                imported=True,
            )
            FundingLine.objects.bulk_create(
                FundingLine(
                    application=application,
                    source=line.source,
                    kind=planned.item.kind,
                    requested=line.requested,
                    approved=line.approved,
                )
                for line in planned.lines
            )
            Transition.objects.create(
                application=application,
                action="import",
                from_state="",
                to_state=State.CLOSED,
                actor=self.user,
                note=note,
            )
        return []
