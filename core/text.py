"""Text clean-up shared by forms and spreadsheet imports: what a person typed and what a roster holds are
compared after the same normalisation."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize_text(value: object) -> str:
    """NFKC (full-width letters and digits become ASCII), trimmed, inner runs of spaces collapsed to one."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub(" ", text).strip()


def normalize_place(value: object) -> str:
    """A place name as stored: normalised text, no spaces, 台 written as 臺 (台西鄉 = 臺西鄉)."""
    return normalize_text(value).replace(" ", "").replace("台", "臺")
