"""History rows for bulk writes, copied inside the database.

simple-history's `bulk_create_with_history` builds a Python object per historical row and sends every value
back through Django's insert compiler; for a 10,000-row import that doubles the cost of the write. A history
row is the tracked row as it now stands plus who, when, why and how, so one `INSERT ... SELECT` per batch
writes exactly what simple-history would have written, without the round trip through Python.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import connection, models

CREATED, CHANGED = "+", "~"
DELETED = "-"

# SQLite caps bound parameters; PostgreSQL takes the whole id list as one array parameter.
SQLITE_CHUNK = 900


def copy_to_history(
    model: type[models.Model],
    pks: Iterable[int],
    *,
    history_type: str,
    user: object = None,
    reason: str = "",
    stamp: datetime.datetime,
    import_record: models.Model | None = None,
) -> None:
    """Write one history row for each of `pks`, copied from the rows as they stand now; `import_record`
    (an ImportRecord) is named on each row whose historical model keeps it (`core.models.ImportedChange`)."""
    ids = list(pks)
    if not ids:
        return
    history_model = model.history.model  # type: ignore[attr-defined]
    source_columns = {f.column for f in model._meta.concrete_fields}
    extra = {
        "history_date": stamp,
        "history_change_reason": reason or None,
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
        "history_import_id": getattr(import_record, "pk", None),
    }
    targets: list[str] = []
    selects: list[str] = []
    params: list[object] = []
    quote = connection.ops.quote_name
    for field in history_model._meta.concrete_fields:
        if field.column == "history_id":
            continue
        targets.append(quote(field.column))
        if field.attname in extra:
            selects.append("%s")
            params.append(field.get_db_prep_save(extra[field.attname], connection))
        elif field.column in source_columns:
            selects.append(quote(field.column))
        else:  # pragma: no cover - a history field this copy does not know is a programming error
            raise ValueError(f"{history_model.__name__}.{field.name} has no source in {model.__name__}")
    pk_column = quote(model._meta.pk.column)
    head = (
        f"INSERT INTO {quote(history_model._meta.db_table)} ({', '.join(targets)}) "
        f"SELECT {', '.join(selects)} FROM {quote(model._meta.db_table)} "
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(head + f"WHERE {pk_column} = ANY(%s) ORDER BY {pk_column}", [*params, ids])
            return
        for chunk in _chunks(ids, SQLITE_CHUNK):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(head + f"WHERE {pk_column} IN ({marks}) ORDER BY {pk_column}", [*params, *chunk])


def delete_with_history(
    model: type[models.Model],
    pks: Iterable[int],
    *,
    user: object = None,
    reason: str = "",
    stamp: datetime.datetime,
    import_record: models.Model | None = None,
) -> None:
    """Delete the rows of `pks` and write one deletion history row for each, as simple-history's own
    post_delete would, in a fixed number of queries. `QuerySet.delete()` would load every row and write its
    history row one INSERT at a time. Only for a model that nothing references: a reference makes the
    DELETE fail (Django's FKs are database constraints), never cascade unseen."""
    ids = list(pks)
    if not ids:
        return
    copy_to_history(
        model, ids, history_type=DELETED, user=user, reason=reason, stamp=stamp, import_record=import_record
    )
    quote = connection.ops.quote_name
    head = f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(head + "= ANY(%s)", [ids])
            return
        for chunk in _chunks(ids, SQLITE_CHUNK):
            cursor.execute(head + f"IN ({', '.join(['%s'] * len(chunk))})", list(chunk))


def _chunks(values: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
