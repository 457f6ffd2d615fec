"""ROC (Republic of China, 民國) calendar parsing and formatting, and the year range and month arithmetic
the apps share.

Shared by forms, pages, models, rules, spreadsheet imports and exports. ROC year = Gregorian year − 1911
(112年 = 2023).

The parser is deliberately strict: a date that cannot be read unambiguously raises :class:`ROCDateError`
rather than being guessed, because a wrong date silently imported into an association's record is worse
than a rejected row. The rules that remove ambiguity:

* A year written with 4 digits and ≥ 1912 is Gregorian; 1–3 digits is ROC.
* ROC years must be 1..200 and Gregorian years 1912..2100. Earlier dates have no ROC form, and the cap
  on ROC years is what rejects typos such as ``8201217`` (it would otherwise be ROC year 820).
* Compact digit strings are read from the right: the last four digits are always MMDD, so 5/6/7 digits
  are ROC YMMDD/YYMMDD/YYYMMDD and 8 digits are Gregorian YYYYMMDD.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import math
import re
import unicodedata

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _

__all__ = [
    "YEAR_VALIDATORS",
    "ROCDateError",
    "add_months",
    "format_roc",
    "format_roc_long",
    "format_roc_year",
    "gregorian_year",
    "is_placeholder",
    "parse_date",
    "parse_date_lenient",
    "parse_year",
    "roc_year",
    "year_in_range",
]

ROC_OFFSET = 1911
MIN_ROC_YEAR = 1
MAX_ROC_YEAR = 200
MIN_GREGORIAN_YEAR = ROC_OFFSET + MIN_ROC_YEAR  # 1912, 民國元年
MAX_GREGORIAN_YEAR = 2100
#: For a model's year field: the years a date can be parsed in (and a URL's year must fall in).
YEAR_VALIDATORS = [MinValueValidator(MIN_GREGORIAN_YEAR), MaxValueValidator(MAX_GREGORIAN_YEAR)]

# 0010101 (ROC 1/01/01) is what legacy spreadsheets put in a date column they had no value for.
PLACEHOLDER_DATE = datetime.date(MIN_GREGORIAN_YEAR, 1, 1)

DateInput = str | datetime.date | datetime.datetime | int | float | None

_COMPACT_RE = re.compile(r"\d{5,8}")
# The back-reference keeps the separator consistent: "112/01-03" is more likely a typo than a date.
_SEPARATED_RE = re.compile(
    r"(?P<year>\d{1,4})(?P<sep>[/.\-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"(?P<time>[T ](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_CHINESE_RE = re.compile(
    r"(?P<era>(?:中華)?民國)?\s*(?P<year>\d{1,4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"
)
_YEAR_RE = re.compile(r"(?P<era>(?:中華)?民國)?\s*(?P<year>\d{1,4})\s*(?:年度?)?")

# Characters a Big5 export substitutes for bytes it could not encode (the full-width one is NFKC-folded).
_LOST_CHARACTERS = "?"


class ROCDateError(ValueError):
    """A value could not be read as a date; the message is in Traditional Chinese and quotes the input.

    Subclasses ValueError so that form and import code catching ValueError keeps working.
    """


def _normalise(text: str) -> str:
    # NFKC folds full-width digits and punctuation (１１２／０１／０３) that Chinese IMEs type by default.
    return unicodedata.normalize("NFKC", text).strip()


def _unrecognised(text: str) -> ROCDateError:
    return ROCDateError(_("無法辨識的日期：%(text)s") % {"text": text})


def _year_from_digits(digits: str, *, allow_roc: bool = True, allow_gregorian: bool = True) -> int | None:
    """Return the Gregorian year written as ``digits`` (ROC if 1–3 digits, Gregorian if 4), or None."""
    year = int(digits)
    if len(digits) == 4:
        if allow_gregorian and MIN_GREGORIAN_YEAR <= year <= MAX_GREGORIAN_YEAR:
            return year
        return None
    if allow_roc and MIN_ROC_YEAR <= year <= MAX_ROC_YEAR:
        return year + ROC_OFFSET
    return None


def _build_date(year: int, month: str, day: str, text: str) -> datetime.date:
    try:
        return datetime.date(year, int(month), int(day))
    except ValueError:
        raise ROCDateError(_("日期不存在：%(text)s") % {"text": text}) from None


def _parse_text(normalised: str, text: str) -> datetime.date:
    """Parse an NFKC-normalised, stripped, non-empty string; ``text`` is what the user typed, for messages."""
    if _COMPACT_RE.fullmatch(normalised):
        # The last four digits are MMDD; whatever precedes them is the year.
        year_digits, month, day = normalised[:-4], normalised[-4:-2], normalised[-2:]
        if len(normalised) == 8:
            year = _year_from_digits(year_digits, allow_roc=False)
        else:
            # Compact ROC years may be zero-padded ("0851004"), so drop the padding before counting digits.
            year = _year_from_digits(str(int(year_digits)), allow_gregorian=False)
        if year is None:
            raise _unrecognised(text)
        return _build_date(year, month, day, text)

    if match := _SEPARATED_RE.fullmatch(normalised):
        year_digits = match["year"]
        # Only Gregorian values come with a time part (ISO strings, Excel text exports).
        if match["time"] and len(year_digits) != 4:
            raise _unrecognised(text)
        year = _year_from_digits(year_digits)
        if year is None:
            raise _unrecognised(text)
        return _build_date(year, match["month"], match["day"], text)

    if match := _CHINESE_RE.fullmatch(normalised):
        # "民國2023年" mixes the two calendars: refuse it rather than pick one.
        year = _year_from_digits(match["year"], allow_gregorian=not match["era"])
        if year is None:
            raise _unrecognised(text)
        return _build_date(year, match["month"], match["day"], text)

    raise _unrecognised(text)


def _number_to_text(value: int | float) -> str | None:
    """Digit string of a numeric spreadsheet cell (1030405.0 → "1030405"), or None if it has no such form."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if value < 0:
        return None
    return str(value)


def parse_date(value: DateInput) -> datetime.date | None:
    """Read a date written in any of the ROC or Gregorian forms the portal meets.

    Returns None for None, "" and whitespace-only strings. ``date`` values are returned as is and
    ``datetime`` values (how openpyxl delivers Excel date cells) are reduced to their date. ``int`` and
    whole-number ``float`` values are read as their digit string, for cells that hold 1030405 as a number.
    Note that xlrd hands .xls date cells over as float serial numbers: convert those with
    ``xlrd.xldate.xldate_as_datetime`` first, or they will be misread as compact ROC digits.

    Accepted strings (after NFKC normalisation and stripping):

    * compact ROC digits ``10101`` / ``810913`` / ``1030405`` / ``0851004``, compact Gregorian ``20230103``;
    * separated ROC ``112/1/3``, ``112.01.03``, ``112-01-03``, ``99/12/31``;
    * Chinese ``民國112年1月3日``, ``中華民國112年01月03日``, ``112年1月3日``, ``2023年1月3日``;
    * Gregorian ``2023-01-03``, ``2023/1/3``, ``2023.01.03``, ``2023-01-03 00:00:00``,
      ``2023-01-03T10:00:00``.

    Anything else, including a trailing ``?`` left by a lossy Big5 export (see :func:`parse_date_lenient`),
    raises :class:`ROCDateError`. The earliest date that parses is 1912-01-01, see :func:`is_placeholder`.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float):
        digits = _number_to_text(value)
        if digits is None:
            raise _unrecognised(str(value))
        return _parse_text(digits, digits)
    if isinstance(value, str):
        normalised = _normalise(value)
        if not normalised:
            return None
        return _parse_text(normalised, value.strip())
    # A spreadsheet cell can hold anything (a time, a formula error): report it like any other bad value.
    raise _unrecognised(str(value))


def parse_date_lenient(value: DateInput) -> tuple[datetime.date | None, str | None]:
    """Like :func:`parse_date`, but for imports that report problems per row instead of failing.

    Returns ``(date, warning)``. A trailing ``?`` / ``？`` (a character lost in a Big5 export, as in
    ``860517?``) is removed and the date is returned with a warning saying how it was read, so that a
    person can check it. Unparseable input gives ``(None, error_message)`` instead of raising. A clean
    value gives ``(date, None)``; an empty one ``(None, None)``.
    """
    try:
        return parse_date(value), None
    except ROCDateError as error:
        if not isinstance(value, str):
            return None, str(error)
        normalised = _normalise(value)
        stripped = normalised.rstrip(_LOST_CHARACTERS)
        if stripped == normalised or not stripped.strip():
            return None, str(error)
        try:
            # Quote the stripped text so the message names the remaining problem, not the "?".
            date = _parse_text(stripped.strip(), value.strip().rstrip("?？").strip())
        except ROCDateError as stripped_error:
            return None, str(stripped_error)
        lost = normalised[len(stripped) :]
        return date, _("日期含無法辨識的字元「%(lost)s」，已去除後解讀為 %(date)s") % {
            "lost": lost,
            "date": format_roc(date),
        }


def is_placeholder(d: datetime.date) -> bool:
    """True for 1912-01-01, the ``0010101`` (ROC 1/01/01) filler legacy spreadsheets use for "no date".

    parse_date accepts it because it is a real date; importers should warn on it rather than store it as
    if someone had meant it.
    """
    if isinstance(d, datetime.datetime):
        # datetime never compares equal to a date, so compare like with like.
        d = d.date()
    return d == PLACEHOLDER_DATE


def _check_formattable(d: datetime.date) -> None:
    if d.year < MIN_GREGORIAN_YEAR:
        raise ValueError(f"{d.isoformat()} 早於民國元年，無法以民國紀年表示")


def format_roc(d: datetime.date | None, *, sep: str = "/") -> str:
    """2023-01-03 → ``112/01/03`` (year unpadded, month and day two digits); None → ``""``.

    Raises ValueError for dates before 1912-01-01.
    """
    if d is None:
        return ""
    _check_formattable(d)
    return f"{d.year - ROC_OFFSET}{sep}{d.month:02d}{sep}{d.day:02d}"


def format_roc_long(d: datetime.date | None) -> str:
    """2023-01-03 → ``民國112年1月3日``; None → ``""``. Raises ValueError for dates before 1912-01-01."""
    if d is None:
        return ""
    _check_formattable(d)
    return f"民國{d.year - ROC_OFFSET}年{d.month}月{d.day}日"


def roc_year(year: int) -> int:
    """Gregorian year → ROC year (2023 → 112). Raises ValueError before 1912."""
    if year < MIN_GREGORIAN_YEAR:
        raise ValueError(f"{year} 年早於民國元年")
    return year - ROC_OFFSET


def gregorian_year(roc: int) -> int:
    """ROC year → Gregorian year (112 → 2023). Raises ValueError for ROC years below 1."""
    if roc < MIN_ROC_YEAR:
        raise ValueError(f"民國 {roc} 年不存在")
    return roc + ROC_OFFSET


def year_in_range(year: int) -> bool:
    """A Gregorian year the portal handles: 1912 (民國元年) to 2100, as the year fields' validators allow."""
    return MIN_GREGORIAN_YEAR <= year <= MAX_GREGORIAN_YEAR


@functools.lru_cache(maxsize=4096)  # a year's recompute asks ~120,000 times for a few hundred answers
def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's end (08/31 + 6 months = 02/28 or 02/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def format_roc_year(year: int) -> str:
    """Gregorian year → fiscal-year label (2023 → ``112年度``)."""
    return _("%(year)d年度") % {"year": roc_year(year)}


def parse_year(value: str | int | None) -> int:
    """Read a year and return it as Gregorian.

    Accepts ``112``, ``112年``, ``112年度``, ``民國112年``, ``2023`` and the same as ints; like dates,
    4 digits ≥ 1912 is Gregorian and 1–3 digits is ROC (1..200). Raises :class:`ROCDateError` otherwise.
    """
    text = "" if value is None else str(value).strip()
    if isinstance(value, bool):
        raise ROCDateError(_("無法辨識的年度：%(text)s") % {"text": text})
    if isinstance(value, int | str) and (match := _YEAR_RE.fullmatch(_normalise(str(value)))):
        year = _year_from_digits(match["year"], allow_gregorian=not match["era"])
        if year is not None:
            return year
    raise ROCDateError(_("無法辨識的年度：%(text)s") % {"text": text})
