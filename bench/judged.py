"""A judged query set for search precision, made from real dictionaries in tests/fixtures.

    python bench/judged.py            # (re)writes tests/fixtures/search-judged/<name>.json

Each source is imported into a throw-away SQLite file through the importer (as a keeper would),
then queries are drawn from its entries with a fixed seed, four kinds of them:

- `exact`: a headword as written; `accent_free`: the same without diacritics or case;
- `typo`: one letter dropped, doubled or changed in a headword of 5+ letters;
- `gloss`: a word of an English gloss (a learner's reverse search).

The judgement rule (issue 20): for vernacular queries the relevant entry is the one whose
headword or variant the query was made from (headwords shared by two entries, and typos that
spell another word of the dictionary, are left out so the rule stays fair); for gloss queries,
the relevant entries are those whose English glosses or definitions hold the word or an
inflection of it (`inflections` below; written apart from the search's own stemming).
`bench/search.py --precision` reads these files.
"""

from __future__ import annotations

import json
import random
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from lexicon import editing, entries  # noqa: E402
from lexicon.alphabet import fold  # noqa: E402
from lexicon.db.engine import make_engine  # noqa: E402
from lexicon.io.importer import import_file  # noqa: E402
from lexicon.models import Entry  # noqa: E402
from lexicon.operations.upgrade import upgrade  # noqa: E402

WHOLE = ROOT / "tests" / "fixtures" / "whole"
OUT = ROOT / "tests" / "fixtures" / "search-judged"
HDI_ALPHABET = json.loads((ROOT / "data" / "demo" / "hdi.json").read_text())["dictionary"]
SOURCES = {
    # name: (file, format, import options, dictionary settings)
    "sena": (WHOLE / "lift-sena" / "Sena.lift", "lift", {},
             {"language_code": "seh", "vernacular_ws": ["seh"], "analysis_ws": ["en", "pt"]}),
    "hdi": (WHOLE / "toolbox-hdi" / "db.sfm", "mdf", {"national": "fr"},
            {"language_code": "xed", "vernacular_ws": ["xed"], "analysis_ws": ["en", "fr"],
             "alphabet": HDI_ALPHABET["alphabet"]}),
}  # fmt: skip
PER_KIND = 80
# Words too common in glosses to be a learner's search (they would judge half the dictionary).
STOP = frozenset((  # noqa: SIM905
    "the a an of to and or in on at by for with from as is be it its that this which who one "
    "some any not no something someone thing things kind sort type used use make made"
).split())  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")


def inflections(word: str) -> set[str]:
    """English forms of a word's lexeme: its base (`plants` -> `plant`) and the base's plural
    or 3rd person, past and -ing forms (the judge's own rule, not the search's stemming)."""
    bases = {word}
    for suffix, replacement in (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""),
                                ("ed", "e"), ("ing", ""), ("ing", "e")):  # fmt: skip
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            bases.add(word[: -len(suffix)] + replacement)
    forms = set()
    for base in bases:
        forms |= {base, base + "s", base + "es", base + "ed", base + "d", base + "ing"}
        if base.endswith("y"):
            forms |= {base[:-1] + "ies", base[:-1] + "ied"}
        if base.endswith("e"):
            forms.add(base[:-1] + "ing")
        if len(base) >= 3 and base[-1] not in "aeiouwy" and base[-2] in "aeiou":
            forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    return forms


def english_words(entry: dict) -> set[str]:
    """Folded words of an entry's English glosses and definitions (senses and subsenses)."""
    out: set[str] = set()
    stack = list(entry.get("senses") or [])
    while stack:
        sense = stack.pop()
        for field in ("glosses", "definitions"):
            for lang, value in (sense.get(field) or {}).items():
                if lang == "en" or lang.startswith("en-"):
                    out.update(_WORD.findall(fold(value or "")))
        stack.extend(sense.get("subsenses") or [])
    return out


def gloss_words(entry: dict) -> list[str]:
    words = []
    for sense in entry.get("senses") or []:
        for lang, value in (sense.get("glosses") or {}).items():
            if lang == "en":
                words += _WORD.findall(fold(value or ""))
    return words


def forms(entry: dict) -> list[str]:
    """Headword and variant forms (vernacular)."""
    out = [v for v in (entry.get("headword") or {}).values() if v]
    out += [v for var in entry.get("variants") or [] for v in (var.get("form") or {}).values() if v]
    return out


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice([c for c in "aeioumnkt" if c != word[i]]) + word[i + 1 :]


def load(name: str, url: str):
    """Import source `name` into the database at `url` (a fresh one); returns its engine."""
    path, fmt, options, settings = SOURCES[name]
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        dictionary = editing.create_dictionary(
            session=session, data={"slug": name, "title": name, **settings}
        )
        import_file(session=session, dictionary=dictionary, path=path, format=fmt,
                    options=options)  # fmt: skip
    return engine


def load_entries(name: str, db: Path) -> tuple[list[dict], dict]:
    engine = load(name, f"sqlite:///{db}")
    with Session(engine, expire_on_commit=False) as session:
        dictionary = entries.get_dictionary(session=session, slug=name)
        rows = session.exec(
            select(Entry).where(Entry.dictionary_id == dictionary.id, Entry.deleted.is_(False))
        ).scalars()
        found = entries.entry_dicts(session=session, dictionary=dictionary, rows=list(rows))
        alphabet = entries.alphabet_for(dictionary)
    engine.dispose()
    return found, {"fold": alphabet.fold}


def judged_set(name: str, entries: list[dict], afold, seed: int = 20) -> dict:
    rng = random.Random(seed)
    by_form: dict[str, set[str]] = {}
    by_folded: dict[str, set[str]] = {}
    for e in entries:
        for f in forms(e):
            by_form.setdefault(f, set()).add(e["id"])
            by_folded.setdefault(afold(f), set()).add(e["id"])
    vocabulary = set(by_folded) | {w for e in entries for w in english_words(e)}
    unique = [
        e
        for e in entries
        if e.get("headword_text") and by_form.get(e["headword_text"]) == {e["id"]}
    ]
    unique = [e for e in unique if by_folded.get(afold(e["headword_text"])) == {e["id"]}]
    picked = rng.sample(unique, min(len(unique), PER_KIND))
    queries = []
    for e in picked:
        queries.append({"kind": "exact", "q": e["headword_text"], "relevant": [e["id"]]})
    marked = [e for e in unique if afold(e["headword_text"]) != e["headword_text"]]
    for e in rng.sample(marked, min(len(marked), PER_KIND)):
        queries.append(
            {"kind": "accent_free", "q": afold(e["headword_text"]), "relevant": [e["id"]]}
        )
    long = [
        e for e in unique if len(afold(e["headword_text"])) >= 5 and " " not in e["headword_text"]
    ]
    for e in rng.sample(long, min(len(long), PER_KIND * 2)):
        q = typo(afold(e["headword_text"]), rng)
        if q not in vocabulary and len([x for x in queries if x["kind"] == "typo"]) < PER_KIND:
            queries.append({"kind": "typo", "q": q, "relevant": [e["id"]]})
    english = {e["id"]: english_words(e) for e in entries}
    candidates = sorted(
        {w for e in entries for w in gloss_words(e) if len(w) >= 3 and w not in STOP}
    )
    for word in rng.sample(candidates, min(len(candidates), PER_KIND)):
        wanted = inflections(word)
        relevant = sorted(i for i, ws in english.items() if ws & wanted)
        queries.append({"kind": "gloss", "q": word, "relevant": relevant})
    return {
        "source": str(SOURCES[name][0].relative_to(ROOT)),
        "entries": len(entries),
        "rule": "vernacular: the entry the query was made from; gloss: entries whose English "
        "glosses or definitions hold the word or an inflection of it (bench/judged.py)",
        "queries": queries,
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in sys.argv[1:] or list(SOURCES):
        with tempfile.TemporaryDirectory() as tmp:
            entries, helpers = load_entries(name, Path(tmp) / "judge.db")
        judged = judged_set(name, entries, helpers["fold"])
        target = OUT / f"{name}.json"
        target.write_text(json.dumps(judged, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        kinds = {}
        for q in judged["queries"]:
            kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
        print(f"{target.relative_to(ROOT)}: {judged['entries']} entries, {kinds}")


if __name__ == "__main__":
    main()
