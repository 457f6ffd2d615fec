"""Readable change history (who, when, what changed) for simple-history records, computed in Python from
rows already fetched so a detail page costs a fixed number of queries however long the history is."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.dates import format_roc

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
    records: Iterable[models.Model], *, subject: callable, m2m: dict[str, str] | None = None
) -> list[HistoryEntry]:
    """Turn historical records (any order) into entries, newest first.

    `subject(record)` names the row for the reader ("理事長 王大明"). `m2m` maps an attribute
    holding a record's prefetched historical m2m rows (a list from `Prefetch(..., to_attr=...)`, with the
    target selected) to its label.
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
            entry = HistoryEntry(
                when=record.history_date,
                who=(record.history_user.get_full_name() or record.history_user.username)
                if record.history_user
                else _("系統"),
                subject=subject(record),
                action=actions.get(record.history_type, record.history_type),
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
