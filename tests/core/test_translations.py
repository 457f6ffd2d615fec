"""The English catalogue cannot silently rot: every entry translated and compiled, and every string marked
in the source present in it. Regenerate with `make messages` (makemessages + compilemessages), then
translate what it adds."""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

import polib
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

_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def _messages(path: Path) -> list[polib.POEntry]:
    """The entries that are messages, as polib reads the file: obsolete `#~` entries are not (the header is
    polib's metadata, not an entry)."""
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


def _key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return entry.msgctxt, entry.msgid, entry.msgid_plural


def _translations(entry: polib.POEntry) -> dict[int, str]:
    """The msgstr of a message by plural index (0 alone for a message without a plural)."""
    return dict(entry.msgstr_plural) if entry.msgid_plural else {0: entry.msgstr}


def _placeholders(text: str) -> list[str]:
    return sorted(name or kind for name, kind in _PLACEHOLDER.findall(text) if kind != "%")


def _describe(entries: list[polib.POEntry]) -> str:
    def one(entry: polib.POEntry) -> str:
        where = f"{entry.occurrences[0][0]}:{entry.occurrences[0][1]}" if entry.occurrences else entry.linenum
        context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
        return f"{context}{entry.msgid!r} ({where})"

    return "\n  ".join(one(entry) for entry in entries)


def test_there_is_a_catalogue_for_every_language_but_the_default():
    languages = {code for code, _name in settings.LANGUAGES} - {settings.LANGUAGE_CODE}
    for code in languages:
        assert (LOCALE_DIR / translation.to_locale(code) / "LC_MESSAGES" / "django.po").is_file(), code


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_every_entry_is_translated_and_none_is_fuzzy(po):
    messages = _messages(po)
    assert messages, f"{po.name} has no messages"
    fuzzy = [entry for entry in messages if entry.fuzzy]
    untranslated = [
        entry
        for entry in messages
        if not all(_translations(entry).values()) or (entry.msgid_plural and len(_translations(entry)) < 2)
    ]
    problems = []
    if "fuzzy" in (polib.pofile(str(po)).metadata_is_fuzzy or []):
        problems.append("the header is fuzzy (msgfmt would drop it with its Plural-Forms): drop the flag")
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
        if not entry.msgid_plural:
            if _placeholders(entry.msgstr) != wanted:
                wrong.append(entry)
        else:
            allowed = set(wanted) | set(_placeholders(entry.msgid_plural))
            if any(not set(_placeholders(text)) <= allowed for text in _translations(entry).values()):
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
        if not entry.msgid_plural:
            if entry.msgctxt is not None:
                got = compiled.pgettext(entry.msgctxt, entry.msgid)
            else:
                got = compiled.gettext(entry.msgid)
            if got != entry.msgstr:
                stale.append(entry)
            continue
        for index, text in _translations(entry).items():
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
        fresh = {_key(entry): entry for entry in _messages(fresh_po)} if fresh_po.exists() else {}
        committed = {_key(entry): entry for entry in _messages(committed_po)} if committed_po.exists() else {}
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
