"""One search for every list of associations: the query is split into words and each word must match
(AND) one of the name, the current chairperson's name, the address, the registration number or the
township's name, compared after the importer's normalisation on both sides.

The query is normalised in Python (`core.text`: NFKC, so full-width letters and digits are half-width,
spaces collapsed, 台 written 臺). The stored side is normalised by the database in the same query
(`Replace` of 台 by 臺 on each column): what is stored already went through `normalize_text` on its way in
(the forms and the roster import clean every text), so only 台/臺, which both writings keep, differs. Doing
it in the query instead of keeping a stored search column means nothing to maintain in the forms, the
services and the bulk writers, and it costs no extra query: the whole search is one WHERE clause."""

from __future__ import annotations

from functools import reduce
from operator import and_
from typing import TypeVar

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Replace

from associations.models import Officer
from core.text import normalize_text

ModelT = TypeVar("ModelT")

#: The columns one word is looked for in, relative to an association.
_COLUMNS = ("name", "address", "registration_number", "township__name")


def search_words(query: object) -> list[str]:
    """The query's words, normalised as stored text is (full-width → half-width, 台 → 臺)."""
    return [word for word in normalize_text(query).replace("台", "臺").split(" ") if word]


def _place(expression: object) -> Replace:
    return Replace(expression, Value("台"), Value("臺"))


def search(queryset: QuerySet[ModelT], query: object, *, association: str = "") -> QuerySet[ModelT]:
    """`queryset` narrowed to the rows whose association matches every word of `query`. `association` is
    the path from the queryset's model to the association ("" for associations themselves,
    "association__" for the rows of one)."""
    words = search_words(query)
    if not words:
        return queryset
    outer = f"{association.removesuffix('__')}_id" if association else "pk"
    aliases = {f"_search_{i}": _place(F(f"{association}{column}")) for i, column in enumerate(_COLUMNS)}
    chairs = (
        Officer.objects.current()
        .filter(association=OuterRef(outer), position=Officer.Position.CHAIR)
        .alias(_search_chair=_place(F("name")))
    )
    # The chairperson is looked for last: PostgreSQL tries an OR's terms in order, and the columns of the
    # row itself cost less than the subquery into the officers (a third less time for a county's search).
    matches = [
        reduce(Q.__or__, [Q(**{f"{alias}__icontains": word}) for alias in aliases])
        | Q(Exists(chairs.filter(_search_chair__icontains=word)))
        for word in words
    ]
    return queryset.alias(**aliases).filter(reduce(and_, matches))
