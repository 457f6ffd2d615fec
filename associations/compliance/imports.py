"""Compliance import: a township's (or the county's) yearly compliance sheet, one row per association, read
into the compliance facts of `associations` on the import pipeline (`core.imports.pipeline`), as the roster
import is (`associations.roster`, whose geography matches the rows here too).

Rules, the same as the roster's:

* Every run, written or not, leaves an ImportRecord (kind ``grading.compliance``) with the full report.
* A row with a blocking error (an association not in the registry, a date outside the year or in the
  future, minutes before the meeting) means nothing at all is written. `dry_run` writes nothing either:
  the preview is the plan, worked out from the facts on record without writing or locking them.
* A blank cell never erases what is stored. A cell that cannot be read is a warning and is left alone, as
  if blank; a date with a character lost in a Big5 export (``1120305?``) is read with a warning.
* Rows are matched to associations by township and name as the roster import matches them (台/臺, spaces,
  a county or township prefix do not matter); associations are never created here.

A filled meeting cell becomes exactly the meetings of that kind in the year (meetings already on record
on those dates keep their minutes and quorum). After writing, the statuses and tiers of the year are
recomputed for the associations touched, unless the year's register is finalised.

The stages, in order: columns (`COLUMNS`), cleaning (`_clean_sheet`: rows read, checked with the township
grid's row form and matched), planning (`_plan_sheet`: per association, the meetings, filings and
election the row creates or changes), writing (`_write_plan`), wired by `ComplianceImport`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from associations.compliance import hooks
from associations.compliance.forms import DATE_SEPARATORS, YearRowForm
from associations.compliance.values import YearRow
from associations.models import Association, County, Election, Meeting, YearlyFiling
from associations.roster.cleaning import Geography, clean_text, too_long
from associations.roster.counties import CountyCheck
from core.dates import parse_date_lenient
from core.imports.issues import Issue
from core.imports.pipeline import DatasetImport
from core.imports.report import ImportReport, RowChange
from core.models import ImportRecord
from core.spreadsheets import Table
from core.text import normalize_text

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
NAME_LIMIT = Association._meta.get_field("name").max_length
DATE_KEYS = ("assembly_minutes_filed_on", "plan_budget_filed_on", "report_accounts_filed_on", "term_ends_on")


# --- Cleaning -------------------------------------------------------------------------------------------


@dataclass
class _SheetRow:
    number: int
    association: Association
    row: YearRow


def _clean_sheet(table: Table, report: ImportReport, *, year: int, county: County) -> list[_SheetRow]:
    """Every row read and checked, and matched to its association; the associations of the sheet's
    townships that it leaves out are reported as missing."""
    geography = Geography(county)
    counties = CountyCheck(county)
    associations = {
        (a.township_id, geography.name_key(a.name, a.township)): a
        for a in Association.objects.filter(township__county=county).select_related("township")
    }
    seen: dict[int, int] = {}
    planned: list[_SheetRow] = []
    for raw in table.rows:
        number, values = raw.number, raw.values

        def column(key: str) -> str:
            return table.columns.get(key, COLUMNS[key][0])

        name = normalize_text(clean_text(values.get("name")))
        if not name:
            report.errors.append(Issue(_("未填寫協會名稱。"), number, column("name")))
            continue
        if len(name) > NAME_LIMIT:  # a longer name matches nothing; say so without quoting all of it
            report.errors.append(Issue(too_long(name, NAME_LIMIT), number, column("name")))
            continue
        township_text = normalize_text(clean_text(values.get("township")))
        township = geography.lookup(township_text) if township_text else geography.township_in(name)
        if township is None and _elsewhere(counties, number, township_text, name, column("township")):
            continue
        if township is None:
            message = (
                _("找不到鄉鎮市「%(name)s」。") % {"name": township_text}
                if township_text
                else _("未填寫鄉鎮市，也無法由協會名稱判斷。")
            )
            report.errors.append(Issue(message, number, column("township")))
            continue
        counties.at_home()
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
            planned.append(_SheetRow(number, association, row))
    counties.report_to(report)
    report.missing = sorted(
        f"{a.township.name} {a.name}"
        for a in associations.values()
        if a.pk not in seen and a.status != Association.Status.DISSOLVED and _in_sheet_townships(a, planned)
    )
    return planned


def _elsewhere(counties: CountyCheck, number: int, township_text: str, name: str, column: str) -> bool:
    """Whether the row's township (written, or at the start of the name) is another county's."""
    if township_text:
        return counties.elsewhere(number, township_text, column=column)
    return counties.elsewhere_in(number, name, column=column)


def _in_sheet_townships(association: Association, planned: list[_SheetRow]) -> bool:
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


# --- Planning -------------------------------------------------------------------------------------------


@dataclass
class _Facts:
    """The year's facts on record of the sheet's associations, loaded up front."""

    meetings: dict[tuple[int, str], dict[datetime.date, Meeting]] = field(default_factory=dict)
    filings: dict[int, YearlyFiling] = field(default_factory=dict)
    elections: dict[int, Election] = field(default_factory=dict)  # the latest election of each


@dataclass
class _MeetingSync:
    removed: list[int]  # meeting pks
    created: list[Meeting]


@dataclass
class _YearPlan:
    """What one row writes: each listed kind's meetings synced, then the minutes, filing and election."""

    meetings: list[_MeetingSync] = field(default_factory=list)
    minutes: tuple[Meeting, datetime.date | None] | None = None
    filing: YearlyFiling | None = None
    election: Election | None = None
    meetings_added: int = 0
    meetings_removed: int = 0
    filing_changed: bool = False
    term_changed: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.meetings_added or self.meetings_removed or self.filing_changed or self.term_changed)


@dataclass
class CompliancePlan:
    rows: list[_YearPlan] = field(default_factory=list)
    touched: list[int] = field(default_factory=list)  # associations whose year changes


def _load_facts(rows: list[_SheetRow], *, year: int, lock: bool) -> _Facts:
    ids = [item.association.pk for item in rows]
    facts = _Facts()
    if lock:  # in primary-key order, as every writer of these facts locks
        list(Association.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    for meeting in Meeting.objects.filter(association_id__in=ids, held_on__year=year):
        facts.meetings.setdefault((meeting.association_id, meeting.kind), {})[meeting.held_on] = meeting
    for filing in YearlyFiling.objects.filter(association_id__in=ids, year=year):
        facts.filings[filing.association_id] = filing
    with_term = [item.association.pk for item in rows if item.row.term_ends_on is not None]
    if with_term:
        for election in Election.objects.filter(association_id__in=with_term).order_by(
            "association_id", "-term_ends_on", "-pk"
        ):
            facts.elections.setdefault(election.association_id, election)
    return facts


def _plan_sheet(
    rows: list[_SheetRow], report: ImportReport, *, year: int, columns: dict[str, str], lock: bool
) -> CompliancePlan:
    """Each row's writes worked out against the facts on record, counted and described in the report.
    A row whose facts the models refuse is an error naming its column (every row is checked)."""
    facts = _load_facts(rows, year=year, lock=lock)
    had_facts = {pk for pk, _kind in facts.meetings} | set(facts.filings)
    plan = CompliancePlan()
    for item in rows:
        try:
            row_plan = _plan_row(item.association, item.row, year=year, facts=facts)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                report.errors.append(Issue("；".join(messages), item.number, columns.get(name)))
            continue
        plan.rows.append(row_plan)
        if not row_plan.changed:
            report.unchanged += 1
            continue
        plan.touched.append(item.association.pk)
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
                _describe_changes(row_plan),
            )
        )
    if report.errors:  # a rejected sheet writes nothing, so it counts nothing as written
        report.created = report.updated = report.unchanged = 0
    return plan


def _plan_row(association: Association, row: YearRow, *, year: int, facts: _Facts) -> _YearPlan:
    """Make `association`'s facts for `year` say what `row` says, a blank cell leaving what is stored.

    The meetings of each kind in a filled cell become exactly the dates listed (meetings already recorded
    on those dates keep their minutes and quorum); the filings and the note take the row's values; a
    term end updates the latest election, or starts one. Raises ValidationError keyed by the row's field
    names."""
    plan = _YearPlan()
    synced: dict[str, list[Meeting]] = {}
    for name, kind in YearRowForm.MEETING_FIELDS.items():
        if getattr(row, name) is None:
            continue
        wanted = set(getattr(row, name))
        existing = facts.meetings.get((association.pk, kind), {})
        kept = [m for day, m in existing.items() if day in wanted]
        created = []
        for day in sorted(wanted - set(existing)):
            meeting = Meeting(association=association, kind=kind, held_on=day)
            _clean(meeting, {"held_on": name, "kind": name, "minutes_filed_on": name, "__all__": name})
            created.append(meeting)
        removed = [m.pk for day, m in existing.items() if day not in wanted]
        plan.meetings.append(_MeetingSync(removed=removed, created=created))
        plan.meetings_added += len(created)
        plan.meetings_removed += len(removed)
        synced[kind] = [m for m in kept + created if m.held_on.year == year]
    filed_on = row.assembly_minutes_filed_on
    if filed_on is not None:
        assemblies = synced.get(Meeting.Kind.GENERAL_ASSEMBLY)
        if assemblies is None:
            assemblies = list(
                facts.meetings.get((association.pk, Meeting.Kind.GENERAL_ASSEMBLY), {}).values()
            )
        last = max(assemblies, key=lambda m: m.held_on, default=None)
        if last is not None and last.minutes_filed_on != filed_on:
            stored, last.minutes_filed_on = last.minutes_filed_on, filed_on
            try:
                rename = {
                    "minutes_filed_on": "assembly_minutes_filed_on",
                    "__all__": "assembly_minutes_filed_on",
                }
                _clean(last, rename)
            finally:
                last.minutes_filed_on = stored
            plan.minutes = (last, filed_on)
    # As in the township grid's save (`year_row_save`), only the filing's own change counts as
    # `filing_changed`: a change of the assembly's minutes alone is written but not counted.
    plan.filing = _plan_filing(association, year, row, facts)
    plan.filing_changed = plan.filing is not None
    if row.term_ends_on is not None:
        plan.election = _plan_term_end(association, row.term_ends_on, facts)
        plan.term_changed = plan.election is not None
    return plan


def _plan_filing(association: Association, year: int, row: YearRow, facts: _Facts) -> YearlyFiling | None:
    filing = facts.filings.get(association.pk) or YearlyFiling(association=association, year=year)
    changed = False
    for name in ("plan_budget_filed_on", "report_accounts_filed_on", "note"):
        value = getattr(row, name)
        if value is not None and getattr(filing, name) != value:
            setattr(filing, name, value)
            changed = True
    if not changed:
        return None
    if filing.pk is None and not (
        filing.plan_budget_filed_on or filing.report_accounts_filed_on or filing.note
    ):
        return None
    _clean(filing, {})
    return filing


def _plan_term_end(association: Association, term_ends_on: datetime.date, facts: _Facts) -> Election | None:
    election = facts.elections.get(association.pk)
    if election is not None and election.term_ends_on == term_ends_on:
        return None
    if election is None:
        election = Election(association=association, term_number=association.term_number)
    election.term_ends_on = term_ends_on
    _clean(
        election, {"term_ends_on": "term_ends_on", "__all__": "term_ends_on", "term_number": "term_ends_on"}
    )
    return election


def _clean(instance: models.Model, rename: dict[str, str]) -> None:
    """The model's own checks without a query: the association was loaded (and is locked when writing),
    and what the plan creates cannot collide with what it loaded (a meeting only on a day its kind has
    none, a filing or an election only where none is stored). Model field names are turned into the
    row's field names for the message."""
    try:
        instance.full_clean(exclude={"association"}, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            errors.setdefault(rename.get(name, name), []).extend(messages)
        raise ValidationError(errors) from exc


def _describe_changes(changes: _YearPlan) -> list[tuple[str, str, str]]:
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


# --- Writing --------------------------------------------------------------------------------------------


def _write_plan(plan: CompliancePlan, *, year: int, user: object) -> list[str]:
    """Apply the plan row by row (each save keeps its history), then recompute the year's judgments of
    the associations touched; answers a notice when the year's register is finalised."""
    for row in plan.rows:
        for sync in row.meetings:
            Meeting.objects.filter(pk__in=sync.removed).delete()
            for meeting in sync.created:
                meeting.save()
        if row.minutes is not None:
            meeting, filed_on = row.minutes
            meeting.minutes_filed_on = filed_on
            meeting.save(update_fields=["minutes_filed_on"])
        if row.filing is not None:
            row.filing.save()
        if row.election is not None:
            row.election.save()
    if not plan.touched:
        return []
    # The year is judged again in this transaction by whoever judges facts (grading, through the hook).
    return hooks.facts_changed(association_ids=plan.touched, year=year, actor=user)


# --- The dataset import ---------------------------------------------------------------------------------


@dataclass
class _CleanSheet:
    rows: list[_SheetRow]
    columns: dict[str, str]


class ComplianceImport(DatasetImport[_CleanSheet, CompliancePlan]):
    """`year`'s facts of `county`'s associations from a compliance sheet (see the module docstring); run
    it with `core.imports.pipeline.run_import`."""

    kind = KIND
    columns = COLUMNS
    required = REQUIRED

    def __init__(self, *, year: int, county: County, user: object) -> None:
        self.year = year
        self.county = county
        self.user = user
        self.scope = county.name
        self.lock_scope = f"import:{county.pk}"  # one import of a county at a time, roster or compliance

    def remembered(self) -> Mapping[str, object]:
        """The year and county, so that a previewed run can be confirmed as it was."""
        return {"county": self.county.name, "year": self.year}

    def clean(self, table: Table, report: ImportReport) -> _CleanSheet:
        rows = _clean_sheet(table, report, year=self.year, county=self.county)
        return _CleanSheet(rows=rows, columns=dict(table.columns))

    def plan(self, cleaned: _CleanSheet, report: ImportReport, *, lock: bool) -> CompliancePlan:
        return _plan_sheet(cleaned.rows, report, year=self.year, columns=cleaned.columns, lock=lock)

    def write(self, plan: CompliancePlan, record: ImportRecord) -> Sequence[str]:
        return _write_plan(plan, year=self.year, user=self.user)
