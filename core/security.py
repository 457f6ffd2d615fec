"""The security log: sign-ins and their failures, lockouts, staff role and township changes, and exports of
personal data, each kept as a `SecurityEvent` row that administrators browse in the admin by user and date."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.http import HttpRequest, HttpResponse

from core.exports import Cell, table_response
from core.models import SecurityEvent

Kind = SecurityEvent.Kind


def record(
    kind: str, *, user=None, username: str = "", address: str | None = None, **details: object
) -> SecurityEvent:
    """Write one event; `username` defaults to the user's own, `details` is stored as JSON."""
    if user is not None and not user.is_authenticated:
        user = None
    if not username and user is not None:
        username = user.get_username()
    return SecurityEvent.objects.create(
        kind=kind, user=user, username=username or "", address=address or None, details=details
    )


def exported_table(
    request: HttpRequest,
    *,
    filename: str,
    fmt: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    title: str = "",
) -> HttpResponse:
    """`core.exports.table_response`, logging who exported `filename`, with which filter and how many rows."""
    from core.auth import client_address

    count = 0

    def counted() -> Iterator[Sequence[Cell]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    response = table_response(filename=filename, fmt=fmt, headers=headers, rows=counted(), title=title)
    record(
        Kind.EXPORT,
        user=request.user,
        address=client_address(request),
        name=filename,
        format=fmt,
        query=request.GET.urlencode(),
        rows=count,
    )
    return response
