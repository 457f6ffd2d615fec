"""Text clean-up shared by forms and spreadsheet imports: what a person typed and what a roster holds are
compared after the same normalisation."""

import functools
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


def association_name_key(name: object, *, county: str, township: str) -> str:
    """What two writings of one association's name share within its township: no spaces, 臺 for 台,
    full-width as half-width, and no 縣市 or 鄉鎮市區 prefix
    (苗栗縣竹南鎮中美社區發展協會 = 中美社區發展協會).
    The registry's uniqueness and the roster import's matching both compare this key."""
    key = normalize_place(name)
    county_name = _prefix(county)
    if key.startswith(county_name):
        key = key[len(county_name) :]
    township_name = _prefix(township)
    if key.startswith(township_name) and len(key) > len(township_name):
        key = key[len(township_name) :]
    return key


@functools.lru_cache(maxsize=1024)
def _prefix(place: str) -> str:
    """A county's or township's name as `association_name_key` strips it: the same few names for every
    association of a roster (20,000 normalisations of 10,000 rows)."""
    return normalize_place(place)
