"""Roster import: a county's association roster, as township offices and open-data portals publish it, read
into the registry.

One pipeline serves the command line and the admin page: `roster_import` reads the bytes, cleans every row,
matches it to an association (township + normalised name, never the registration number alone) and either
reports what it would do (`dry_run=True`) or writes everything in one transaction. Nothing is written when
any row has a blocking error; every run, written or not, leaves an `ImportRecord`.

Rules a clerk can rely on:

* A blank cell never erases what is stored; a cell that cannot be read is a warning, is left blank on a new
  association and leaves the stored value alone on an existing one.
* The name is the key: a roster that writes the name differently (台/臺, spaces, a 縣市/鄉鎮 prefix) matches
  the stored association and does not rename it.
* 理事長 / 總幹事: when the roster names someone other than the current officer, the current one's term is
  ended the day before the import (kept as a past officer, with history) and the new one starts with no
  known start date. A note in brackets (`夏金裕(黃木火代理)`, `彭智樑(補選)`) goes to the officer's note.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association, County, Officer, Township, Village
from core.dates import format_roc, is_placeholder, parse_date_lenient
from core.history import CHANGED, CREATED, copy_to_history
from core.models import ImportRecord
from core.spreadsheets import SpreadsheetError, Table, read_bytes, read_table
from core.text import normalize_place, normalize_text

KIND = "associations.roster"

#: Our key -> the headers a roster may use for it. The first header is the one exports write.
COLUMNS: dict[str, tuple[str, ...]] = {
    "township": ("鄉鎮市區", "鄉鎮市", "行政區", "鄉鎮", "鄉鎮別", "鄉鎮市別", "鄉鎮市區別"),
    "name": ("協會名稱", "名稱", "團體名稱", "機構名稱", "社區發展協會名稱", "社區發展協會"),
    "villages": ("村里", "里別", "村里別", "社區範圍", "涵蓋村里"),
    "chair": ("理事長", "理事長姓名"),
    "secretary": ("總幹事", "總幹事姓名"),
    "phone": ("電話", "聯絡電話"),
    "address": ("地址", "會址", "會址地址"),
    "founded_on": ("成立日期", "立案日期"),
    "registration_number": ("立案字號", "立案證書字號"),
    "term_number": ("屆期", "屆次"),
    "member_count": ("會員人數", "會員數"),
    "email": ("電子郵件", "Email", "E-mail", "電子信箱"),
}
REQUIRED = COLUMNS["name"]
#: Association fields a roster may set, in report order.
FIELDS = (
    "registration_number",
    "founded_on",
    "term_number",
    "address",
    "phone",
    "email",
    "member_count",
)
POSITIONS = {"chair": Officer.Position.CHAIR, "secretary": Officer.Position.EXECUTIVE_SECRETARY}
LOST = "?"  # what a Big5 export writes for a character it cannot encode (full-width ？ folds to it)
UPDATE_BATCH = 1000  # bulk_update builds one CASE per field; larger batches get slower, not faster
PROGRESS_EVERY = 100

_NOTE_RE = re.compile(r"^(?P<name>[^()\[\]【】]+?)\s*[(\[【](?P<note>[^()\[\]【】]*)[)\]】]\s*$")
_EXTENSION_RE = re.compile(r"(?:#|分機|轉|ext\.?)\s*\d+", re.IGNORECASE)
_PHONE_SPLIT_RE = re.compile(r"[,、/;；]|或")
_POSTCODE_RE = re.compile(r"^\d{3,6}")
_LAND_LOT_RE = re.compile(r"段\s*\d+(?:-\d+)?\s*地?號$")
_STREET_RE = re.compile(r"[路街巷弄鄰村里]")
_VILLAGE_SPLIT_RE = re.compile(r"[、,，;；/\s]+")
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_DOT_ABOVE = "\u02d9"  # ˙ in indigenous names (梭日伊˙尤敏); NFKC would turn it into a space + combining dot
_SENTINEL = "\ue000"


# --- The report ---------------------------------------------------------------------------------------------


@dataclass
class Issue:
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("第 %(row)d 列「%(column)s」：%(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row is not None:
            return _("第 %(row)d 列：%(message)s") % {"row": self.row, "message": self.message}
        return self.message


@dataclass
class RowChange:
    row: int
    township: str
    name: str
    action: str  # "created" or "updated"
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)


@dataclass
class ImportReport:
    file_name: str
    county: str
    dry_run: bool
    sheet: str | None = None
    sha256: str = ""
    size: int = 0
    outcome: str = ImportRecord.Outcome.PREVIEWED
    format: str = ""
    encoding: str | None = None
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    blank_rows: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    record_id: int | None = None

    @property
    def exit_code(self) -> int:
        """0 imported (or a clean dry run), 1 a blocking error (nothing written), 2 the file is unreadable."""
        if self.outcome == ImportRecord.Outcome.UNREADABLE:
            return 2
        return 1 if self.errors else 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "missing": len(self.missing),
        }

    def summary(self) -> str:
        return (
            _(
                "共 %(rows)d 列：新增 %(created)d、更新 %(updated)d、未變更 %(unchanged)d、略過 %(skipped)d；"
                "錯誤 %(errors)d、警告 %(warnings)d。"
            )
            % self.counts
        )

    def as_json(self) -> dict[str, object]:
        """The report as stored in ImportRecord.report (built by hand: asdict is slow on 50,000 rows)."""
        scalars = {
            name: getattr(self, name)
            for name in (
                "file_name",
                "county",
                "dry_run",
                "sheet",
                "sha256",
                "size",
                "outcome",
                "format",
                "encoding",
                "header_row",
                "columns",
                "unknown_columns",
                "blank_rows",
                "notices",
                "missing",
            )
        }
        issue = lambda i: {"row": i.row, "column": i.column, "message": i.message, "text": str(i)}  # noqa: E731
        return {
            **scalars,
            "counts": self.counts,
            "errors": [issue(i) for i in self.errors],
            "warnings": [issue(i) for i in self.warnings],
            "changes": [[c.row, c.township, c.name, c.action, c.changes] for c in self.changes],
        }


# --- Cleaning ---------------------------------------------------------------------------------------------


def clean_text(value: object) -> str:
    """normalize_text, keeping the ˙ of indigenous names that NFKC would split."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return format_roc(value if not isinstance(value, datetime.datetime) else value.date())
    text = str(value)
    if _DOT_ABOVE in text:
        return normalize_text(text.replace(_DOT_ABOVE, _SENTINEL)).replace(_SENTINEL, _DOT_ABOVE)
    return normalize_text(text)


def split_note(text: str) -> tuple[str, str]:
    """`夏金裕(黃木火代理)` -> ("夏金裕", "黃木火代理"); a name without a bracketed note -> (name, "")."""
    if match := _NOTE_RE.match(text):
        return match["name"].strip(), match["note"].strip()
    return text, ""


def officer_cell(name: str, note: str) -> str:
    """The inverse of `split_note`, for exports."""
    return f"{name}({note})" if note else name


def parse_count(value: object) -> int | None:
    """10, "10", "第10屆", "第十屆", "120人", "1,200" -> the number; None when it is no number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = clean_text(value).replace(",", "").replace(" ", "")
    text = re.sub(r"^第|[屆人名位]$", "", text)
    if text.isdecimal():  # isdigit() also admits ² and the like, which int() refuses
        return int(text)
    return _chinese_number(text)


def _chinese_number(text: str) -> int | None:
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text)) if len(text) <= 3 else None
    tens, _sep, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def phone_problem(text: str) -> str | None:
    """Why a phone number looks wrong, or None. Taiwanese numbers have 9 or 10 digits with the area code
    (mobile 09xx-xxx-xxx); an extension (#123, 分機123) is allowed."""
    for part in _PHONE_SPLIT_RE.split(_EXTENSION_RE.sub("", text)):
        digits = re.sub(r"\D", "", part)
        if not digits:
            if part.strip():
                return _("電話「%(phone)s」不是電話號碼，已照原文保留，請核對。") % {"phone": text}
            continue
        if digits.startswith("886") and 11 <= len(digits) <= 12:
            continue
        if digits.startswith("0") and 9 <= len(digits) <= 10:
            continue
        if not digits.startswith("0") and 7 <= len(digits) <= 8:
            return _("電話「%(phone)s」缺少區碼，已照原文保留，請核對。") % {"phone": text}
        return _("電話「%(phone)s」位數不符（%(n)d 碼），已照原文保留，請核對。") % {
            "phone": text,
            "n": len(digits),
        }
    return None


class Geography:
    """A county's townships (and, when a roster has a 村里 column, villages) held in memory, so resolving a
    row costs no query."""

    def __init__(self, county: County, *, with_villages: bool = False) -> None:
        self.county = county
        self.townships = list(Township.objects.filter(county=county).order_by("sort_order", "name"))
        self.county_name = normalize_place(county.name)
        by_name: dict[str, Township | None] = {}
        for township in self.townships:
            for written in township.names():
                key = normalize_place(written)
                by_name[key] = township if by_name.get(key, township) == township else None
        self.by_name = by_name
        # Longest first, so 新竹市 is tried before a hypothetical 新竹.
        self.full_names = sorted(
            ((normalize_place(t.name), t) for t in self.townships), key=lambda p: -len(p[0])
        )
        self.villages: dict[tuple[int, str], Village | None] = {}
        if with_villages:
            for village in Village.objects.filter(township__county=county):
                for written in {village.name, village.name[:-1] if len(village.name) > 2 else village.name}:
                    key = (village.township_id, normalize_place(written))
                    self.villages[key] = village if self.villages.get(key, village) == village else None

    def strip_county(self, text: str) -> str:
        return text[len(self.county_name) :] if text.startswith(self.county_name) else text

    def lookup(self, written: str) -> Township | None:
        key = self.strip_county(normalize_place(written))
        return self.by_name.get(key)

    def township_in(self, text: str) -> Township | None:
        """The township a name or address starts with (after the county and a postcode), by its full name."""
        key = self.strip_county(_POSTCODE_RE.sub("", normalize_place(text)))
        for name, township in self.full_names:
            if key.startswith(name):
                return township
        return None

    def mentions_township(self, text: str) -> bool:
        key = normalize_place(text)
        return any(name in key for name, _t in self.full_names)

    def name_key(self, name: str, township: Township) -> str:
        """What two writings of one association's name share: no spaces, 臺 for 台, no 縣市/鄉鎮 prefix."""
        key = self.strip_county(normalize_place(name))
        township_name = normalize_place(township.name)
        if key.startswith(township_name) and len(key) > len(township_name):
            key = key[len(township_name) :]
        return key


@dataclass
class CleanRow:
    number: int
    name: str
    township: Township
    key: str
    values: dict[str, object]  # association field -> value read (only fields with a readable value)
    villages: list[Village] | None = None  # None: leave the stored villages alone
    villages_complete: bool = True  # every written village was recognised
    officers: dict[str, tuple[str, str]] = field(default_factory=dict)  # position -> (name, note)
    officer_changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)


class _RowCleaner:
    """Turns one spreadsheet row into a CleanRow, appending errors and warnings to the report."""

    def __init__(self, *, table: Table, geography: Geography, report: ImportReport) -> None:
        self.table = table
        self.geo = geography
        self.report = report
        self.model_fields = {f.name: f for f in Association._meta.concrete_fields}
        self.township_derived = 0

    def header(self, key: str) -> str:
        return self.table.columns.get(key, COLUMNS[key][0])

    def warn(self, row: int, key: str | None, message: str) -> None:
        self.report.warnings.append(Issue(message, row, self.header(key) if key else None))

    def error(self, row: int, key: str | None, message: str) -> None:
        self.report.errors.append(Issue(message, row, self.header(key) if key else None))

    def lost_character(self, row: int, key: str, text: str) -> None:
        if LOST in text:
            self.warn(
                row,
                key,
                _("「%(text)s」含「?」，可能是轉檔時無法表示的字，已照原文保留，請核對。") % {"text": text},
            )

    def clean(self, number: int, raw: dict[str, object]) -> CleanRow | None:
        texts = {key: clean_text(value) for key, value in raw.items()}
        if not any(texts.values()):
            self.report.skipped += 1
            self.warn(number, None, _("這一列沒有任何可辨識的資料，已略過。"))
            return None
        name = texts.get("name", "")
        if not name:
            self.error(number, "name", _("缺少協會名稱，無法對應到任何協會。"))
            return None
        if len(name) > self.model_fields["name"].max_length:
            self.error(
                number, "name", _("協會名稱超過 %(n)d 字。") % {"n": self.model_fields["name"].max_length}
            )
            return None
        township = self._township(number, texts, name)
        if township is None:
            return None
        self.lost_character(number, "name", name)
        row = CleanRow(
            number=number, name=name, township=township, key=self.geo.name_key(name, township), values={}
        )
        self._fields(row, raw, texts)
        if texts.get("villages"):
            self._villages(row, texts["villages"])
        for key, position in POSITIONS.items():
            if texts.get(key):
                self._officer(row, key, position, texts[key])
        return row

    def _township(self, number: int, texts: dict[str, str], name: str) -> Township | None:
        written = texts.get("township", "")
        if written:
            township = self.geo.lookup(written)
            if township is None:
                self.error(
                    number,
                    "township",
                    _("「%(written)s」不是%(county)s的鄉鎮市區。")
                    % {"written": written, "county": self.geo.county.name},
                )
            return township
        township = self.geo.township_in(name) or self.geo.township_in(texts.get("address", ""))
        if township is None:
            self.error(
                number,
                "township" if "township" in self.table.columns else None,
                _("無法判斷所屬鄉鎮市區：沒有填寫，協會名稱與地址也未寫明。"),
            )
        else:
            self.township_derived += 1
        return township

    def _fields(self, row: CleanRow, raw: dict[str, object], texts: dict[str, str]) -> None:
        n = row.number
        if text := texts.get("registration_number"):
            self.lost_character(n, "registration_number", text)
            if "第" in text and "號" in text and not re.search(r"\d", text):
                self.warn(
                    n,
                    "registration_number",
                    _("立案字號「%(text)s」缺少號碼，已照原文保留。") % {"text": text},
                )
            self._set_text(row, "registration_number", text)
        if "founded_on" in raw and texts.get("founded_on"):
            self._date(row, raw["founded_on"], texts["founded_on"])
        for key in ("term_number", "member_count"):
            if text := texts.get(key):
                number = parse_count(raw[key])
                if number is None or not 0 <= number <= 32767:
                    label = self.header(key)
                    self.warn(
                        n,
                        key,
                        _("「%(text)s」不是%(label)s的數字，已留空。") % {"text": text, "label": label},
                    )
                else:
                    row.values[key] = number
        if text := texts.get("address"):
            self.lost_character(n, "address", text)
            if not self.geo.mentions_township(text):
                if _LAND_LOT_RE.search(text) and not _STREET_RE.search(text):
                    self.warn(
                        n,
                        "address",
                        _("地址「%(text)s」似為地段地號而非門牌，已照原文保留。") % {"text": text},
                    )
                else:
                    self.warn(
                        n, "address", _("地址「%(text)s」未寫明鄉鎮市區，已照原文保留。") % {"text": text}
                    )
            self._set_text(row, "address", text)
        if text := texts.get("phone"):
            value = raw["phone"]
            if isinstance(value, int) and not text.startswith("0") and 8 <= len(text) <= 9:
                text = "0" + text  # a phone stored as a number lost its leading zero
                self.warn(n, "phone", _("電話存成數值，已補回開頭的 0：%(text)s。") % {"text": text})
            if problem := phone_problem(text):
                self.warn(n, "phone", problem)
            self._set_text(row, "phone", text)
        if text := texts.get("email"):
            try:
                validate_email(text)
            except ValidationError:
                self.warn(n, "email", _("電子郵件「%(text)s」格式不正確，已留空。") % {"text": text})
            else:
                self._set_text(row, "email", text)

    def _set_text(self, row: CleanRow, name: str, text: str) -> None:
        limit = self.model_fields[name].max_length
        if limit and len(text) > limit:
            key = name if name in COLUMNS else None
            self.warn(row.number, key, _("內容超過 %(n)d 字，已留空。") % {"n": limit})
            return
        row.values[name] = text

    def _date(self, row: CleanRow, value: object, text: str) -> None:
        date, problem = parse_date_lenient(value)
        if date is not None and is_placeholder(date):
            self.warn(
                row.number, "founded_on", _("「%(text)s」是代表無日期的填充值，已留空。") % {"text": text}
            )
            return
        if date is None:
            self.warn(row.number, "founded_on", _("%(problem)s，已留空。") % {"problem": problem})
            return
        if problem:
            self.warn(
                row.number,
                "founded_on",
                _("「%(text)s」%(problem)s，請核對。") % {"text": text, "problem": problem},
            )
        row.values["founded_on"] = date

    def _villages(self, row: CleanRow, text: str) -> None:
        found: list[Village] = []
        unknown: list[str] = []
        for part in filter(None, _VILLAGE_SPLIT_RE.split(text)):
            village = self.geo.villages.get((row.township.pk, normalize_place(part)))
            (found.append(village) if village else unknown.append(part))
        if unknown:
            self.warn(
                row.number,
                "villages",
                _("「%(names)s」不在%(township)s的村里資料中，已略過。")
                % {"names": "、".join(unknown), "township": row.township.name},
            )
        row.villages = list(dict.fromkeys(found))
        row.villages_complete = not unknown

    def _officer(self, row: CleanRow, key: str, position: str, text: str) -> None:
        name, note = split_note(text)
        name = name.strip()
        if not name:
            self.warn(row.number, key, _("「%(text)s」沒有姓名，已略過。") % {"text": text})
            return
        self.lost_character(row.number, key, name)
        if len(name) > Officer._meta.get_field("name").max_length:
            self.warn(row.number, key, _("姓名「%(text)s」過長，已略過。") % {"text": name})
            return
        limit = Officer._meta.get_field("note").max_length
        if len(note) > limit:
            self.warn(row.number, key, _("備註超過 %(n)d 字，已截斷。") % {"n": limit})
            note = note[:limit]
        row.officers[position] = (name, note)


# --- Matching and planning --------------------------------------------------------------------------------


@dataclass
class _Plan:
    new: list[tuple[CleanRow, Association]] = field(default_factory=list)
    changed: list[tuple[CleanRow, Association, list[str]]] = field(default_factory=list)
    villages: dict[int, set[int]] = field(default_factory=dict)  # association pk -> villages after import
    new_villages: dict[int, set[int]] = field(default_factory=dict)  # row number -> set, for new ones
    officers_to_end: list[Officer] = field(default_factory=list)
    officers_to_note: list[Officer] = field(default_factory=list)
    officers_new: list[tuple[CleanRow, Officer]] = field(default_factory=list)


def _display(value: object) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime.date):
        return format_roc(value)
    return str(value)


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
) -> _Plan:
    plan = _Plan()
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
            if association.status == Association.Status.DISSOLVED:
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


def _plan_new(row: CleanRow, plan: _Plan) -> Association:
    association = Association(name=row.name, township=row.township, **row.values)
    plan.new.append((row, association))
    if row.villages:
        plan.new_villages[row.number] = {v.pk for v in row.villages}
    return association


def _plan_update(
    row: CleanRow,
    association: Association,
    plan: _Plan,
    memberships: dict[int, set[int]],
    report: ImportReport,
) -> None:
    changed = [name for name, value in row.values.items() if getattr(association, name) != value]
    changes = [(_field_label(n), _display(getattr(association, n)), _display(row.values[n])) for n in changed]
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
    plan: _Plan,
    today: datetime.date,
) -> None:
    """The roster names this position's current holder: keep them when it is the same person (taking a new
    note), else end every current holder's term yesterday and add the named person."""
    label = _position_label(position)
    wanted = normalize_place(name)
    same = next((o for o in current if normalize_place(o.name) == wanted), None)
    others = [o for o in current if o is not same]
    yesterday = today - datetime.timedelta(days=1)
    for officer in others:
        officer.term_end = max(yesterday, officer.term_start) if officer.term_start else yesterday
        plan.officers_to_end.append(officer)
    old = "、".join(officer_cell(o.name, o.note) for o in current) or "—"
    if same is None:
        plan.officers_new.append(
            (row, Officer(association=association, position=position, name=name, note=note))
        )
        row.officer_changes.append((label, old, officer_cell(name, note)))
    elif others or (note and same.note != note):
        if note:
            same.note = note
            plan.officers_to_note.append(same)
        row.officer_changes.append((label, old, officer_cell(same.name, same.note)))


# --- Writing ----------------------------------------------------------------------------------------------


def _write(
    *,
    plan: _Plan,
    user: object,
    reason: str,
    stamp: datetime.datetime,
    memberships: dict[int, set[int]],
    links: dict[tuple[int, int], int],
) -> None:
    through = Association.villages.through
    who = {"user": user, "reason": reason, "stamp": stamp}
    new_objects = [association for _row, association in plan.new]
    for association in new_objects:
        association.created_at = association.updated_at = stamp
    created = Association.objects.bulk_create(new_objects)
    copy_to_history(Association, (a.pk for a in created), history_type=CREATED, **who)
    for (row, _old), association in zip(plan.new, created, strict=True):
        if row.number in plan.new_villages:
            plan.villages[association.pk] = plan.new_villages[row.number]

    if plan.changed:
        fields = sorted({name for _r, _a, changed in plan.changed for name in changed} | {"updated_at"})
        changed_objects = [association for _r, association, _c in plan.changed]
        for association in changed_objects:
            association.updated_at = stamp
        Association.objects.bulk_update(changed_objects, fields, batch_size=UPDATE_BATCH)
        copy_to_history(Association, (a.pk for a in changed_objects), history_type=CHANGED, **who)

    if plan.villages:
        existing_ids = [pk for pk in plan.villages if pk in memberships]
        for start in range(0, len(existing_ids), UPDATE_BATCH):
            through.objects.filter(association_id__in=existing_ids[start : start + UPDATE_BATCH]).delete()
        new_links = through.objects.bulk_create(
            [
                through(association_id=a, village_id=v)
                for a, villages in plan.villages.items()
                for v in villages
            ]
        )
        for link in new_links:
            links[(link.association_id, link.village_id)] = link.pk
        memberships.update(plan.villages)
    if plan.villages or any(memberships.get(a.pk) for _r, a, _c in plan.changed):
        _snapshot_villages(reason=reason, stamp=stamp, links=links, memberships=memberships)

    touched = list({id(o): o for o in plan.officers_to_end + plan.officers_to_note}.values())
    if touched:
        Officer.objects.bulk_update(touched, ["term_end", "note"], batch_size=UPDATE_BATCH)
        copy_to_history(Officer, (o.pk for o in touched), history_type=CHANGED, **who)
    if plan.officers_new:
        new_officers = Officer.objects.bulk_create([officer for _row, officer in plan.officers_new])
        copy_to_history(Officer, (o.pk for o in new_officers), history_type=CREATED, **who)


def _snapshot_villages(
    *,
    reason: str,
    stamp: datetime.datetime,
    links: dict[tuple[int, int], int],
    memberships: dict[int, set[int]],
) -> None:
    """simple-history keeps each historical row's villages in its own table; bulk writes skip that, so the
    villages every association had after this import are written for the history rows it created."""
    history_ids = dict(
        Association.history.filter(history_date=stamp, history_change_reason=reason).values_list(
            "id", "history_id"
        )
    )
    m2m_history = Association.history.model.villages.model
    m2m_history.objects.bulk_create(
        [
            m2m_history(
                history_id=history_id, id=links.get((pk, village)), association_id=pk, village_id=village
            )
            for pk, history_id in history_ids.items()
            for village in memberships.get(pk, ())
        ]
    )


# --- The service ------------------------------------------------------------------------------------------


def county_by_name(name: str) -> County | None:
    wanted = normalize_place(name)
    return next((c for c in County.objects.all() if normalize_place(c.name) == wanted), None)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Writes what a checked import planned, given the ImportRecord of its run (which the history names).
Writer = Callable[[ImportRecord], None]


def recorded_import(
    *,
    kind: str,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
    path: Path,
    user: object,
    county: County,
    dry_run: bool,
    sheet: str | None,
    file_name: str | None,
    check: Callable[[Table, ImportReport], Writer | None],
    record_extra: Mapping[str, object] | None = None,
) -> ImportReport:
    """The run every spreadsheet import shares, so that all of them read, judge and record a file alike.

    The file is read into a table; an unreadable file ends the run (exit code 2). `check` then fills the
    report from the table (issues, counts, changes) and returns a writer, or None when it has written by
    itself (and rolled back on an error or a dry run). Issues are listed by row; any error rejects the
    whole file (exit code 1). Every run, written or not, is recorded as an ImportRecord of `kind` with
    `record_extra` added to its report; a writer runs only for an import (no error, no `dry_run`), after
    the record is saved, so that what it writes can name the record."""
    report = ImportReport(file_name=file_name or path.name, county=county.name, dry_run=dry_run, sheet=sheet)
    try:
        data = read_bytes(path)
        report.sha256, report.size = sha256_of(data), len(data)
        table = read_table(columns=columns, required=required, sheet=sheet, data=data, name=report.file_name)
    except SpreadsheetError as exc:
        report.outcome = ImportRecord.Outcome.UNREADABLE
        report.errors.append(Issue(str(exc)))
        _save_record(report, user, kind=kind, extra=record_extra)
        return report

    _describe_table(table, report)
    write = check(table, report)
    report.errors.sort(key=lambda i: i.row or 0)
    report.warnings.sort(key=lambda i: i.row or 0)
    if report.errors:
        report.outcome = ImportRecord.Outcome.REJECTED
    elif dry_run:
        report.outcome = ImportRecord.Outcome.PREVIEWED
    else:
        report.outcome = ImportRecord.Outcome.IMPORTED
    record = _save_record(report, user, kind=kind, extra=record_extra)
    if report.outcome == ImportRecord.Outcome.IMPORTED and write is not None:
        write(record)
    return report


@transaction.atomic
def roster_import(
    *,
    path: Path,
    user: object,
    county: County,
    dry_run: bool,
    sheet: str | None = None,
    file_name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the roster at `path` into `county`'s associations; see the module docstring for the rules.

    With `dry_run` nothing but the ImportRecord is written. Without it, the county's associations are
    locked for the run (two imports, or an import and a clerk's edit, cannot interleave) and everything is
    written in this one transaction, or nothing when any row has a blocking error."""
    with _fewer_collections():
        return recorded_import(
            kind=KIND,
            columns=COLUMNS,
            required=REQUIRED,
            path=path,
            user=user,
            county=county,
            dry_run=dry_run,
            sheet=sheet,
            file_name=file_name,
            check=functools.partial(_check, county=county, user=user, dry_run=dry_run, progress=progress),
        )


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """An import builds some 100,000 model instances; the cyclic garbage collector would run hundreds of
    times meanwhile, each pass walking every live object (7% of a 10,000-row import). Nothing it could
    free is created here, so it runs less often until the import ends."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _check(
    table: Table,
    report: ImportReport,
    *,
    county: County,
    user: object,
    dry_run: bool,
    progress: Callable[[int, int], None] | None,
) -> Writer:
    """Clean, match and validate every row into a plan, counting it in the report; the plan is written
    only by the writer returned, once the run is recorded (the history names the record)."""
    if table.blank_rows:  # the roster, unlike the compliance sheet, also says what it passed over
        report.notices.append(_("略過空白列 %(n)d 列。") % {"n": table.blank_rows})
    geography = Geography(county, with_villages="villages" in table.columns)
    cleaner = _RowCleaner(table=table, geography=geography, report=report)
    rows: list[CleanRow] = []
    total = len(table.rows)
    for index, raw_row in enumerate(table.rows, start=1):
        if (cleaned := cleaner.clean(raw_row.number, raw_row.values)) is not None:
            rows.append(cleaned)
        if progress and (index % PROGRESS_EVERY == 0 or index == total):
            progress(index, total)
    if cleaner.township_derived:
        report.notices.append(
            _("%(n)d 列沒有填寫鄉鎮市區，已由協會名稱或地址判斷。") % {"n": cleaner.township_derived}
        )

    today = timezone.localdate()
    existing = _load_existing(county, lock=not dry_run)
    memberships: dict[int, set[int]] = {}
    links: dict[tuple[int, int], int] = {}
    for link_id, association_id, village_id in Association.villages.through.objects.filter(
        association__township__county=county
    ).values_list("pk", "association_id", "village_id"):
        memberships.setdefault(association_id, set()).add(village_id)
        links[(association_id, village_id)] = link_id
    officers = _load_officers(county, table=table, lock=not dry_run, today=today)
    plan = _plan(
        rows=rows,
        existing=existing,
        geography=geography,
        report=report,
        officers=officers,
        memberships=memberships,
        today=today,
    )
    _validate(plan, report)
    _count(rows, plan, report)

    def write(record: ImportRecord) -> None:
        reason = _("名冊匯入（匯入紀錄 #%(id)d）") % {"id": record.pk}
        _write(
            plan=plan,
            user=user,
            reason=reason[:100],
            stamp=timezone.now(),
            memberships=memberships,
            links=links,
        )

    return write


def _describe_table(table: Table, report: ImportReport) -> None:
    report.format, report.encoding, report.header_row = table.format, table.encoding, table.header_row
    report.columns = dict(table.columns)
    report.unknown_columns = list(table.unknown_columns)
    report.blank_rows = table.blank_rows
    report.rows = len(table.rows)
    if table.unknown_columns:
        report.notices.append(_("未使用的欄位：%(names)s。") % {"names": "、".join(table.unknown_columns)})
    if table.duplicate_columns:
        report.notices.append(
            _("重複的欄位只讀取第一欄，其餘未使用：%(names)s。")
            % {"names": "、".join(table.duplicate_columns)}
        )


def _load_officers(
    county: County, *, table: Table, lock: bool, today: datetime.date
) -> dict[tuple[int, str], list[Officer]]:
    positions = [position for key, position in POSITIONS.items() if key in table.columns]
    if not positions:
        return {}
    queryset = (
        Officer.objects.current(today)
        .filter(association__township__county=county, position__in=positions)
        .order_by(F("term_start").desc(nulls_last=True), "-pk")
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    officers: dict[tuple[int, str], list[Officer]] = {}
    for officer in queryset:
        officers.setdefault((officer.association_id, officer.position), []).append(officer)
    return officers


def _validate(plan: _Plan, report: ImportReport) -> None:
    """Model validation without queries (townships come from memory, uniqueness was matched above): a
    value the cleaning let through but the model refuses blocks its row rather than failing the write."""
    checks: Iterable[tuple[CleanRow, Association]] = [
        *plan.new,
        *((row, association) for row, association, _c in plan.changed),
    ]
    # Only the fields this import sets are validated: the rest hold model defaults or stored values.
    names = {f.name for f in Association._meta.concrete_fields}
    for row, association in checks:
        _full_clean(association, names - {"name", *row.values}, row, report)
    officer_names = {f.name for f in Officer._meta.concrete_fields} - {"name", "note", "position"}
    for row, officer in plan.officers_new:
        _full_clean(officer, officer_names, row, report)


def _full_clean(obj: models.Model, exclude: set[str], row: CleanRow, report: ImportReport) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            label = report.columns.get(name) or str(obj._meta.get_field(name).verbose_name)
            report.errors.append(Issue("；".join(messages), row.number, label))


def _count(rows: list[CleanRow], plan: _Plan, report: ImportReport) -> None:
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


def _save_record(
    report: ImportReport, user: object, *, kind: str, extra: Mapping[str, object] | None
) -> ImportRecord:
    record = ImportRecord.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        file_name=report.file_name[:255],
        sha256=report.sha256,
        size=report.size,
        dry_run=report.dry_run,
        outcome=report.outcome,
        counts=report.counts,
        report={**report.as_json(), **(extra or {})},
    )
    report.record_id = record.pk
    return record
