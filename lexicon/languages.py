"""Languages a new dictionary can be about: the ISO 639-3 table (shipped as data by the
`iso639-lang` package, SIL's code tables with their other names) looked up by name or code,
and an alphabet proposed from a language's CLDR exemplar characters (ICU) where CLDR knows it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from babel import localedata

MAX_RESULTS = 50
SCOPES = {"I": "individual", "M": "macrolanguage", "S": "special"}


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-3
    tag: str  # the shortest BCP 47 tag: the ISO 639-1 code when there is one
    name: str
    other_names: tuple[str, ...]
    scope: str  # individual | macrolanguage | special
    status: str  # Living, Extinct, Ancient, Historical, Constructed, Special

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "tag": self.tag,
            "name": self.name,
            "other_names": list(self.other_names),
            "scope": self.scope,
            "status": self.status,
            "cldr": has_cldr_data(self.tag),
        }


def _fold(text: str) -> str:
    """Case and accents folded: `Aasáx` is found by typing `aasax`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


@lru_cache(maxsize=1)
def _table() -> tuple[list[Language], dict[str, Language], list[tuple[Language, tuple[str, ...]]]]:
    from iso639 import iter_langs  # heavy: imported when used (docs/architecture.md)

    languages, by_code, folded = [], {}, []
    for lang in iter_langs():
        if not lang.pt3:
            continue  # ISO 639-5 families: not a language a dictionary is of
        item = Language(
            code=lang.pt3,
            tag=lang.pt1 or lang.pt3,
            name=lang.name,
            other_names=tuple(lang.other_names() or ()),
            scope=SCOPES.get(lang.scope() or "I", "individual"),
            status=lang.type() or "",
        )
        languages.append(item)
        for code in {lang.pt3, lang.pt1, lang.pt2b, lang.pt2t} - {""}:
            by_code.setdefault(code.casefold(), item)
        folded.append((item, tuple(_fold(n) for n in (item.name, *item.other_names))))
    return languages, by_code, folded


def language(code: str) -> Language | None:
    """The language with this ISO 639-1/2/3 code (or the first subtag of a BCP 47 tag)."""
    base = (code or "").split("-")[0].split("_")[0].casefold()
    return _table()[1].get(base) if base else None


def find_languages(query: str, limit: int = 20) -> list[Language]:
    """Languages whose code is `query`, or whose name (or another name) matches it: an exact
    name first, then names starting with it, then a word starting with it, then containing it."""
    q = _fold(query)
    if not q:
        return []
    limit = max(1, min(limit, MAX_RESULTS))
    _, by_code, folded = _table()
    ranked: list[tuple[int, str, Language]] = []
    exact = by_code.get(q)
    if exact is not None:
        ranked.append((0, "", exact))
    for item, names in folded:
        if item is exact or item.scope == "special":
            continue
        rank = None
        for i, name in enumerate(names):
            other = 0 if i == 0 else 1  # the reference name before another name
            if name == q:
                r = 1 + other
            elif name.startswith(q):
                r = 3 + other
            elif any(word.startswith(q) for word in name.replace("-", " ").split()):
                r = 5 + other
            elif len(q) >= 3 and q in name:
                r = 7 + other
            else:
                continue
            rank = r if rank is None else min(rank, r)
        if rank is not None:
            ranked.append((rank, item.name.casefold(), item))
    ranked.sort(key=lambda t: (t[0], t[1]))
    return [item for _, _, item in ranked[:limit]]


def exact_language(name: str) -> Language | None:
    """The one language whose reference name is `name` (case and accents aside), if only one."""
    q = _fold(name)
    found = [item for item, names in _table()[2] if names[0] == q]
    return found[0] if len(found) == 1 else None


def has_cldr_data(tag: str) -> bool:
    """Whether CLDR (as Babel ships it) has locale data for the language of `tag`."""
    base = (tag or "").split("-")[0].replace("_", "-")
    return bool(base) and localedata.exists(base)


def proposed_alphabet(tag: str) -> list[str] | None:
    """The letters of the language's CLDR exemplar characters in its own collation order, one
    per primary difference (so `é` goes with `e` in French, while Spanish keeps `ñ` and Welsh
    `ch`); None when CLDR does not know the language."""
    base = (tag or "").split("-")[0]
    if not has_cldr_data(base):
        return None
    import icu  # heavy: imported when used (docs/architecture.md)

    locale = icu.Locale(base)
    exemplars = icu.LocaleData(base).getExemplarSet(0, icu.ULocaleDataExemplarSetType.ES_STANDARD)
    collator = icu.Collator.createInstance(locale)
    collator.setStrength(icu.Collator.PRIMARY)
    items = sorted(
        {unicodedata.normalize("NFC", str(s)).lower() for s in exemplars},
        key=lambda s: (collator.getSortKey(s), s),
    )
    letters: list[str] = []
    for item in items:
        if not any(unicodedata.category(c).startswith("L") for c in item):
            continue  # punctuation or a lone mark
        if letters and collator.compare(letters[-1], item) == 0:
            continue  # an accented form of the letter before
        letters.append(item)
    return letters or None


def known_language_name(code: str) -> str:
    """The reference name of a code, or "" when the table does not have it."""
    found = language(code)
    return found.name if found else ""
