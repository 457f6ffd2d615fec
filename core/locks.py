"""One import at a time per scope (a county): `import_lock(scope, holder=...)` is held for a whole run,
preview or write, and refuses at once (ImportBusy, saying who holds it and since when) while another run
of the same scope holds it. Refusing rather than waiting keeps a web request from hanging for minutes
behind a large import, and tells the clerk who to ask.

On PostgreSQL the lock is a session advisory lock keyed by a stable hash of the scope, so it holds across
every app server and is released when the run ends or its connection dies; on SQLite (one machine) it is an
`fcntl.flock` on a file under IMPORT_LOCK_DIR. The holder and the start are written to an ImportLock row
beside it (committed at once when no transaction is open, so that other runs can read it)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import format_roc
from core.models import ImportLock

#: (connection, scope) pairs held in this process, guarded by _held_guard.
_held: set[tuple[int, str]] = set()
_held_guard = threading.Lock()


class ImportBusy(Exception):
    """Another run holds the scope's lock; the message, in Chinese, says since when and by whom."""


def lock_key(scope: str) -> int:
    """A signed 64-bit key for pg_advisory_lock, the same in every process (unlike hash())."""
    return int.from_bytes(hashlib.sha256(scope.encode()).digest()[:8], "big", signed=True)


def holder_name(user: object) -> str:
    if user is None or not getattr(user, "pk", None):
        return _("命令列")
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return (full or getattr(user, "username", "") or str(user))[:150]


@contextlib.contextmanager
def import_lock(scope: str, *, holder: str) -> Iterator[None]:
    """Hold `scope`'s import lock for the block, or raise ImportBusy at once."""
    with _acquire(scope) as acquired:
        if not acquired:
            raise ImportBusy(busy_message(scope))
        ImportLock.objects.bulk_create(  # an upsert: no row lock, a crashed run's row replaced
            [ImportLock(scope=scope, holder=holder, started_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["scope"],
            update_fields=["holder", "started_at"],
        )
        try:
            yield
        finally:
            ImportLock.objects.filter(scope=scope).delete()


def busy_message(scope: str) -> str:
    held = ImportLock.objects.filter(scope=scope).first()
    if held is None:
        return _("另一個匯入正在進行，請稍後再試。")
    started = timezone.localtime(held.started_at)
    return _("另一個匯入正在進行（開始於 %(when)s，由 %(who)s），請稍後再試。") % {
        "when": f"{format_roc(started.date())} {started:%H:%M}",
        "who": held.holder or "—",
    }


@contextlib.contextmanager
def _acquire(scope: str) -> Iterator[bool]:
    """Whether the lock was taken. A connection already holding it is refused too (PostgreSQL would
    grant a session its own advisory lock again)."""
    key = (id(connection), scope)
    with _held_guard:
        if key in _held:
            acquired = False
        else:
            _held.add(key)
            acquired = True
    if not acquired:
        yield False
        return
    try:
        with _acquire_shared(scope) as shared:
            yield shared
    finally:
        with _held_guard:
            _held.discard(key)


@contextlib.contextmanager
def _acquire_shared(scope: str) -> Iterator[bool]:
    if connection.vendor == "postgresql":
        key = lock_key(scope)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    with _file_lock(scope) as acquired:
        yield acquired


@contextlib.contextmanager
def _file_lock(scope: str) -> Iterator[bool]:
    folder = Path(settings.IMPORT_LOCK_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    database = str(connection.settings_dict["NAME"])
    name = hashlib.sha256(f"{database}\0{scope}".encode()).hexdigest()[:32]
    descriptor = os.open(folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
