"""Cleaning: each roster row read into clean values (a CleanRow), every problem reported by row and column.
Also the county's geography held in memory, which resolves townships, villages and name keys without a
query per row (the compliance import matches its rows with it too)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from associations.models import Association, County, Officer, Township, Village
from associations.roster.columns import COLUMNS, POSITIONS, status_labels
from associations.roster.counties import CountyCheck
from core.dates import format_roc, is_placeholder, parse_date_lenient
from core.imports.issues import Issue
from core.imports.report import ImportReport
from core.spreadsheets import Table
from core.text import association_name_key, normalize_place, normalize_text

PROGRESS_EVERY = 100
LOST = "?"  # what a Big5 export writes for a character it cannot encode (full-width ？ folds to it)

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
#: The association's text fields a roster fills, each bounded by its model field's max_length.
TEXT_FIELDS = ("registration_number", "address", "phone", "email")


def county_by_name(name: str) -> County | None:
    wanted = normalize_place(name)
    return next((c for c in County.objects.all() if normalize_place(c.name) == wanted), None)


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


def too_long(text: str, limit: int) -> str:
    """A cell longer than the field it fills blocks its row (never cut, never dropped); the message names
    the limit and a short beginning of the text, so a report stays small whatever the cell holds."""
    start = text[:10] + ("…" if len(text) > 10 else "")
    return _("「%(start)s」共 %(length)d 字，超過上限 %(n)d 字，請縮短後再匯入。") % {
        "start": start,
        "length": len(text),
        "n": limit,
    }


def split_note(text: str) -> tuple[str, str]:
    """`夏金裕(黃木火代理)` -> ("夏金裕", "黃木火代理"); a name without a bracketed note -> (name, "")."""
    if match := _NOTE_RE.match(text):
        return match["name"].strip(), match["note"].strip()
    return text, ""


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
        for township in self.townships:  # an association's name key reads its county: no query per township
            township.county = county
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
        """What two writings of one association's name share (`core.text.association_name_key`)."""
        return association_name_key(name, county=self.county_name, township=township.name)


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
        self.counties = CountyCheck(geography.county)

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
            self.error(number, "name", too_long(name, self.model_fields["name"].max_length))
            return None
        township = self._township(number, texts, name)
        if township is None:
            return None
        self.lost_character(number, "name", name)
        row = CleanRow(
            number=number, name=name, township=township, key=self.geo.name_key(name, township), values={}
        )
        self._fields(row, raw, texts)
        self._status(row, raw, texts)
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
            if township is not None:
                self.counties.at_home()
            elif not self.counties.elsewhere(number, written, column=self.header("township")):
                self.error(
                    number,
                    "township",
                    _("「%(written)s」不是%(county)s的鄉鎮市區。")
                    % {"written": written, "county": self.geo.county.name},
                )
            return township
        township = self.geo.township_in(name) or self.geo.township_in(texts.get("address", ""))
        column = self.header("township") if "township" in self.table.columns else None
        if township is None and self.counties.elsewhere_in(
            number, name, texts.get("address", ""), column=column
        ):
            return None
        if township is None:
            self.error(
                number,
                "township" if "township" in self.table.columns else None,
                _("無法判斷所屬鄉鎮市區：沒有填寫，協會名稱與地址也未寫明。"),
            )
        else:
            self.township_derived += 1
            self.counties.at_home()
        return township

    def _fields(self, row: CleanRow, raw: dict[str, object], texts: dict[str, str]) -> None:
        n = row.number
        for key in TEXT_FIELDS:  # an overlong cell blocks its row before anything quotes it
            limit = self.model_fields[key].max_length
            if len(texts.get(key, "")) > limit:
                self.error(n, key, too_long(texts[key], limit))
                texts[key] = ""
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

    def _status(self, row: CleanRow, raw: dict[str, object], texts: dict[str, str]) -> None:
        """狀態 (運作中 / 限期整理中 / 已解散) and 解散日期; a blank cell keeps what is stored, anything
        unreadable blocks the row (a wrong status would drop the association from every active list)."""
        if text := texts.get("status"):
            status = status_labels().get(text)
            if status is None:
                self.error(
                    row.number,
                    "status",
                    _("「%(text)s」不是協會狀態，請填寫%(choices)s。")
                    % {"text": text, "choices": "、".join(str(label) for label in Association.Status.labels)},
                )
            else:
                row.values["status"] = status
        if text := texts.get("dissolved_on"):
            date, problem = parse_date_lenient(raw["dissolved_on"])
            if date is None or problem or is_placeholder(date):
                self.error(
                    row.number,
                    "dissolved_on",
                    _("「%(text)s」不是可辨識的解散日期，請填寫民國日期，例如 115/02/17。") % {"text": text},
                )
            elif row.values.get("status", Association.Status.DISSOLVED) != Association.Status.DISSOLVED:
                self.error(row.number, "dissolved_on", _("只有已解散的協會才有解散日期。"))
            else:
                row.values["dissolved_on"] = date

    def _set_text(self, row: CleanRow, name: str, text: str) -> None:
        limit = self.model_fields[name].max_length
        if limit and len(text) > limit:
            self.error(row.number, name if name in COLUMNS else None, too_long(text, limit))
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
        for text, field_name in ((name, "name"), (note, "note")):
            limit = Officer._meta.get_field(field_name).max_length
            if len(text) > limit:
                self.error(row.number, key, too_long(text, limit))
                return
        row.officers[position] = (name, note)


@dataclass
class CleanRoster:
    """The rows read, with the geography they were resolved against (planning matches on it)."""

    rows: list[CleanRow]
    geography: Geography
    positions: list[str]  # the officer positions the file has a column for


def clean_roster(
    table: Table, report: ImportReport, *, county: County, progress: Callable[[int, int], None] | None
) -> CleanRoster:
    if table.blank_rows:  # the roster, unlike the compliance sheet, also says what it passed over
        report.notices.append(_("略過空白列 %(n)d 列。") % {"n": table.blank_rows})
    geography = Geography(county, with_villages="villages" in table.columns)
    cleaner = _RowCleaner(table=table, geography=geography, report=report)
    rows: list[CleanRow] = []
    total = len(table.rows)
    for index, raw_row in enumerate(table.rows, start=1):
        if (cleaned := cleaner.clean(raw_row.number, raw_row.values)) is not None:
            rows.append(cleaned)
        raw_row.values = {}  # read: the cells (which may be long) are not kept for the rest of the run
        if progress and (index % PROGRESS_EVERY == 0 or index == total):
            progress(index, total)
    cleaner.counties.report_to(report)
    if cleaner.township_derived:
        report.notices.append(
            _("%(n)d 列沒有填寫鄉鎮市區，已由協會名稱或地址判斷。") % {"n": cleaner.township_derived}
        )
    positions = [position for key, position in POSITIONS.items() if key in table.columns]
    return CleanRoster(rows=rows, geography=geography, positions=positions)
