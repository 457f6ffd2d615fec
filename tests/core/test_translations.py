"""The English catalogue cannot silently rot: every entry translated and compiled, and every string marked
in the source present in it. Regenerate with `make messages` (makemessages + compilemessages), then
translate what it adds."""

from __future__ import annotations

import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
#: What `make messages` leaves out of makemessages; keep in step with the Makefile.
IGNORED = (".venv", "tests", "bench", "staticfiles", "media")
#: The files makemessages reads for the django and djangojs domains.
SOURCE_SUFFIXES = (".py", ".html", ".txt", ".js")

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")


@dataclass
class Entry:
    """One message of a .po file, as gettext reads it (obsolete `#~` entries are not messages)."""

    line: int
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    locations: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str | None, str | None]:
        return self.msgctxt, self.msgid, self.msgid_plural

    def __str__(self) -> str:
        where = f" ({self.locations[0]})" if self.locations else f" (line {self.line})"
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"{context}{self.msgid!r}{where}"


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader (no runtime dependency): contexts, plurals, flags, locations, continued lines."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    locations: list[str] = []
    target: tuple[str, int] | None = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                current, target = None, None
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            elif line.startswith("#:"):
                locations.extend(line[2:].split())
            continue
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{path}:{number}: a continued string outside a message")
            name, index = target
            text = _unquote(line)
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, getattr(current, name) + text)
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
        keyword, index, quoted = match.groups()
        starts_message = keyword in ("msgctxt", "msgid")
        # A msgctxt or msgid opens a message, except the msgid that follows its msgctxt.
        if current is None or (starts_message and (current.msgstr or current.msgid is not None)):
            current = Entry(line=number, flags=flags, locations=locations)
            flags, locations = set(), []
            entries.append(current)
        text = _unquote(quoted)
        if keyword.startswith("msgstr"):
            position = int(index) if index is not None else 0
            current.msgstr[position] = text
            target = ("msgstr", position)
        else:
            setattr(current, keyword, text)
            target = (keyword, 0)
    return entries


def _messages(path: Path) -> list[Entry]:
    """The entries that are messages: everything but the header."""
    return [entry for entry in parse_po(path) if entry.msgid != "" or entry.msgctxt is not None]


def _placeholders(text: str) -> list[str]:
    return sorted(name or kind for name, kind in _PLACEHOLDER.findall(text) if kind != "%")


def _describe(entries: list[Entry]) -> str:
    return "\n  ".join(str(entry) for entry in entries)


def test_there_is_a_catalogue_for_every_language_but_the_default():
    languages = {code for code, _name in settings.LANGUAGES} - {settings.LANGUAGE_CODE}
    for code in languages:
        assert (LOCALE_DIR / translation.to_locale(code) / "LC_MESSAGES" / "django.po").is_file(), code


def test_the_parser_reads_contexts_plurals_flags_and_continued_lines(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "第 %(n)d 屆"\nmsgstr ""\n"Term "\n"%(n)d"\n\n'
        'msgctxt "history"\nmsgid "刪除"\nmsgstr "Deleted"\n\n'
        '#, fuzzy\nmsgid "警告 %(n)s 則"\nmsgid_plural "警告 %(n)s 則"\nmsgstr[0] "%(n)s warning"\n'
        'msgstr[1] ""\n\n#~ msgid "舊"\n#~ msgstr "Old"\n',
        encoding="utf-8",
    )
    header, term, deleted, warnings = parse_po(po)
    assert header.msgid == "" and header.msgstr == {0: "Language: en\n"}
    assert (term.msgstr, term.flags, term.locations) == ({0: "Term %(n)d"}, {"python-format"}, ["a.py:1"])
    assert (deleted.msgctxt, deleted.msgid, deleted.msgstr) == ("history", "刪除", {0: "Deleted"})
    assert warnings.msgid_plural == "警告 %(n)s 則" and warnings.msgstr == {0: "%(n)s warning", 1: ""}
    assert "fuzzy" in warnings.flags


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_every_entry_is_translated_and_none_is_fuzzy(po):
    entries = parse_po(po)
    messages = [entry for entry in entries if entry.msgid != "" or entry.msgctxt is not None]
    assert messages, f"{po.name} has no messages"
    fuzzy = [entry for entry in entries if "fuzzy" in entry.flags]
    untranslated = [
        entry
        for entry in messages
        if not entry.msgstr
        or not all(entry.msgstr.values())
        or (entry.msgid_plural is not None and len(entry.msgstr) < 2)
    ]
    problems = []
    if fuzzy:
        problems.append("fuzzy (check the translation, then drop the flag):\n  " + _describe(fuzzy))
    if untranslated:
        problems.append("untranslated:\n  " + _describe(untranslated))
    if problems:
        pytest.fail(f"{po.relative_to(BASE_DIR)}: " + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_translations_keep_every_placeholder(po):
    wrong = []
    for entry in _messages(po):
        wanted = _placeholders(entry.msgid)
        if entry.msgid_plural is None:
            if _placeholders(entry.msgstr.get(0, "")) != wanted:
                wrong.append(entry)
        else:
            allowed = set(wanted) | set(_placeholders(entry.msgid_plural))
            if any(not set(_placeholders(text)) <= allowed for text in entry.msgstr.values()):
                wrong.append(entry)
    if wrong:
        pytest.fail(
            f"placeholders differ between msgid and msgstr in {po.relative_to(BASE_DIR)}:\n  "
            + _describe(wrong),
            pytrace=False,
        )


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_the_compiled_catalogue_matches_the_po_file(po):
    """A .po edited without `make messages` (compilemessages) leaves a stale .mo that users would see."""
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo.relative_to(BASE_DIR)} is missing: run `make messages`"
    with mo.open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    stale = []
    for entry in _messages(po):
        if entry.msgid_plural is None:
            if entry.msgctxt is not None:
                got = compiled.pgettext(entry.msgctxt, entry.msgid)
            else:
                got = compiled.gettext(entry.msgid)
            if got != entry.msgstr.get(0):
                stale.append(entry)
            continue
        for index, text in entry.msgstr.items():
            n = next(n for n in range(1000) if compiled.plural(n) == index)
            if entry.msgctxt is not None:
                got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            else:
                got = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            if got != text:
                stale.append(entry)
                break
    if stale:
        pytest.fail(
            f"{mo.relative_to(BASE_DIR)} does not match {po.name} (edited without compiling?); "
            "run `make messages`. Differing:\n  " + _describe(stale),
            pytrace=False,
        )


def test_django_serves_the_english_catalogue():
    with translation.override("en"):
        assert translation.gettext("首頁") == "Home"
        assert translation.pgettext("history", "刪除") == "Deleted"
    with translation.override("zh-hant"):
        assert translation.gettext("首頁") == "首頁"


def _copy_sources(destination: Path) -> None:
    """What makemessages would read, without the committed locale/ (it would write there otherwise)."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        top = Path(directory) == BASE_DIR
        skipped = set()
        for name in names:
            path = Path(directory) / name
            if path.is_dir():
                if name in {".git", "__pycache__", "node_modules"} or (top and name in {*IGNORED, "locale"}):
                    skipped.add(name)
            elif not name.endswith(SOURCE_SUFFIXES):
                skipped.add(name)
        return skipped

    shutil.copytree(BASE_DIR, destination, ignore=ignore)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext) on PATH")
def test_every_marked_string_is_in_the_committed_catalogue(tmp_path, monkeypatch, settings):
    source = tmp_path / "source"
    _copy_sources(source)
    monkeypatch.chdir(source)
    settings.LOCALE_PATHS = [source / "locale"]
    problems = []
    for domain in ("django", "djangojs"):
        call_command(
            "makemessages",
            locale=["en"],
            domain=domain,
            ignore_patterns=list(IGNORED),
            no_obsolete=True,
            verbosity=0,
        )
        fresh_po = source / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
        committed_po = LOCALE_DIR / "en" / "LC_MESSAGES" / f"{domain}.po"
        fresh = {entry.key: entry for entry in _messages(fresh_po)} if fresh_po.exists() else {}
        committed = {entry.key: entry for entry in _messages(committed_po)} if committed_po.exists() else {}
        missing = [entry for key, entry in fresh.items() if key not in committed]
        stale = [entry for key, entry in committed.items() if key not in fresh]
        if missing:
            problems.append(
                f"marked in the source but missing from locale/en/LC_MESSAGES/{domain}.po:\n  "
                + _describe(missing)
            )
        if stale:
            problems.append(
                f"in locale/en/LC_MESSAGES/{domain}.po but no longer in the source:\n  " + _describe(stale)
            )
    if problems:
        pytest.fail(
            "run `make messages`, translate the new entries, and commit the .po and .mo.\n"
            + "\n".join(problems),
            pytrace=False,
        )
