"""Inserting many new rows of a model at once, for the imports.

Django's `bulk_create` builds its INSERT by sending every value of every row through the field's
`get_db_prep_save` and the insert compiler; for a 10,000-row roster that is a quarter million calls, about
half of the import's write. On PostgreSQL `bulk_insert` sends each column as one array and inserts
`SELECT * FROM unnest(…)`; the primary keys are drawn from the table's sequence first, so every object has
its pk afterwards exactly as bulk_create gives it. Values go through the same `pre_save` (auto_now and
auto_now_add still stamp the row) and, except for text, integer, boolean, date, aware date-time and
foreign-key values that are already what the database stores, the same `get_db_prep_save`. Other databases
use `bulk_create`. `builder(model)` builds the new objects themselves at about half the cost of the model's
keyword __init__ (see `NewObjects`).
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Sequence
from typing import Generic, TypeVar

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.options import Options

M = TypeVar("M", bound=models.Model)

BATCH = 20_000  # one statement for a 10,000-row import; arrays of a few MB are fine


class NewObjects(Generic[M]):
    """Builds `model(**values)` for the many rows an import is about to insert, by position: Django's fast
    path of `Model.__init__` (the one it builds rows it reads with), about half the cost of the keyword
    path for a model of a few fields. Every field not given holds its default (`get_default()`: a callable
    default is called for each object, a constant one shared as Django shares it); a foreign key given by
    name holds its object's pk (None while unsaved: `bulk_insert` fills it in) and caches the object, and
    the object's database is that of the related object, as its descriptor sets them. Models with a
    one-to-one or generated field, and values given by another name than a concrete field's, go through
    the model's own __init__."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.simple = not any(f.one_to_one or f.generated for f in fields)
        self.position = {f.name: i for i, f in enumerate(fields)} | {
            f.attname: i for i, f in enumerate(fields)
        }
        self.related = {f.name: f for f in fields if f.is_relation}
        called = [f.has_default() and callable(f.default) for f in fields]
        self.called = [(i, f) for i, f in enumerate(fields) if called[i]]
        self.template = [None if called[i] else f.get_default() for i, f in enumerate(fields)]

    def __call__(self, **values: object) -> M:
        if not self.simple or not values.keys() <= self.position.keys():
            return self.model(**values)
        args = self.template.copy()
        for i, field in self.called:
            args[i] = field.get_default()
        related = []
        for name, value in values.items():
            field = self.related.get(name)
            if field is not None:
                if value is not None and not isinstance(value, field.remote_field.model._meta.concrete_model):
                    return self.model(**values)  # refused by the descriptor, as Django words it
                related.append((field, value))
                value = None if value is None else getattr(value, field.target_field.attname)
            args[self.position[name]] = value
        if len({self.position[name] for name in values}) != len(values):
            return self.model(**values)  # a field given by name and by column: as the model takes it
        obj = self.model(*args)
        for field, value in related:
            if value is not None:
                if obj._state.db is None:
                    obj._state.db = router.db_for_write(self.model, instance=value)
                if value._state.db is None:
                    value._state.db = router.db_for_write(value.__class__, instance=obj)
                if not router.allow_relation(value, obj):
                    return self.model(**values)  # refused by the descriptor, as Django words it
            field.set_cached_value(obj, value)
        return obj


@functools.cache
def builder(model: type[M]) -> NewObjects[M]:
    """The model's `NewObjects`, made once."""
    return NewObjects(model)


def bulk_insert(model: type[M], objects: Sequence[M]) -> list[M]:
    """Insert `objects` (all new) and set their primary keys; returns them as a list, as bulk_create does."""
    objects = list(objects)
    connection = connections[router.db_for_write(model)]  # the wrapper itself: no proxy lookup per value
    if connection.vendor != "postgresql" or not objects:
        return model.objects.bulk_create(objects)
    _prepare_related_fields(model._meta, objects)
    meta = model._meta
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(quote(f.column) for f in fields)
        arrays = ", ".join(f"%s::{_array_type(f, connection)}[]" for f in fields)
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT * FROM unnest({arrays})"
        for start in range(0, len(objects), BATCH):
            batch = objects[start : start + BATCH]
            cursor.execute(sql, [_column(field, batch, connection) for field in fields])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def _prepare_related_fields(meta: Options, objects: Sequence[models.Model]) -> None:
    """A foreign key set to an object saved since takes that object's pk, and one set to an unsaved object
    is refused (`Model._prepare_related_fields_for_save`). Django's check walks every field of every
    object; an object whose cached related objects already match their columns is one it leaves as it
    is, so only the others are handed to it."""
    relations = [f for f in meta.concrete_fields if f.is_relation]
    if any(f.is_relation for f in meta.private_fields):
        relations = None  # generic relations: Django's check for every object
    for obj in objects:
        if relations is not None and all(_settled(field, obj) for field in relations):
            continue
        obj._prepare_related_fields_for_save(operation_name="bulk_insert")


def _settled(field: models.Field, obj: models.Model) -> bool:
    """Whether this foreign key of `obj` is as Django's check would leave it, after doing what the check
    does for an object saved since it was assigned (its pk taken, through the descriptor); False for
    whatever else the check would change or refuse."""
    if not field.is_cached(obj):
        return True
    related = field.get_cached_value(obj)
    if related is None:
        return True
    if not related._is_pk_set():
        return False
    if getattr(obj, field.attname) in field.empty_values:
        setattr(obj, field.name, related)
    return getattr(related, field.target_field.attname) == getattr(obj, field.attname)


def _column(
    field: models.Field, objects: Sequence[models.Model], connection: BaseDatabaseWrapper
) -> list[object]:
    if type(field).pre_save is models.Field.pre_save:  # it only reads the attribute: read it directly
        values = list(map(operator.attrgetter(field.attname), objects))
    else:
        values = [field.pre_save(obj, True) for obj in objects]
    if isinstance(field, models.AutoField | models.BigAutoField):
        stored: type | None = int
    elif isinstance(field, models.BooleanField):
        stored = bool
    elif isinstance(field, models.CharField | models.TextField):
        stored = str
    elif isinstance(field, models.IntegerField | models.ForeignKey):
        stored = int
    elif isinstance(field, models.DateTimeField):
        stored = datetime.datetime
    elif isinstance(field, models.DateField):
        stored = datetime.date
    else:
        stored = None
    return [
        value
        if value is None
        or (type(value) is stored and (stored is not datetime.datetime or value.tzinfo is not None))
        else field.get_db_prep_save(value, connection)
        for value in values
    ]


def _array_type(field: models.Field, connection: BaseDatabaseWrapper) -> str:
    """Text columns' arrays go as text[]: the insert's assignment cast checks a varchar's length once, where
    a varchar(n)[] cast would coerce every element first."""
    if isinstance(field, models.CharField | models.TextField):
        return "text"
    return field.db_type(connection)
