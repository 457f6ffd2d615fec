"""Compliance import: a township's (or the county's) yearly compliance sheet, one row per association, read
into the compliance facts of `associations` on the same pipeline as the roster import
(`associations.imports.recorded_import`: the roster's reading, report, ImportRecord and matching).

Rules, the same as the roster's:

* Every run, written or not, leaves an ImportRecord (kind ``grading.compliance``) with the full report.
* A row with a blocking error (an association not in the registry, a date outside the year or in the
  future, minutes before the meeting) means nothing at all is written. `dry_run` writes nothing either.
* A blank cell never erases what is stored. A cell that cannot be read is a warning and is left alone, as
  if blank; a date with a character lost in a Big5 export (``1120305?``) is read with a warning.
* Rows are matched to associations by township and name as the roster import matches them (台/臺, spaces,
  a county or township prefix do not matter); associations are never created here.

A filled meeting cell becomes exactly the meetings of that kind in the year (meetings already on record
on those dates keep their minutes and quorum). After writing, the statuses and tiers of the year are
recomputed for the associations touched, unless the year's register is finalised.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from associations.compliance.forms import DATE_SEPARATORS, YearRowForm
from associations.compliance.services import year_row_save
from associations.compliance.values import YearRow
from associations.imports import Geography, ImportReport, Issue, RowChange, clean_text, recorded_import
from associations.models import Association, County, Meeting, YearlyFiling
from core.dates import format_roc_year, parse_date_lenient
from core.spreadsheets import Table
from core.text import normalize_text
from grading.services import assessments_refresh

KIND = "grading.compliance"

#: Our key -> the headers a sheet may use for it. The first header is the one the issue names.
COLUMNS: dict[str, tuple[str, ...]] = {
    "township": ("鄉鎮市", "鄉鎮市區", "行政區", "鄉鎮"),
    "name": ("協會名稱", "名稱", "團體名稱", "社區發展協會"),
    "assembly_dates": ("會員大會日期", "會員大會", "會員(代表)大會日期"),
    "assembly_minutes_filed_on": ("會員大會紀錄送府日期", "大會紀錄送府日期", "會議紀錄送府日期"),
    "board_dates": ("理事會日期", "理事會"),
    "supervisory_dates": ("監事會日期", "監事會"),
    "plan_budget_filed_on": ("工作計畫及預算送府日期", "工作計畫及預算", "計畫預算送府日期"),
    "report_accounts_filed_on": ("工作報告及決算送府日期", "工作報告及決算", "報告決算送府日期"),
    "term_ends_on": ("任期屆滿日", "任期屆滿日期", "任期屆滿"),
    "note": ("備註", "說明"),
}
REQUIRED = COLUMNS["name"]
DATE_KEYS = ("assembly_minutes_filed_on", "plan_budget_filed_on", "report_accounts_filed_on", "term_ends_on")


@dataclass
class _Planned:
    number: int
    association: Association
    row: YearRow


@transaction.atomic
def compliance_import(
    *,
    path: Path,
    year: int,
    user: object,
    county: County,
    dry_run: bool,
    sheet: str | None = None,
    file_name: str | None = None,
) -> ImportReport:
    """Import the sheet at `path` as `year`'s facts of `county`'s associations (see the module docstring).
    The year is kept in the ImportRecord's report, so that a previewed run can be confirmed as it was."""
    return recorded_import(
        kind=KIND,
        columns=COLUMNS,
        required=REQUIRED,
        path=path,
        user=user,
        county=county,
        dry_run=dry_run,
        sheet=sheet,
        file_name=file_name,
        check=functools.partial(_check, year=year, county=county, user=user, dry_run=dry_run),
        record_extra={"year": year},
    )


def _check(
    table: Table, report: ImportReport, *, year: int, county: County, user: object, dry_run: bool
) -> None:
    """Write every row for real, so that the preview finds exactly what the write would, then roll it all
    back when anything is wrong or this is a preview; after a write, recompute the year's judgments."""
    with transaction.atomic():
        planned = _plan(table, year=year, county=county, report=report)
        touched = _apply(planned, year=year, user=user, report=report, columns=table.columns)
        if report.errors or dry_run:
            transaction.set_rollback(True)
        elif touched:
            result = assessments_refresh(association_ids=touched, year=year, actor=user)
            if result.skipped_finalised:
                report.notices.append(
                    _("%(year)s的分級清冊已定案，未重新計算狀態與分級。") % {"year": format_roc_year(year)}
                )
    if report.errors:  # a rejected sheet wrote nothing, so it counts nothing as written
        report.created = report.updated = report.unchanged = 0


def _plan(table: Table, *, year: int, county: County, report: ImportReport) -> list[_Planned]:
    geography = Geography(county)
    associations = {
        (a.township_id, geography.name_key(a.name, a.township)): a
        for a in Association.objects.filter(township__county=county).select_related("township")
    }
    seen: dict[int, int] = {}
    planned: list[_Planned] = []
    for raw in table.rows:
        number, values = raw.number, raw.values

        def column(key: str) -> str:
            return table.columns.get(key, COLUMNS[key][0])

        name = normalize_text(clean_text(values.get("name")))
        if not name:
            report.errors.append(Issue(_("未填寫協會名稱。"), number, column("name")))
            continue
        township_text = normalize_text(clean_text(values.get("township")))
        township = geography.lookup(township_text) if township_text else geography.township_in(name)
        if township is None:
            message = (
                _("找不到鄉鎮市「%(name)s」。") % {"name": township_text}
                if township_text
                else _("未填寫鄉鎮市，也無法由協會名稱判斷。")
            )
            report.errors.append(Issue(message, number, column("township")))
            continue
        association = associations.get((township.pk, geography.name_key(name, township)))
        if association is None:
            report.errors.append(
                Issue(
                    _("%(township)s沒有名為「%(name)s」的協會；請先匯入名冊或新增協會。")
                    % {"township": township.name, "name": name},
                    number,
                    column("name"),
                )
            )
            continue
        if association.pk in seen:
            report.errors.append(
                Issue(
                    _("與第 %(row)d 列是同一個協會。") % {"row": seen[association.pk]}, number, column("name")
                )
            )
            continue
        seen[association.pk] = number
        row = _row(number, values, year=year, report=report, columns=table.columns)
        if row is not None:
            planned.append(_Planned(number, association, row))
    report.missing = sorted(
        f"{a.township.name} {a.name}"
        for a in associations.values()
        if a.pk not in seen and a.status != Association.Status.DISSOLVED and _in_sheet_townships(a, planned)
    )
    return planned


def _in_sheet_townships(association: Association, planned: list[_Planned]) -> bool:
    """A township's sheet reports only that township's missing associations."""
    return any(p.association.township_id == association.township_id for p in planned)


def _row(
    number: int, values: dict[str, object], *, year: int, report: ImportReport, columns: dict[str, str]
) -> YearRow | None:
    """Read one row's cells (an unreadable cell is a warning and counts as blank), then check it with the
    township grid's own form, so dates outside the year or in the future block the row."""
    data: dict[str, object] = {}
    for key in YearRowForm.MEETING_FIELDS:  # the cells that list a year's meetings of one kind
        days = _dates(values.get(key), number, columns.get(key, key), report)
        if days:
            data[key] = days
    for key in DATE_KEYS:
        day = _date(values.get(key), number, columns.get(key, key), report)
        if day:
            data[key] = day
    note = normalize_text(clean_text(values.get("note")))
    if note:
        data["note"] = note
    form = YearRowForm(data, year=year)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = columns.get(field) or (str(form.fields[field].label) if field in form.fields else None)
            report.errors.append(Issue("；".join(errors), number, label))
        return None
    return form.to_row()


def _date(value: object, number: int, column: str, report: ImportReport) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    day, problem = parse_date_lenient(value)
    if problem and day is None:
        report.warnings.append(Issue(_("%(problem)s；此欄未匯入。") % {"problem": problem}, number, column))
    elif problem:
        report.warnings.append(Issue(problem, number, column))
    return day


def _dates(value: object, number: int, column: str, report: ImportReport) -> list[datetime.date]:
    if isinstance(value, datetime.date | datetime.datetime):
        return [value if not isinstance(value, datetime.datetime) else value.date()]
    if isinstance(value, int | float):
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = normalize_text(clean_text(value)) if value is not None else ""
    days: list[datetime.date] = []
    for part in (p.strip() for p in DATE_SEPARATORS.split(text) if p.strip()):
        day, problem = parse_date_lenient(part)
        if day is None:
            report.warnings.append(
                Issue(_("%(problem)s；此欄的日期都未匯入。") % {"problem": problem}, number, column)
            )
            return []
        if problem:
            report.warnings.append(Issue(problem, number, column))
        days.append(day)
    return days


def _apply(
    planned: list[_Planned], *, year: int, user: object, report: ImportReport, columns: dict[str, str]
) -> list[int]:
    """Write each planned row in its own savepoint, so every row's model errors are found in one run."""
    touched: list[int] = []
    had_facts = _associations_with_facts([p.association.pk for p in planned], year)
    for item in planned:
        try:
            with transaction.atomic():
                changes = year_row_save(
                    association=item.association,
                    year=year,
                    row=item.row,
                    keep_blank=True,
                    actor=user,
                    notify=False,
                )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                report.errors.append(Issue("；".join(messages), item.number, columns.get(field)))
            continue
        if not changes.changed:
            report.unchanged += 1
            continue
        touched.append(item.association.pk)
        action = "updated" if item.association.pk in had_facts else "created"
        if action == "created":
            report.created += 1
        else:
            report.updated += 1
        report.changes.append(
            RowChange(
                item.number,
                item.association.township.name,
                item.association.name,
                action,
                _describe_changes(changes),
            )
        )
    return touched


def _describe_changes(changes: object) -> list[tuple[str, str, str]]:
    described: list[tuple[str, str, str]] = []
    if changes.meetings_added or changes.meetings_removed:
        described.append(
            (
                _("會議"),
                "",
                _("新增 %(added)d 場、刪除 %(removed)d 場")
                % {"added": changes.meetings_added, "removed": changes.meetings_removed},
            )
        )
    if changes.filing_changed:
        described.append((_("送府日期或備註"), "", _("已更新")))
    if changes.term_changed:
        described.append((_("任期屆滿日"), "", _("已更新")))
    return described


def _associations_with_facts(ids: list[int], year: int) -> set[int]:
    with_meetings = Meeting.objects.filter(association_id__in=ids, held_on__year=year).values_list(
        "association_id", flat=True
    )
    with_filings = YearlyFiling.objects.filter(association_id__in=ids, year=year).values_list(
        "association_id", flat=True
    )
    return set(with_meetings) | set(with_filings)
