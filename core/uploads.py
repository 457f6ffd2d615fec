"""Uploaded files waiting under MEDIA_ROOT: the spreadsheets kept between an admin import's preview and its
confirmation (`core.admin_imports.UploadStore`, under `imports/`), the whole issue lists written beside
them, and django-import-export's own waiting files (`core.admin_exports.SharedMediaStorage`). One purge
serves them all: a file older than IMPORT_UPLOAD_MAX_AGE seconds is deleted, on every new upload and by
`manage.py purge_uploads` (run it from cron, e.g. every 15 minutes)."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings

#: Where the portal's own import uploads wait, one folder per import, under MEDIA_ROOT.
IMPORTS_FOLDER = "imports"
#: django-import-export's folder under MEDIA_ROOT (import_export.tmp_storages.MediaStorage.MEDIA_FOLDER).
IMPORT_EXPORT_FOLDER = "django-import-export"


def upload_folders() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [root / IMPORTS_FOLDER, root / IMPORT_EXPORT_FOLDER]


def purge_stale(*, max_age: int | None = None, now: float | None = None) -> int:
    """Delete every waiting file older than `max_age` seconds (default IMPORT_UPLOAD_MAX_AGE); answers
    how many were deleted."""
    limit = (time.time() if now is None else now) - (
        settings.IMPORT_UPLOAD_MAX_AGE if max_age is None else max_age
    )
    deleted = 0
    for folder in upload_folders():
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            try:
                if path.is_file() and path.stat().st_mtime < limit:
                    path.unlink()
                    deleted += 1
            except FileNotFoundError:  # another server purged it first
                continue
    return deleted
