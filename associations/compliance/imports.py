"""Compliance import: a township's (or the county's) yearly compliance sheet, one row per association, read
into the compliance facts of `associations` on the import pipeline (`core.imports.pipeline`), as the roster
import is (`associations.roster`, whose geography matches the rows here too).

Rules, the same as the roster's:

* Every run, written or not, leaves an ImportRecord (kind ``grading.compliance``) with the full report.
* A row with a blocking error (an association not in the registry, a date that cannot be read, a date
  outside the year or in the future, minutes before the meeting) means nothing at all is written.
  `dry_run` writes nothing either: the preview is the plan, worked out from the facts on record without
  writing or locking them.
* A blank cell never erases what is stored; a date with a character lost in a Big5 export
  (``1120305?``) is read with a warning.
* Rows are matched to associations by township and name as the roster import matches them (台/臺, spaces,
  a county or township prefix do not matter); associations are never created here.

A sheet is merged into what is stored, never replaces it: meetings are matched by kind and date, and a
meeting on a listed date is left as it is (its minutes date, note and quorum kept). A stored meeting whose
date a filled cell of its kind no longer lists is removed, and every removal is listed in the report by
association, kind and date; a removal that would lose a fact the sheet cannot carry (a minutes date it
does not give, a note, a quorum not met) blocks the file unless the import replaces (`replace`, the
command's ``--replace``, the admin's 「以檔案內容取代」). The assembly minutes date is written only from
a filled 會員大會紀錄送府日期 cell; a sheet without that column gets a notice of how many associations
have an assembly with no minutes date on record. After writing, the statuses and tiers of the year are
recomputed for the associations touched, unless the year's register is finalised; every history row
names the user and the import's record.

The stages, in order: columns (`COLUMNS`), cleaning (`_clean_sheet`: rows read, checked with the township
grid's row form and matched), planning (`_plan_sheet`: per association, the meetings, filings and
election the row creates or changes), writing (`_write_plan`), wired by `ComplianceImport`.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext

from associations.compliance import hooks
from associations.compliance.forms import DATE_SEPARATORS, YearRowForm
from associations.compliance.values import YearRow
from associations.models import Association, County, Election, Meeting, YearlyFiling
from associations.roster.cleaning import Geography, clean_text, too_long
from associations.roster.counties import CountyCheck
from core.bulk import builder, bulk_insert
from core.dates import format_roc, parse_date_lenient
from core.history import CHANGED, CREATED, copy_to_history, delete_with_history
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
#: bulk_update builds one CASE per field and row; larger batches get slower, not faster.
UPDATE_BATCH = 1000
MEETING_KEYS = tuple(YearRowForm.MEETING_FIELDS)
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
    checker = _RowChecker(year)
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
        row = _row(number, values, report=report, columns=table.columns, checker=checker)
        if row is not None:
            planned.append(_SheetRow(number, association, row))
    counties.report_to(report)
    # A township's sheet reports only that township's missing associations.
    sheet_townships = {p.association.township_id for p in planned}
    report.missing = sorted(
        f"{a.township.name} {a.name}"
        for a in associations.values()
        if a.pk not in seen and a.status != Association.Status.DISSOLVED and a.township_id in sheet_townships
    )
    return planned


def _elsewhere(counties: CountyCheck, number: int, township_text: str, name: str, column: str) -> bool:
    """Whether the row's township (written, or at the start of the name) is another county's."""
    if township_text:
        return counties.elsewhere(number, township_text, column=column)
    return counties.elsewhere_in(number, name, column=column)


class _RowChecker:
    """The township grid's row form, built once and bound to each row in turn. Building a form deep-copies
    its fields, three quarters of the cost of checking a row; checking only reads them, so one form serves
    every row, its previous row's errors and cleaned data cleared before each.

    What it answers depends only on what is asked (the form's year and today are the run's): a date cell's
    reading is kept for each distinct text (a year's sheet writes the same few hundred dates over and
    over), and the form's verdict for each distinct set of values, so that each is worked out once."""

    def __init__(self, year: int) -> None:
        self.form = YearRowForm({}, year=year)
        self.dates: dict[tuple[type, object], tuple[datetime.date | None, str | None]] = {}
        self.verdicts: dict[tuple, tuple[dict[str, list[str]], YearRow | None]] = {}

    def check(self, data: dict[str, object]) -> YearRowForm:
        form = self.form
        form.data = data
        form._errors = None  # Django's cache of the last full_clean(): is_valid() now cleans this row
        form.__dict__.pop("cleaned_data", None)
        return form

    def verdict(self, data: dict[str, object]) -> tuple[dict[str, list[str]], YearRow | None]:
        """The form's errors by field, or no errors and the row read (a copy of its own)."""
        key = tuple(sorted((name, tuple(v) if isinstance(v, list) else v) for name, v in data.items()))
        known = self.verdicts.get(key)
        if known is None:
            form = self.check(data)
            if form.is_valid():
                known = ({}, form.to_row())
            else:
                known = ({name: list(errors) for name, errors in form.errors.items()}, None)
            self.verdicts[key] = known
        errors, row = known
        if row is None:
            return errors, None
        return {}, dataclasses.replace(
            row, **{name: list(getattr(row, name)) for name in MEETING_KEYS if getattr(row, name) is not None}
        )

    def parse(self, value: object) -> tuple[datetime.date | None, str | None]:
        """`parse_date_lenient(value)`, once per distinct value."""
        key = (type(value), value)  # 1, 1.0 and True are equal keys but not the same cell
        try:
            return self.dates[key]
        except KeyError:
            reading = self.dates[key] = parse_date_lenient(value)
            return reading
        except TypeError:  # not hashable
            return parse_date_lenient(value)


def _row(
    number: int,
    values: dict[str, object],
    *,
    report: ImportReport,
    columns: dict[str, str],
    checker: _RowChecker,
) -> YearRow | None:
    """Read one row's cells, then check it with the township grid's own form, so dates outside the year or
    in the future block the row. An unreadable date blocks the row too, as it does on the grid: read as
    blank, it would judge the year on a fact the county never meant."""
    errors_before = len(report.errors)
    data: dict[str, object] = {}
    for key in YearRowForm.MEETING_FIELDS:  # the cells that list a year's meetings of one kind
        days = _dates(values.get(key), number, columns.get(key, key), report, parse=checker.parse)
        if days:
            data[key] = days
    for key in DATE_KEYS:
        day = _date(values.get(key), number, columns.get(key, key), report, parse=checker.parse)
        if day:
            data[key] = day
    note = normalize_text(clean_text(values.get("note")))
    if note:
        data["note"] = note
    if len(report.errors) > errors_before:
        return None
    errors, row = checker.verdict(data)
    for name, messages in errors.items():
        label = columns.get(name) or (
            str(checker.form.fields[name].label) if name in checker.form.fields else None
        )
        report.errors.append(Issue("；".join(messages), number, label))
    return row


def _date(
    value: object, number: int, column: str, report: ImportReport, *, parse: Callable = parse_date_lenient
) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    day, problem = parse(value)
    if problem and day is None:
        report.errors.append(Issue(_unreadable(value), number, column))
    elif problem:
        report.warnings.append(Issue(problem, number, column))
    return day


def _dates(
    value: object, number: int, column: str, report: ImportReport, *, parse: Callable = parse_date_lenient
) -> list[datetime.date]:
    if isinstance(value, datetime.date | datetime.datetime):
        return [value if not isinstance(value, datetime.datetime) else value.date()]
    if isinstance(value, int | float):
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = normalize_text(clean_text(value)) if value is not None else ""
    days: list[datetime.date] = []
    for part in (p.strip() for p in DATE_SEPARATORS.split(text) if p.strip()):
        day, problem = parse(part)
        if day is None:
            report.errors.append(Issue(_unreadable(part), number, column))
            continue
        if problem:
            report.warnings.append(Issue(problem, number, column))
        days.append(day)
    return days


def _unreadable(value: object) -> str:
    """A date cell the parser cannot read (the grid refuses the same value): an error quoting it. A date
    with a character lost in a Big5 export is read by `parse_date_lenient` and stays a warning."""
    text = str(value).strip()
    return _("無法辨識的日期「%(value)s」") % {"value": text if len(text) <= 40 else text[:39] + "…"}


# --- Planning -------------------------------------------------------------------------------------------


@dataclass
class _Facts:
    """The year's facts on record of the sheet's associations, loaded up front."""

    meetings: dict[tuple[int, str], dict[datetime.date, Meeting]] = field(default_factory=dict)
    filings: dict[int, YearlyFiling] = field(default_factory=dict)
    elections: dict[int, Election] = field(default_factory=dict)  # the latest election of each


@dataclass
class _YearPlan:
    """What one row writes: the meetings it adds and removes, then the minutes, filing and election.
    `changes` describes them for the report, (label, old, new) each."""

    created: list[Meeting] = field(default_factory=list)
    removed: list[Meeting] = field(default_factory=list)
    minutes: tuple[Meeting, datetime.date] | None = None
    filing: YearlyFiling | None = None
    filing_fields: list[str] = field(default_factory=list)
    election: Election | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    #: After the row, the association holds a general assembly of the year with no minutes date on record.
    minutes_missing: bool = False
    #: Removed meetings that held facts the sheet cannot carry (allowed only when replacing).
    removed_with_facts: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.removed or self.minutes or self.filing or self.election)


@dataclass(frozen=True)
class _Words:
    """The report's words, translated once per plan: a model's choice label (`get_kind_display`) hashes
    every choice's lazy label, a translation lookup each, and a 10,000-row sheet describes 50,000 meetings."""

    kinds: dict[str, str]
    added: str
    removed: str
    minutes: str
    term_end: str
    filing: dict[str, str]
    updated: str

    @classmethod
    def translated(cls) -> _Words:
        return cls(
            kinds={kind: str(label) for kind, label in Meeting.Kind.choices},
            added=pgettext("import change", "新增會議"),
            removed=_("刪除會議"),
            minutes=_("大會紀錄送府日期"),
            term_end=_("任期屆滿日"),
            filing={name: str(label) for name, label in FILING_LABELS.items()},
            updated=_("已更新"),
        )


@dataclass
class CompliancePlan:
    rows: list[_YearPlan] = field(default_factory=list)
    touched: list[int] = field(default_factory=list)  # associations whose year changes


def _load_facts(rows: list[_SheetRow], *, year: int, lock: bool) -> _Facts:
    ids = [item.association.pk for item in rows]
    facts = _Facts()
    if lock:  # in primary-key order, as every writer of these facts locks
        list(Association.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    for meeting in Meeting.objects.filter(association_id__in=ids, held_on__year=year).order_by():
        facts.meetings.setdefault((meeting.association_id, meeting.kind), {})[meeting.held_on] = meeting
    for filing in YearlyFiling.objects.filter(association_id__in=ids, year=year).order_by():
        facts.filings[filing.association_id] = filing
    with_term = [item.association.pk for item in rows if item.row.term_ends_on is not None]
    if with_term:
        for election in Election.objects.filter(association_id__in=with_term).order_by(
            "association_id", "-term_ends_on", "-pk"
        ):
            facts.elections.setdefault(election.association_id, election)
    return facts


def _plan_sheet(
    rows: list[_SheetRow],
    report: ImportReport,
    *,
    year: int,
    columns: dict[str, str],
    lock: bool,
    replace: bool,
) -> CompliancePlan:
    """Each row's writes worked out against the facts on record, counted and described in the report.
    A row whose facts the models refuse, or whose removals would lose a fact the sheet cannot carry (unless
    `replace`), is an error naming its column (every row is checked)."""
    facts = _load_facts(rows, year=year, lock=lock)
    had_facts = {pk for pk, _kind in facts.meetings} | set(facts.filings)
    plan = CompliancePlan()
    words = _Words.translated()
    minutes_missing = removed = removed_with_facts = 0
    for item in rows:
        try:
            row_plan = _plan_row(
                item.association, item.row, year=year, facts=facts, replace=replace, words=words
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                report.errors.append(Issue("；".join(messages), item.number, columns.get(name)))
            continue
        plan.rows.append(row_plan)
        minutes_missing += row_plan.minutes_missing
        removed += len(row_plan.removed)
        removed_with_facts += row_plan.removed_with_facts
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
                item.number, item.association.township.name, item.association.name, action, row_plan.changes
            )
        )
    if removed:
        report.notices.append(
            _("檔案未再列出的已登錄會議共 %(n)d 場會被刪除，逐場列於變更（協會、會議種類、日期）。")
            % {"n": removed}
        )
    if removed_with_facts:
        report.notices.append(
            _("已選擇「以檔案內容取代」：其中 %(n)d 場會議登錄有檔案無法記載的資料，會一併刪除。")
            % {"n": removed_with_facts}
        )
    if "assembly_minutes_filed_on" not in columns:
        report.notices.append(
            _(
                "此檔案沒有「會員大會紀錄送府日期」欄：%(n)d 個協會沒有已登錄的大會紀錄送府日期，"
                "會議後 30 日仍未送府者將判為未送府。"
            )
            % {"n": minutes_missing}
        )
    if report.errors:  # a rejected sheet writes nothing, so it counts nothing as written
        report.created = report.updated = report.unchanged = 0
    return plan


def _plan_row(
    association: Association, row: YearRow, *, year: int, facts: _Facts, replace: bool, words: _Words
) -> _YearPlan:
    """Merge what `row` says into `association`'s facts for `year`; a blank cell leaves what is stored.

    Meetings are matched by kind and date: a meeting on a listed date is left as it is (its minutes date,
    note and quorum kept), a listed date with no meeting creates one, and a stored meeting whose date a
    filled cell of its kind no longer lists is removed. A removal that would lose a fact the sheet cannot
    carry (a minutes date the sheet does not give, a note, a quorum not met) is refused unless `replace`.
    The minutes date goes on the year's last general assembly, the filings and the note take the row's
    values, and a term end updates the latest election, or starts one. Raises ValidationError keyed by the
    row's field names."""
    plan = _YearPlan()
    refused: dict[str, list[str]] = {}
    assemblies: list[Meeting] = []
    new_meeting = builder(Meeting)
    for name, kind in YearRowForm.MEETING_FIELDS.items():
        existing = facts.meetings.get((association.pk, kind), {})
        if getattr(row, name) is None:
            current = list(existing.values())
        else:
            wanted = set(getattr(row, name))
            created = []
            for day in sorted(wanted - set(existing)):
                meeting = new_meeting(association=association, kind=kind, held_on=day)
                _clean(
                    meeting,
                    association,
                    {"held_on": name, "kind": name, "minutes_filed_on": name, "__all__": name},
                )
                created.append(meeting)
            for day in sorted(set(existing) - wanted):
                meeting = existing[day]
                lost = _facts_lost(meeting, row)
                if lost and not replace:
                    refused.setdefault(name, []).append(_refusal(association, meeting, lost, words))
                    continue
                plan.removed.append(meeting)
                plan.removed_with_facts += bool(lost)
                plan.changes.append((words.removed, "", _meeting_text(meeting, lost, words)))
            plan.created += created
            plan.changes += [(words.added, "", _meeting_text(m, [], words)) for m in created]
            current = [m for day, m in existing.items() if day in wanted] + created
        if kind == Meeting.Kind.GENERAL_ASSEMBLY:
            assemblies = current
    if refused:
        raise ValidationError(refused)
    filed_on = row.assembly_minutes_filed_on
    last = max(assemblies, key=lambda m: m.held_on, default=None)
    if filed_on is not None and last is not None and last.minutes_filed_on != filed_on:
        stored, last.minutes_filed_on = last.minutes_filed_on, filed_on
        try:
            rename = {"minutes_filed_on": "assembly_minutes_filed_on", "__all__": "assembly_minutes_filed_on"}
            _clean(last, association, rename)
        finally:
            last.minutes_filed_on = stored
        plan.minutes = (last, filed_on)
        plan.changes.append((words.minutes, format_roc(stored), format_roc(filed_on)))
    plan.minutes_missing = any(
        m.minutes_filed_on is None and not (plan.minutes and m is last) for m in assemblies
    )
    _plan_filing(plan, association, year, row, facts, words)
    if row.term_ends_on is not None:
        _plan_term_end(plan, association, row.term_ends_on, facts, words)
    return plan


def _facts_lost(meeting: Meeting, row: YearRow) -> list[str]:
    """The facts of a stored meeting that removing it would lose: what the sheet has no cell for. The
    sheet carries a minutes date only for the year's last general assembly: a removed assembly whose
    minutes date is the sheet's loses nothing (the date goes on the assembly that replaces it)."""
    lost: list[str] = []
    carried = meeting.kind == Meeting.Kind.GENERAL_ASSEMBLY and (
        meeting.minutes_filed_on == row.assembly_minutes_filed_on
    )
    if meeting.minutes_filed_on is not None and not carried:
        lost.append(_("會議紀錄送府日期 %(date)s") % {"date": format_roc(meeting.minutes_filed_on)})
    if meeting.note:
        lost.append(_("備註「%(note)s」") % {"note": meeting.note})
    if not meeting.quorum_met:
        lost.append(_("未達法定人數"))
    return lost


def _meeting_text(meeting: Meeting, lost: list[str], words: _Words) -> str:
    text = f"{words.kinds[meeting.kind]} {format_roc(meeting.held_on)}"
    if lost:
        text += _("（登錄有%(facts)s）") % {"facts": "、".join(lost)}
    return text


def _refusal(association: Association, meeting: Meeting, lost: list[str], words: _Words) -> str:
    return _(
        "檔案未列出%(association)s的%(meeting)s，匯入會刪除這場會議，但它登錄有檔案無法記載的%(facts)s；"
        "請在協會的清查頁更正，或確定以檔案為準時勾選「以檔案內容取代」（指令加 --replace）。"
    ) % {
        "association": association.name,
        "meeting": f"{words.kinds[meeting.kind]} {format_roc(meeting.held_on)}",
        "facts": "、".join(lost),
    }


FILING_LABELS = {
    "plan_budget_filed_on": _lazy("工作計畫及預算送府日期"),
    "report_accounts_filed_on": _lazy("工作報告及決算送府日期"),
    "note": _lazy("備註"),
}


def _plan_filing(
    plan: _YearPlan, association: Association, year: int, row: YearRow, facts: _Facts, words: _Words
) -> None:
    filing = facts.filings.get(association.pk) or builder(YearlyFiling)(association=association, year=year)
    changes: list[tuple[str, str, str]] = []
    for name, label in words.filing.items():
        value = getattr(row, name)
        stored = getattr(filing, name)
        if value is None or stored == value:
            continue
        setattr(filing, name, value)
        plan.filing_fields.append(name)
        if name == "note":
            changes.append((label, "", words.updated))
        else:
            changes.append((label, format_roc(stored), format_roc(value)))
    if not changes:
        return
    if filing.pk is None and not (
        filing.plan_budget_filed_on or filing.report_accounts_filed_on or filing.note
    ):
        return
    _clean(filing, association, {})
    plan.filing = filing
    plan.changes += changes


def _plan_term_end(
    plan: _YearPlan, association: Association, term_ends_on: datetime.date, facts: _Facts, words: _Words
) -> None:
    election = facts.elections.get(association.pk)
    if election is not None and election.term_ends_on == term_ends_on:
        return
    stored = election.term_ends_on if election is not None else None
    if election is None:
        election = builder(Election)(association=association, term_number=association.term_number)
    election.term_ends_on = term_ends_on
    _clean(
        election,
        association,
        {"term_ends_on": "term_ends_on", "__all__": "term_ends_on", "term_number": "term_ends_on"},
    )
    plan.election = election
    plan.changes.append((words.term_end, format_roc(stored), format_roc(term_ends_on)))


def _clean(instance: models.Model, association: Association, rename: dict[str, str]) -> None:
    """The model's own rules (`clean()`) without a query: the association was loaded (and is locked when
    writing), and what the plan creates cannot collide with what it loaded (a meeting only on a day its
    kind has none, a filing or an election only where none is stored). The fields' own checks
    (`clean_fields`: types, choices, ranges) are left out, a fifth of a 10,000-row plan: every value the
    plan sets is a date the row form read, one of the model's choices, the import's year (parsed within
    the years a date can have) or a value read from the database. Model field names are turned into the
    row's field names for the message. A row loaded without its association is given it, so that a rule
    reading the association's dates does not query it."""
    if not instance._meta.get_field("association").is_cached(instance):
        instance.association = association
    try:
        instance.clean()
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            errors.setdefault(rename.get(name, name), []).extend(messages)
        raise ValidationError(errors) from exc


# --- Writing --------------------------------------------------------------------------------------------


def _write_plan(plan: CompliancePlan, *, year: int, user: object, record: ImportRecord) -> list[str]:
    """Apply the plan in bulk, a fixed number of queries however many rows: meetings removed, then
    created, then the minutes dates, filings and elections, each kind of write one statement (or a few
    batches) with its history rows copied beside it, every one naming the user and the import's record.
    Existing rows are updated in place, only in the fields the sheet changes; rows the sheet leaves as
    they are write nothing. Then the year's judgments of the associations touched are recomputed in one
    go; answers a notice when the year's register is finalised."""
    reason = (_("清查表匯入（匯入紀錄 #%(id)d）") % {"id": record.pk})[:100]
    who = {
        "user": user if getattr(user, "pk", None) else None,
        "reason": reason,
        "stamp": timezone.now(),
        "import_record": record,
    }

    delete_with_history(Meeting, (m.pk for row in plan.rows for m in row.removed), **who)

    minutes_of_kept: list[Meeting] = []
    for row in plan.rows:
        if row.minutes is not None:
            meeting, filed_on = row.minutes
            meeting.minutes_filed_on = filed_on  # a meeting created here is created with it
            if meeting.pk is not None:
                minutes_of_kept.append(meeting)
    _update(Meeting, {("minutes_filed_on",): minutes_of_kept}, who)
    created = bulk_insert(Meeting, [m for row in plan.rows for m in row.created])
    copy_to_history(Meeting, (m.pk for m in created), history_type=CREATED, **who)

    new_filings: list[YearlyFiling] = []
    changed_filings: dict[tuple[str, ...], list[models.Model]] = {}
    for row in plan.rows:  # grouped by the fields changed, so that no other field is written
        if row.filing is not None and row.filing.pk is None:
            new_filings.append(row.filing)
        elif row.filing is not None:
            changed_filings.setdefault(tuple(sorted(row.filing_fields)), []).append(row.filing)
    _update(YearlyFiling, changed_filings, who)
    new_filings = bulk_insert(YearlyFiling, new_filings)
    copy_to_history(YearlyFiling, (f.pk for f in new_filings), history_type=CREATED, **who)

    elections = [row.election for row in plan.rows if row.election is not None]
    _update(Election, {("term_ends_on",): [e for e in elections if e.pk is not None]}, who)
    new_elections = bulk_insert(Election, [e for e in elections if e.pk is None])
    copy_to_history(Election, (e.pk for e in new_elections), history_type=CREATED, **who)

    if not plan.touched:
        return []
    # The year is judged again in this transaction by whoever judges facts (grading, through the hook),
    # once for every association touched.
    return hooks.facts_changed(association_ids=plan.touched, year=year, actor=user)


def _update(
    model: type[models.Model], by_fields: dict[tuple[str, ...], list[models.Model]], who: dict[str, object]
) -> None:
    """Update existing rows in place, each group only in its fields, and copy them to history."""
    for fields, instances in by_fields.items():
        if instances:
            model.objects.bulk_update(instances, list(fields), batch_size=UPDATE_BATCH)
            copy_to_history(model, (i.pk for i in instances), history_type=CHANGED, **who)


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

    def __init__(self, *, year: int, county: County, user: object, replace: bool = False) -> None:
        self.year = year
        self.county = county
        self.user = user
        self.replace = replace  # removals may lose facts the sheet cannot carry
        self.scope = county.name
        self.lock_scope = f"import:{county.pk}"  # one import of a county at a time, roster or compliance

    def remembered(self) -> Mapping[str, object]:
        """The year, county and whether the sheet replaces, so that a previewed run is confirmed as it was."""
        return {"county": self.county.name, "year": self.year, "replace": self.replace}

    def clean(self, table: Table, report: ImportReport) -> _CleanSheet:
        rows = _clean_sheet(table, report, year=self.year, county=self.county)
        return _CleanSheet(rows=rows, columns=dict(table.columns))

    def plan(self, cleaned: _CleanSheet, report: ImportReport, *, lock: bool) -> CompliancePlan:
        return _plan_sheet(
            cleaned.rows, report, year=self.year, columns=cleaned.columns, lock=lock, replace=self.replace
        )

    def write(self, plan: CompliancePlan, record: ImportRecord) -> Sequence[str]:
        return _write_plan(plan, year=self.year, user=self.user, record=record)
