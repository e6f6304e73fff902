"""Interface translations: extract, update and check the gettext catalogs.

    python scripts/i18n.py extract         # write api/translations/messages.pot
    python scripts/i18n.py update          # merge it into every api/translations/*/LC_MESSAGES/messages.po
    python scripts/i18n.py init LOCALE     # start a catalog for a new language
    python scripts/i18n.py check           # list untranslated, fuzzy or mismatched messages; exit 1 if any

Catalogs are compiled in memory when the app starts (api/i18n.py), so there is no compile step.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "api" / "translations"
POT = OUT / "messages.pot"
METHODS = [
    ("api/**.py", "python"),
    ("wordkeep/**.py", "python"),
    ("lexicon/**.py", "python"),  # only Label("...") there: text the domain leaves to translate
    ("templates/**.html", "jinja2.ext:babel_extract"),
]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "plural_forms": (1, 2), "Label": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


def extract() -> Catalog:
    catalog = Catalog(project="Wordkeep", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), METHODS, OPTIONS, keywords={**KEYWORDS}
    ):
        if filename.startswith(("tests", ".venv", "bench")):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def catalogs() -> dict[str, Path]:
    return {p.parent.parent.name: p for p in sorted(OUT.glob("*/LC_MESSAGES/messages.po"))}


def load(path: Path, locale: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def save(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=True, include_lineno=False)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


def problems(template: Catalog, catalog: Catalog) -> list[str]:
    """Messages of `template` that `catalog` lacks, leaves fuzzy or translates with other
    placeholders than the English."""
    found = []
    for message in template:
        if not message.id:
            continue
        key = message.id if not message.pluralizable else message.id[0]
        have = catalog.get(message.id, context=message.context)
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        if have is None or not have.string or have.fuzzy:
            found.append(f"untranslated: {key!r}")
            continue
        strings = have.string if isinstance(have.string, tuple) else (have.string,)
        if any(not s for s in strings):
            found.append(f"untranslated plural form: {key!r}")
            continue
        wanted = set().union(*(placeholders(e) for e in english))
        for s in strings:
            got = placeholders(s)
            # A plural form may leave out the count (e.g. "one entry"), never add or rename.
            if not got <= wanted or (len(strings) == 1 and got != wanted):
                found.append(f"placeholders differ: {key!r} -> {s!r}")
                break
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    template = extract()
    if command == "extract":
        save(template, POT)
        print(f"{len(template)} messages -> {POT.relative_to(ROOT)}")
        return 0
    if command == "init":
        locale = argv[1]
        catalog = Catalog(locale=locale, project="Wordkeep", charset="utf-8")
        catalog.update(template)
        save(catalog, OUT / locale / "LC_MESSAGES" / "messages.po")
        return 0
    if command == "update":
        for locale, path in catalogs().items():
            catalog = load(path, locale)
            catalog.update(template, no_fuzzy_matching=True)
            save(catalog, path)
            print(f"updated {locale}")
        return 0
    if command == "check":
        bad = 0
        for locale, path in catalogs().items():
            issues = problems(template, load(path, locale))
            bad += len(issues)
            print(f"{locale}: {len(issues)} problems")
            for issue in issues[:50]:
                print(f"  {issue}")
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
