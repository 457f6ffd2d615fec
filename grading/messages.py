"""The texts of grading's judgments, stored as a code with parameters and rendered when shown.

A rule's explanation, a tier's reason and a to-do item's description are stored as
``{"code": "assembly_pending", "params": {"year": 2026, "due": "2026-12-31"}}``: the code names a sentence in
`MESSAGES`, the parameters are plain JSON (dates as ISO strings, years as Gregorian ints). `render` turns one
into text in the active language, so an English reader reads English (with half-width punctuation) and a
Chinese reader Chinese; exports and the stored history render under the portal's own language
(`in_record_language`). Nothing here touches the database.

Rows stored before codes existed carry Chinese text; `from_legacy_text` reads such a text back into a code and
parameters when it matches one of the sentences, and keeps it verbatim (code ``text``) when it does not.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language, gettext, gettext_noop, pgettext

from core.dates import format_roc, format_roc_year

Message = dict[str, object]


@dataclass(frozen=True)
class Template:
    #: The Chinese sentence, the msgid of its translation.
    text: str
    #: Parameters holding one date (ISO), a list of dates, a Gregorian year, a nested message or a list of
    #: them (joined as clauses), and a key of `LABELS`.
    dates: tuple[str, ...] = ()
    date_lists: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    nested: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    #: A nested message parameter appended after the sentence when present (an optional note).
    suffix: str = ""
    #: False for a sentence that is only its parameters (nothing to translate).
    translate: bool = True


def _t(text: str, **kinds: str) -> Template:
    """A template whose parameter kinds are given as space-separated names: `_t("…", dates="due filed")`."""
    fields = {name: tuple(value.split()) for name, value in kinds.items() if name != "suffix"}
    return Template(text, suffix=kinds.get("suffix", ""), **fields)


#: Every rule's name, by rule code, in the order people read the rules.
RULE_LABELS: dict[str, str] = {
    "assembly_held": gettext_noop("召開會員大會"),
    "board_meetings_at_interval": gettext_noop("定期召開理事會"),
    "supervisory_meetings_at_interval": gettext_noop("定期召開監事會"),
    "plan_budget_filed_before_year": gettext_noop("工作計畫及預算於年度開始前送府"),
    "report_accounts_filed_by_march": gettext_noop("工作報告及決算於次年 3 月底前送府"),
    "minutes_filed_within_30_days": gettext_noop("會議紀錄於會後 30 日內送府"),
    "term_not_expired": gettext_noop("任期屆滿前完成改選"),
    "no_open_order": gettext_noop("無限期改選或整理命令"),
}

#: Names a message may refer to by key (the tier thresholds, in a threshold change's summary).
LABELS: dict[str, str] = {
    "potential_min_activities": gettext_noop("潛力型至少應有的方案數"),
    "developing_min_activities": gettext_noop("發展型至少應有的方案數"),
    "volunteer_team_min_size": gettext_noop("志工隊計入方案的最低人數"),
}

MESSAGES: dict[str, Template] = {
    # assembly_held
    "assembly_held_on": _t(gettext_noop("已於 %(dates)s 召開會員大會。"), date_lists="dates", suffix="note"),
    "assembly_pending": _t(
        gettext_noop("%(year)s尚未召開會員大會，請於 %(due)s 前召開。"),
        years="year",
        dates="due",
        suffix="note",
    ),
    "assembly_missed": _t(
        gettext_noop("%(year)s未召開會員大會（期限 %(due)s）。"), years="year", dates="due", suffix="note"
    ),
    "no_quorum_note": _t(gettext_noop("（%(dates)s 的會議未達法定人數，不予計入）"), date_lists="dates"),
    # board_meetings_at_interval, supervisory_meetings_at_interval
    "interval_gap": _t(
        gettext_noop("%(since)s 至 %(day)s 間隔超過 %(n)d 個月（應於 %(due)s 前召開）。"),
        nested="since",
        dates="day due",
    ),
    "interval_none_since": _t(
        gettext_noop("%(since)s 之後超過 %(n)d 個月未召開（應於 %(due)s 前召開）。"),
        nested="since",
        dates="due",
    ),
    "interval_pending": _t(gettext_noop("本年度已召開 %(count)d 次；下次請於 %(due)s 前召開。"), dates="due"),
    "interval_too_few": _t(
        gettext_noop("全年召開 %(count)d 次，每 %(n)d 個月至少一次應召開 %(required)d 次。")
    ),
    "interval_kept": _t(gettext_noop("已於 %(dates)s 召開，間隔均未超過 %(n)d 個月。"), date_lists="dates"),
    "year_start": _t(gettext_noop("年度開始（%(day)s）"), dates="day"),
    "date": Template("%(day)s", dates=("day",), translate=False),
    # plan_budget_filed_before_year, report_accounts_filed_by_march
    "filed_on_time": _t(gettext_noop("已於 %(filed)s 送府（期限 %(due)s）。"), dates="filed due"),
    "filed_late": _t(gettext_noop("逾期送府：%(filed)s 送府，期限為 %(due)s。"), dates="filed due"),
    "not_filed": _t(gettext_noop("未送府（期限 %(due)s）。"), dates="due"),
    "not_filed_yet": _t(gettext_noop("尚未送府，請於 %(due)s 前送府。"), dates="due"),
    # minutes_filed_within_30_days
    "minutes_problems": _t(gettext_noop("%(problems)s。"), nested="problems"),
    "minutes_late": _t(
        gettext_noop("%(held)s 的會議紀錄於 %(filed)s 送府，逾期限 %(due)s"), dates="held filed due"
    ),
    "minutes_missing": _t(gettext_noop("%(held)s 的會議紀錄未送府（期限 %(due)s）"), dates="held due"),
    "minutes_waiting": _t(gettext_noop("%(held)s 的會議紀錄請於 %(due)s 前送府。"), dates="held due"),
    "minutes_all_filed": _t(gettext_noop("會議紀錄均於會後 30 日內送府。")),
    "minutes_none_due": _t(gettext_noop("本年度尚無須送會議紀錄的會議。")),
    # term_not_expired
    "term_missing": _t(gettext_noop("未登錄理監事任期，無法確認是否依限改選。")),
    "term_expired": _t(gettext_noop("任期已於 %(ends)s 屆滿，至 %(day)s 尚未改選。"), dates="ends day"),
    "term_expired_open": _t(gettext_noop("任期已於 %(ends)s 屆滿，尚未改選。"), dates="ends"),
    "term_ending": _t(gettext_noop("任期將於 %(ends)s 屆滿，請於屆滿前辦理改選。"), dates="ends"),
    "term_until": _t(gettext_noop("任期至 %(ends)s。"), dates="ends"),
    # no_open_order
    "order_open": _t(gettext_noop("協會受主管機關限期整理或改選中。")),
    "order_none": _t(gettext_noop("無限期整理或改選命令。")),
    # the tier rule (grading.tiers)
    "tier_abnormal": _t(gettext_noop("會務財務狀態異常。")),
    "tier_no_programme": _t(gettext_noop("方案數 %(total)d，未達潛力型門檻 %(min)d，視為沒有方案運作。")),
    "tier_developing": _t(gettext_noop("會務財務正常，方案數 %(total)d 達發展型門檻 %(min)d。")),
    "tier_guidance": _t(gettext_noop("會務財務待輔導，方案數 %(total)d；會務財務正常後才可列為發展型。")),
    "tier_potential": _t(gettext_noop("會務財務正常，方案數 %(total)d，未達發展型門檻 %(min)d。")),
    # a change of a year's thresholds (TierChange)
    "thresholds_changed": _t("%(changes)s", nested="changes"),
    "threshold_change": _t(gettext_noop("%(name)s：%(before)d → %(after)d"), labels="name"),
    # a text stored before codes existed, shown as it was written
    "text": Template("%(text)s", translate=False),
}


def message(code: str, **params: object) -> Message:
    """A message to store: dates become ISO strings, lists of dates lists of them, None is left out (an
    absent note), the rest is kept."""
    if code not in MESSAGES:
        raise KeyError(code)
    return {
        "code": code,
        "params": {
            # A plain date (the commonest parameter after the plain ones) is converted without a call.
            name: value
            if (kind := type(value)) in _AS_IS
            else value.isoformat()
            if kind is datetime.date
            else _to_json(value)
            for name, value in params.items()
            if value is not None
        },
    }


#: Parameters stored as they are, checked before a call (a year's recompute makes ~90,000 messages).
_AS_IS = frozenset({str, int, bool, dict})


def _to_json(value: object) -> object:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        # Mostly lists of plain dates (the meetings of a year): converted without a call per item.
        return [item.isoformat() if type(item) is datetime.date else _to_json(item) for item in value]
    return value


def _date(value: object) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if isinstance(value, str) and value else None


def list_separator() -> str:
    """、 between the items of a list in Chinese, ", " in English."""
    return pgettext("list separator", "、")


def clause_separator() -> str:
    """； between clauses in Chinese, "; " in English."""
    return pgettext("clause separator", "；")


def render(value: object) -> str:
    """The text of a stored message in the active language. A plain string (a person's words, or a row
    not converted) is returned as it is; an unknown code renders as its parameters' text, never an error."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return clause_separator().join(render(item) for item in value)
    if not isinstance(value, Mapping):
        return str(value)
    template = MESSAGES.get(str(value.get("code")))
    params = dict(value.get("params") or {})
    if template is None:
        return str(params.get("text", ""))
    values: dict[str, object] = {}
    for name, param in params.items():
        if name == template.suffix:
            continue
        if name in template.dates:
            values[name] = format_roc(_date(param))
        elif name in template.date_lists:
            values[name] = list_separator().join(format_roc(_date(day)) for day in param or [])
        elif name in template.years:
            values[name] = format_roc_year(int(param))
        elif name in template.nested:
            values[name] = render(param)
        elif name in template.labels:
            values[name] = gettext(LABELS[param]) if param in LABELS else str(param)
        else:
            values[name] = param
    text = (gettext(template.text) if template.translate else template.text) % values
    if template.suffix and params.get(template.suffix):
        text += render(params[template.suffix])
    return text


def rule_label(code: str) -> str:
    """A rule's name in the active language (its code when the rule is unknown)."""
    label = RULE_LABELS.get(code)
    return gettext(label) if label else code


@contextlib.contextmanager
def in_record_language() -> Iterator[None]:
    """Texts written into the county's record (exports, the history) are in the portal's own language,
    whichever language the reader has chosen."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def record_text(value: object) -> str:
    with in_record_language():
        return render(value)


# --- reading texts stored before codes existed -----------------------------------------------------------

_ROC_DATE = r"\d{1,3}/\d{2}/\d{2}"
_PARAM = re.compile(r"%\((\w+)\)([sd])")


def _pattern(template: Template) -> re.Pattern[str]:
    """The Chinese sentence as a regular expression with a named group per parameter."""
    parts: list[str] = []
    position = 0
    for match in _PARAM.finditer(template.text):
        parts.append(re.escape(template.text[position : match.start()]))
        name, kind = match.groups()
        if name in template.dates:
            group = _ROC_DATE
        elif name in template.date_lists:
            group = f"{_ROC_DATE}(?:、{_ROC_DATE})*"
        elif name in template.years:
            group = r"\d{1,3}年度"
        elif kind == "d":
            group = r"-?\d+"
        else:
            group = ".+?"
        parts.append(f"(?P<{name}>{group})")
        position = match.end()
    parts.append(re.escape(template.text[position:]))
    suffix = f"(?P<{template.suffix}>（.*）)?" if template.suffix else ""
    return re.compile("".join(parts) + suffix)


def _roc_to_date(text: str) -> datetime.date:
    year, month, day = (int(part) for part in text.split("/"))
    return datetime.date(year + 1911, month, day)


def _parse(text: str, codes: Iterable[str]) -> Message | None:
    for code in codes:
        template = MESSAGES[code]
        if not template.translate and code != "date":
            continue
        match = _pattern(template).fullmatch(text)
        if match is None:
            continue
        params: dict[str, object] = {}
        ok = True
        for name, found in match.groupdict().items():
            if found is None:
                continue
            if name in template.dates:
                params[name] = _roc_to_date(found).isoformat()
            elif name in template.date_lists:
                params[name] = [_roc_to_date(day).isoformat() for day in found.split("、")]
            elif name in template.years:
                params[name] = int(found.removesuffix("年度")) + 1911
            elif name == template.suffix:
                note = _parse(found, ["no_quorum_note"])
                ok = note is not None
                params[name] = note
            elif name == "since":
                since = _parse(found, ["year_start", "date"])
                ok = since is not None
                params[name] = since
            elif name == "problems":
                clauses = [_parse(part, ["minutes_late", "minutes_missing"]) for part in found.split("；")]
                ok = all(clauses)
                params[name] = clauses
            elif name in template.labels:
                ok = False
            else:
                params[name] = int(found)
        if ok:
            return {"code": code, "params": params}
    return None


def from_legacy_text(text: str) -> Message:
    """A stored Chinese text read back into a code and parameters, or kept verbatim (code ``text``)."""
    codes = [
        code for code in MESSAGES if code not in ("text", "date", "thresholds_changed", "threshold_change")
    ]
    try:
        found = _parse(text, codes)
    except (ValueError, KeyError):
        found = None
    return found or {"code": "text", "params": {"text": text}}


def count_label(entry: Mapping[str, object]) -> str:
    """A stored count's label (`ProgrammeCount.to_json`) in the active language. A label stored before labels
    kept their parameters is already the Chinese text: it has no translation and reads as stored."""
    label = gettext(str(entry.get("label", "")))
    params = entry.get("params")
    if not isinstance(params, Mapping) or not params:
        return label
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    values = {
        key: separator.join(str(v) for v in value) if isinstance(value, list) else value
        for key, value in params.items()
    }
    try:
        return label % values
    except (KeyError, TypeError, ValueError):  # a translation that lost a parameter: the record's own text
        return str(entry.get("label", ""))
