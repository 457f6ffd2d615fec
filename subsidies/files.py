"""What an attachment may be: PDF, Office (OOXML and the old binary formats) and PNG/JPEG images, told
by their content (magic bytes, and for OOXML the zip's [Content_Types].xml and main part), never by the
name alone; at most 20 MB each."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024

OOXML_PARTS = {
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        {".docx"},
    ),
    "xl/workbook.xml": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {".xlsx"}),
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        {".pptx"},
    ),
}
OLE_TYPES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}


class AttachmentRefused(ValueError):
    """The file is not one the portal keeps; the message says why, in Chinese."""


@dataclass(frozen=True)
class Checked:
    content_type: str
    size: int


def check_upload(stream: IO[bytes], *, name: str, size: int) -> Checked:
    """The file's content type when its content and name agree on an allowed kind; else AttachmentRefused."""
    if size > MAX_BYTES:
        raise AttachmentRefused(_("檔案超過 20 MB。"))
    if size == 0:
        raise AttachmentRefused(_("檔案是空的。"))
    suffix = PurePath(name).suffix.lower()
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    found: tuple[str, set[str]] | None = None
    if head.startswith(b"%PDF-"):
        found = ("application/pdf", {".pdf"})
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = ("image/png", {".png"})
    elif head.startswith(b"\xff\xd8\xff"):
        found = ("image/jpeg", {".jpg", ".jpeg"})
    elif head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if suffix in OLE_TYPES:
            found = (OLE_TYPES[suffix], {suffix})
    elif head.startswith(b"PK\x03\x04"):
        found = _ooxml(stream)
    stream.seek(0)
    if found is None:
        raise AttachmentRefused(_("只接受 PDF、Office 文件及 PNG、JPEG 圖片。"))
    content_type, suffixes = found
    if suffix not in suffixes:
        raise AttachmentRefused(_("檔名的副檔名與檔案內容不符。"))
    return Checked(content_type, size)


def _ooxml(stream: IO[bytes]) -> tuple[str, set[str]] | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for part, found in OOXML_PARTS.items():
        if part in names:
            return found
    return None
