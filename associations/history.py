"""Readable change history (who, when, what changed, which import) of an association: its own record and
villages, its officers and its facts (meetings, yearly filings, elections, programme).

The history of ten years of facts runs to thousands of rows, so it is read a page at a time: the page's rows
are chosen in the database (one UNION of the seven historical tables, newest first, each row with the id of
the version just before it), then each table's rows of the page are fetched with those versions, so that
every change is shown field by field against its previous version. A page costs the same few queries
however long the history is."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, F, Value, Window
from django.db.models.functions import JSONObject, Lag
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from associations.models import Association, Election, Meeting, Officer, ProgrammeProfile, YearlyFiling
from core.dates import format_roc, format_roc_year

#: Not shown: bookkeeping, and the name key derived from the name (not kept in history either).
HIDDEN_FIELDS = {"id", "created_at", "updated_at", "association", "name_key"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    subject: str
    action: str
    changes: list[Change] = field(default_factory=list)
    #: The ImportRecord whose import wrote this change, if one did.
    import_id: int | None = None
    history_id: int = 0


def _display(record: models.Model, model_field: models.Field) -> str:
    value = getattr(record, model_field.attname)
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return format_roc(value)
    return str(value)


def _tracked_fields(record: models.Model) -> list[models.Field]:
    return [f for f in record.instance_type._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def describe(
    records: Iterable[models.Model],
    *,
    subject: Callable[[models.Model], str],
    m2m: dict[str, str] | None = None,
    shown: Collection[int] | None = None,
) -> list[HistoryEntry]:
    """Turn historical records (any order) into entries, newest first.

    `subject(record)` names the row for the reader ("理事長 王大明"). `m2m` maps an attribute
    holding a record's prefetched historical m2m rows (a list from `Prefetch(..., to_attr=...)`, with the
    target selected) to its label. With `shown` (history ids), only those records become entries; the
    others are there as the versions they are compared with.
    """
    by_object: dict[int, list[models.Model]] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault(record.id, []).append(record)
    actions = {
        "+": pgettext("history", "新增"),
        "~": pgettext("history", "修改"),
        "-": pgettext("history", "刪除"),
    }
    entries: list[HistoryEntry] = []
    for versions in by_object.values():
        previous = None
        for record in versions:
            if shown is not None and record.history_id not in shown:
                previous = record
                continue
            entry = HistoryEntry(
                when=record.history_date,
                who=(record.history_user.get_full_name() or record.history_user.username)
                if record.history_user
                else _("系統"),
                subject=subject(record),
                action=actions.get(record.history_type, record.history_type),
                import_id=getattr(record, "history_import_id", None),
                history_id=record.history_id,
            )
            if previous is not None and record.history_type == "~":
                for model_field in _tracked_fields(record):
                    old, new = _display(previous, model_field), _display(record, model_field)
                    if old != new:
                        entry.changes.append(Change(str(model_field.verbose_name), old, new))
                for relation, label in (m2m or {}).items():
                    old = _m2m_names(previous, relation)
                    new = _m2m_names(record, relation)
                    if old != new:
                        entry.changes.append(
                            Change(label, "、".join(sorted(old)) or "—", "、".join(sorted(new)) or "—")
                        )
                if not entry.changes:
                    previous = record
                    continue  # a save that changed nothing a person would see
            entries.append(entry)
            previous = record
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _m2m_names(record: models.Model, relation: str) -> set[str]:
    return {str(row.village) for row in getattr(record, relation)}


# --- An association's history, a page at a time ----------------------------------------------------------

#: History entries on one page of an association's history.
PAGE_SIZE = 50


@dataclass(frozen=True)
class _Source:
    """One historical table of an association's history: how its rows are found and named."""

    key: str
    model: type[models.Model]
    #: The historical field holding the association's id.
    owner: str
    subject: Callable[[models.Model], str]


def _meeting_subject(record: models.Model) -> str:
    return f"{record.get_kind_display()} {format_roc(record.held_on)}"


def _election_subject(record: models.Model) -> str:
    if record.term_number:
        return _("理監事改選（第 %(n)d 屆）") % {"n": record.term_number}
    return _("理監事改選（任期屆滿 %(day)s）") % {"day": format_roc(record.term_ends_on)}


SOURCES = (
    _Source("association", Association, "id", lambda r: _("協會資料")),
    _Source("officer", Officer, "association_id", lambda r: f"{r.get_position_display()} {r.name}"),
    _Source("meeting", Meeting, "association_id", _meeting_subject),
    _Source(
        "filing",
        YearlyFiling,
        "association_id",
        lambda r: _("%(year)s書表送府") % {"year": format_roc_year(r.year)},
    ),
    _Source("election", Election, "association_id", _election_subject),
    _Source("programme", ProgrammeProfile, "association_id", lambda r: _("方案資料")),
)


@dataclass
class HistoryPage:
    entries: list[HistoryEntry]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def association_history(association: Association, *, number: int = 1, size: int = PAGE_SIZE) -> HistoryPage:
    """Page `number` (from 1, newest first) of `association`'s history. Raises ValueError for a page past
    the last (page 1 always exists, empty or not)."""
    if number < 1:
        raise ValueError(number)
    # Each row comes with the history id of the version of the same record just before it (LAG over the
    # record's versions), the one its changes are shown against.
    rows = [
        source.model.history.filter(**{source.owner: association.pk})
        .annotate(
            source=Value(source.key, output_field=CharField()),
            previous=Window(
                Lag("history_id"), partition_by=[F("id")], order_by=[F("history_date"), F("history_id")]
            ),
        )
        .values_list("history_date", "history_id", "source", "previous")
        .order_by()  # no ORDER BY inside a compound statement (SQLite refuses one); the UNION is ordered
        for source in SOURCES
    ]
    union = rows[0].union(*rows[1:], all=True).order_by("-history_date", "-history_id", "source")
    start = (number - 1) * size
    chosen = list(union[start : start + size + 1])  # one more than shown: is there a next page?
    if not chosen and number > 1:
        raise ValueError(number)
    has_next = len(chosen) > size
    chosen = chosen[:size]
    order = {(key, history_id): index for index, (_when, history_id, key, _previous) in enumerate(chosen)}
    wanted: dict[str, list[int]] = {}
    for _when, history_id, key, previous in chosen:
        wanted.setdefault(key, []).extend([history_id] if previous is None else [history_id, previous])
    records = _versions(wanted)
    entries: list[HistoryEntry] = []
    for source in SOURCES:
        if source.key in records:
            entries += [
                (entry, source.key)
                for entry in describe(
                    records[source.key],
                    subject=source.subject,
                    m2m={"village_rows": _("涵蓋村里")} if source.model is Association else None,
                    shown={history_id for (_when, history_id, key, _p) in chosen if key == source.key},
                )
            ]
    ordered = sorted(entries, key=lambda pair: order[(pair[1], pair[0].history_id)])
    return HistoryPage(entries=[entry for entry, _key in ordered], number=number, has_next=has_next)


#: The columns every historical table shares, read as they are; a table's own fields come as one JSON object.
_SHARED = ("history_id", "history_date", "history_type", "history_user_id", "history_import_id", "id")


def _versions(wanted: dict[str, list[int]]) -> dict[str, list[models.Model]]:
    """The historical rows `wanted` (by source: the page's and the versions just before them, to compare
    with) of every table in one query, a UNION ALL of each table's rows with its fields as a JSON object
    and the name of the user who wrote them; an association's villages as they were in one more."""
    sources = [source for source in SOURCES if wanted.get(source.key)]
    if not sources:
        return {}
    parts = []
    for source in sources:
        fields = _fields(source.model)
        parts.append(
            source.model.history.filter(history_id__in=wanted[source.key])
            .annotate(
                source=Value(source.key, output_field=CharField()),
                data=JSONObject(**{f.attname: F(f.attname) for f in fields}),
                user_first_name=F("history_user__first_name"),
                user_last_name=F("history_user__last_name"),
                user_username=F("history_user__username"),
            )
            .values_list("source", *_SHARED, "user_first_name", "user_last_name", "user_username", "data")
            .order_by()
        )
    records: dict[str, list[models.Model]] = {}
    # Each table's historical model and fields, looked up once (`Model.history` builds a manager each time).
    shapes = {source.key: (source.model.history.model, _fields(source.model)) for source in sources}
    User = get_user_model()
    for key, *shared, first_name, last_name, username, data in parts[0].union(*parts[1:], all=True):
        historical, fields = shapes[key]
        values = dict(zip(_SHARED, shared, strict=True))
        record = historical(**values, **{f.attname: f.to_python(data.get(f.attname)) for f in fields})
        if values["history_user_id"] is not None:
            record.history_user = User(
                pk=values["history_user_id"], first_name=first_name, last_name=last_name, username=username
            )
        records.setdefault(key, []).append(record)
    if "association" in records:
        _attach_villages(records["association"])
    return records


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def _attach_villages(records: list[models.Model]) -> None:
    """Each historical association row's villages as they were (`village_rows`, with the village), read in
    one query."""
    village_rows = Association.history.model._meta.get_field("historicalassociation_villages").related_model
    by_version: dict[int, list[models.Model]] = {record.history_id: [] for record in records}
    for row in village_rows.objects.filter(history_id__in=list(by_version)).select_related("village"):
        by_version[row.history_id].append(row)
    for record in records:
        record.village_rows = by_version[record.history_id]
