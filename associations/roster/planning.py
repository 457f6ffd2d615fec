"""Planning: the cleaned rows matched to the county's stored associations and officers (township +
normalised name, never the registration number alone) and turned into what an import would create and
change, counted in the report. Nothing is written here; with `lock` the rows read are locked for the write."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association, County, Officer
from associations.roster.cleaning import CleanRoster, CleanRow, Geography
from associations.roster.columns import FIELDS, officer_cell
from core.bulk import builder
from core.dates import format_roc
from core.imports.issues import Issue
from core.imports.report import ImportReport, RowChange
from core.text import normalize_place


@dataclass
class RosterPlan:
    """What an import of the roster writes; `memberships` and `links` are the villages stored before it
    (association -> villages, (association, village) -> link id), which the history snapshot needs."""

    new: list[tuple[CleanRow, Association]] = field(default_factory=list)
    changed: list[tuple[CleanRow, Association, list[str]]] = field(default_factory=list)
    villages: dict[int, set[int]] = field(default_factory=dict)  # association pk -> villages after import
    new_villages: dict[int, set[int]] = field(default_factory=dict)  # row number -> set, for new ones
    officers_to_end: list[Officer] = field(default_factory=list)
    officers_to_note: list[Officer] = field(default_factory=list)
    officers_new: list[tuple[CleanRow, Officer]] = field(default_factory=list)
    memberships: dict[int, set[int]] = field(default_factory=dict)
    links: dict[tuple[int, int], int] = field(default_factory=dict)


def _display(value: object) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime.date):
        return format_roc(value)
    return str(value)


def _shown(name: str, value: object) -> str:
    if name == "status" and value:
        return str(Association.Status(value).label)
    return _display(value)


def _says_dissolved(row: CleanRow) -> bool:
    return row.values.get("status") == Association.Status.DISSOLVED


def _follow_status(row: CleanRow, association: Association) -> None:
    """A roster that marks a dissolved association as active again also drops its dissolution date (a blank
    解散日期 otherwise keeps the stored one); the model refuses a date on an association not dissolved."""
    status = row.values.get("status")
    keeps_date = "dissolved_on" in row.values or association.dissolved_on is None
    if status and status != Association.Status.DISSOLVED and not keeps_date:
        row.values["dissolved_on"] = None


def _field_label(name: str) -> str:
    return str(Association._meta.get_field(name).verbose_name)


def _load_existing(county: County, *, lock: bool) -> list[Association]:
    queryset = Association.objects.filter(township__county=county).only("name", "township", "status", *FIELDS)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return list(queryset.order_by("pk"))


def _plan(
    *,
    rows: list[CleanRow],
    existing: list[Association],
    geography: Geography,
    report: ImportReport,
    officers: dict[tuple[int, str], list[Officer]],
    memberships: dict[int, set[int]],
    today: datetime.date,
) -> RosterPlan:
    plan = RosterPlan()
    townships = {t.pk: t for t in geography.townships}
    stored: dict[tuple[int, str], list[Association]] = {}
    by_registration: dict[str, list[Association]] = {}
    for association in existing:
        key = (
            association.township_id,
            geography.name_key(association.name, townships[association.township_id]),
        )
        stored.setdefault(key, []).append(association)
        if association.registration_number:
            by_registration.setdefault(normalize_place(association.registration_number), []).append(
                association
            )

    seen: dict[tuple[int, str], CleanRow] = {}
    seen_registration: dict[str, CleanRow] = {}
    matched: set[int] = set()
    for row in rows:
        key = (row.township.pk, row.key)
        if first := seen.get(key):
            report.errors.append(
                Issue(
                    _(
                        "與第 %(first)d 列是同一個協會「%(name)s」（%(township)s），"
                        "同一協會只能出現一次，請合併後再匯入。"
                    )
                    % {"first": first.number, "name": first.name, "township": row.township.name},
                    row.number,
                )
            )
            continue
        seen[key] = row
        candidates = stored.get(key, [])
        if len(candidates) > 1:
            report.errors.append(
                Issue(
                    _("資料庫中有 %(n)d 個協會都符合「%(name)s」（%(township)s），請先整理重複的資料。")
                    % {"n": len(candidates), "name": row.name, "township": row.township.name},
                    row.number,
                )
            )
            continue
        association = candidates[0] if candidates else None
        _check_registration(row, association, by_registration, seen_registration, report)
        current_officers = officers
        if association is None:
            association = _plan_new(row, plan)
            current_officers = {}
        else:
            matched.add(association.pk)
            if association.status == Association.Status.DISSOLVED and not _says_dissolved(row):
                report.warnings.append(
                    Issue(_("此協會在系統中的狀態為「已解散」，請確認名冊是否正確。"), row.number, None)
                )
            _plan_update(row, association, plan, memberships, report)
        for position, (name, note) in row.officers.items():
            current = current_officers.get((association.pk, position), [])
            _plan_officer(row, association, position, name, note, current, plan, today)

    covered = {row.township.pk for row in rows}
    for association in existing:
        if association.pk in matched or association.status == Association.Status.DISSOLVED:
            continue
        if association.township_id in covered:
            report.missing.append(f"{townships[association.township_id].name} {association.name}")
    populated = {association.township_id for association in existing}
    absent = [t.name for t in geography.townships if t.pk not in covered and t.pk in populated]
    if absent and rows:
        report.notices.append(
            _("檔案沒有下列鄉鎮市區的資料，其協會未逐一列出：%(names)s。") % {"names": "、".join(absent)}
        )
    return plan


def _check_registration(
    row: CleanRow,
    association: Association | None,
    by_registration: dict[str, list[Association]],
    seen_registration: dict[str, CleanRow],
    report: ImportReport,
) -> None:
    number = row.values.get("registration_number")
    if not number:
        return
    key = normalize_place(number)
    header = report.columns.get("registration_number")
    if first := seen_registration.get(key):
        report.warnings.append(
            Issue(
                _("立案字號「%(number)s」與第 %(first)d 列「%(name)s」相同，請核對。")
                % {"number": number, "first": first.number, "name": first.name},
                row.number,
                header,
            )
        )
    else:
        seen_registration[key] = row
    others = [a for a in by_registration.get(key, []) if association is None or a.pk != association.pk]
    if others:
        report.warnings.append(
            Issue(
                _(
                    "立案字號「%(number)s」與系統中的「%(name)s」相同；協會以鄉鎮市區與名稱比對，不以字號比對。"
                )
                % {"number": number, "name": others[0].name},
                row.number,
                header,
            )
        )


def _plan_new(row: CleanRow, plan: RosterPlan) -> Association:
    association = builder(Association)(name=row.name, name_key=row.key, township=row.township, **row.values)
    plan.new.append((row, association))
    if row.villages:
        plan.new_villages[row.number] = {v.pk for v in row.villages}
    return association


def _plan_update(
    row: CleanRow,
    association: Association,
    plan: RosterPlan,
    memberships: dict[int, set[int]],
    report: ImportReport,
) -> None:
    _follow_status(row, association)
    changed = [name for name, value in row.values.items() if getattr(association, name) != value]
    changes = [
        (_field_label(n), _shown(n, getattr(association, n)), _shown(n, row.values[n])) for n in changed
    ]
    for name in changed:
        setattr(association, name, row.values[name])
    current = memberships.get(association.pk, set())
    if row.villages is not None and row.villages_complete:
        wanted = {v.pk for v in row.villages}
        if wanted != current:
            plan.villages[association.pk] = wanted
            changes.append((_("涵蓋村里"), str(len(current)), str(len(wanted))))
    if changes:
        plan.changed.append((row, association, changed))
        report.changes.append(RowChange(row.number, row.township.name, association.name, "updated", changes))


@functools.cache
def _position_label(position: str) -> str:
    return str(Officer.Position(position).label)


def _plan_officer(
    row: CleanRow,
    association: Association,
    position: str,
    name: str,
    note: str,
    current: list[Officer],
    plan: RosterPlan,
    today: datetime.date,
) -> None:
    """The roster names this position's current holder: keep them when it is the same person (taking a new
    note), else end every current holder's term yesterday and add the named person."""
    label = _position_label(position)
    wanted = normalize_place(name) if current else ""
    same = next((o for o in current if normalize_place(o.name) == wanted), None)
    others = [o for o in current if o is not same]
    yesterday = today - datetime.timedelta(days=1)
    for officer in others:
        officer.term_end = max(yesterday, officer.term_start) if officer.term_start else yesterday
        plan.officers_to_end.append(officer)
    old = "、".join(officer_cell(o.name, o.note) for o in current) or "—"
    if same is None:
        plan.officers_new.append(
            (row, builder(Officer)(association=association, position=position, name=name, note=note))
        )
        row.officer_changes.append((label, old, officer_cell(name, note)))
    elif others or (note and same.note != note):
        if note:
            same.note = note
            plan.officers_to_note.append(same)
        row.officer_changes.append((label, old, officer_cell(same.name, same.note)))


def plan_roster(cleaned: CleanRoster, report: ImportReport, *, county: County, lock: bool) -> RosterPlan:
    """Match, validate and count every cleaned row; see the module docstring."""
    today = timezone.localdate()
    existing = _load_existing(county, lock=lock)
    memberships: dict[int, set[int]] = {}
    links: dict[tuple[int, int], int] = {}
    for link_id, association_id, village_id in Association.villages.through.objects.filter(
        association__township__county=county
    ).values_list("pk", "association_id", "village_id"):
        memberships.setdefault(association_id, set()).add(village_id)
        links[(association_id, village_id)] = link_id
    officers = _load_officers(county, positions=cleaned.positions, lock=lock, today=today)
    plan = _plan(
        rows=cleaned.rows,
        existing=existing,
        geography=cleaned.geography,
        report=report,
        officers=officers,
        memberships=memberships,
        today=today,
    )
    plan.memberships, plan.links = memberships, links
    _validate(plan, report)
    _count(cleaned.rows, plan, report)
    return plan


def _load_officers(
    county: County, *, positions: list[str], lock: bool, today: datetime.date
) -> dict[tuple[int, str], list[Officer]]:
    if not positions:
        return {}
    queryset = Officer.objects.current(today).filter(
        association__township__county=county, position__in=positions
    )
    if lock:  # rows are locked in primary-key order, as every writer locks them
        queryset = queryset.select_for_update(of=("self",))
    officers: dict[tuple[int, str], list[Officer]] = {}
    for officer in queryset.order_by("pk"):
        officers.setdefault((officer.association_id, officer.position), []).append(officer)
    for holders in officers.values():  # the latest term first (no start date last), then the newest row
        holders.sort(
            key=lambda o: (o.term_start is not None, o.term_start or datetime.date.min, o.pk), reverse=True
        )
    return officers


def _latest_first(officer: Officer) -> tuple[bool, datetime.date, int]:
    return (officer.term_start is not None, officer.term_start or datetime.date.min, officer.pk)


def _validate(plan: RosterPlan, report: ImportReport) -> None:
    """Model validation without queries (townships come from memory, uniqueness was matched above): a
    value the cleaning let through but the model refuses blocks its row rather than failing the write."""
    checks: Iterable[tuple[CleanRow, Association]] = [
        *plan.new,
        *((row, association) for row, association, _c in plan.changed),
    ]
    # Only the fields this import sets are validated: the rest hold model defaults or stored values.
    fields = _FieldCheck(Association)
    for row, association in checks:
        _full_clean(association, ("name", *row.values), fields, row, report)
    officers = _FieldCheck(Officer)
    for row, officer in plan.officers_new:
        _full_clean(officer, ("name", "note", "position"), officers, row, report)


class _FieldCheck:
    """`Model.clean_fields` of some fields, answering only whether it would pass unchanged, at a fraction of
    its cost for 10,000 rows: a text field (no choices, no validator but its length) passes a str that is
    within its length, and is not blank where the field refuses blanks; any other value passes when the
    field's own `clean` passes it unchanged, which is asked once per distinct value (a field's clean of a
    value depends on nothing else: no field checked here is a relation). Whatever this cannot vouch for
    is left to Django's full_clean, which words the messages."""

    def __init__(self, model: type[models.Model]) -> None:
        self.fields = {f.name: f for f in model._meta.concrete_fields}
        self.text = {
            f.name: f.max_length
            for f in self.fields.values()
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and all(isinstance(v, MaxLengthValidator) and v.limit_value == f.max_length for v in f.validators)
        }
        self.known: dict[tuple[str, type, object], bool] = {}

    def passes(self, obj: models.Model, names: Iterable[str]) -> bool:
        for name in names:
            field = self.fields[name]
            value = getattr(obj, field.attname)
            if field.blank and value in field.empty_values:
                continue
            if name in self.text and type(value) is str:
                limit = self.text[name]
                if not value or (limit is not None and len(value) > limit):
                    return False
                continue
            if field.is_relation:
                return False
            try:
                key = (name, type(value), value)
                known = self.known.get(key)
            except TypeError:  # not hashable
                return False
            if known is None:
                try:
                    cleaned = field.clean(value, obj)
                except ValidationError:
                    known = False
                else:
                    known = type(cleaned) is type(value) and cleaned == value
                self.known[key] = known
            if not known:
                return False
        return True


def _full_clean(
    obj: models.Model, names: Iterable[str], fields: _FieldCheck, row: CleanRow, report: ImportReport
) -> None:
    """`obj.full_clean()` of the fields `names` (no uniqueness, no constraints): the model's clean() after
    the fields' checks, which `fields` answers for values it can vouch for."""
    wanted = set(names)
    names = [n for n in fields.fields if n in wanted]  # in the model's order, as clean_fields goes
    if fields.passes(obj, names):
        try:
            obj.clean()
            return
        except ValidationError:
            pass  # full_clean below words every message, the fields' and clean()'s alike
    exclude = set(fields.fields) - set(names)
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            label = report.columns.get(name) or str(obj._meta.get_field(name).verbose_name)
            report.errors.append(Issue("；".join(messages), row.number, label))


def _count(rows: list[CleanRow], plan: RosterPlan, report: ImportReport) -> None:
    changed_rows = {row.number for row, _a, _c in plan.changed}
    new_rows = {row.number for row, _a in plan.new}
    error_rows = {issue.row for issue in report.errors}
    by_row = {change.row: change for change in report.changes}
    for row in rows:
        officer_changes = row.officer_changes
        if row.number in error_rows:
            continue
        if row.number in new_rows:
            report.created += 1
            report.changes.append(
                RowChange(row.number, row.township.name, row.name, "created", officer_changes)
            )
        elif row.number in changed_rows or officer_changes:
            report.updated += 1
            if row.number in by_row:
                by_row[row.number].changes.extend(officer_changes)
            else:
                report.changes.append(
                    RowChange(row.number, row.township.name, row.name, "updated", officer_changes)
                )
        else:
            report.unchanged += 1
    report.changes.sort(key=lambda c: c.row)
