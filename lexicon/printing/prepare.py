"""Entries (in the entry shape) -> the plain JSON document the Typst templates lay out.

Everything a template prints is a string in this document; the template never sees markup.
Picture and QR fields hold file names and SVG text, which are not printed as text.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable

from lexicon.alphabet import Alphabet
from lexicon.errors import InvalidInput
from lexicon.printing.options import DEFAULT_ABBREVIATIONS, RELATION_ABBREVIATIONS, PrintOptions
from lexicon.shape.entry import iter_media, own_definitions

# Fields of the document that are not printed as text (checked for glyphs: no).
NOT_TEXT = frozenset({"qr", "pic", "fonts", "date", "paper", "lang", "layout", "letter"})


def nfc(text) -> str:
    if not text:
        return ""
    text = str(text).strip()
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def headword_of(dictionary: dict, entry: dict) -> str:
    """The form printed and sorted: citation, headword, then lexeme form, vernacular ws first.

    Same rule as lexicon.shape.entry.display_headword, on plain dicts.
    """
    forms = [entry.get("citation") or {}, entry.get("headword") or {}]
    forms.append(entry.get("lexeme_form") or {})
    for multitext in forms:
        for ws in dictionary.get("vernacular_ws") or []:
            if nfc(multitext.get(ws)):
                return nfc(multitext[ws])
    for multitext in (forms[1], forms[0], forms[2]):
        for value in multitext.values():
            if nfc(value):
                return nfc(value)
    return ""


def _first_vernacular(dictionary: dict, multitext: dict) -> str:
    for ws in dictionary.get("vernacular_ws") or []:
        if nfc(multitext.get(ws)):
            return nfc(multitext[ws])
    return next((nfc(v) for v in multitext.values() if nfc(v)), "")


def _pairs(multitext: dict, langs: tuple[str, ...]) -> list[list[str]]:
    found = ([lang, nfc(multitext.get(lang))] for lang in langs if multitext.get(lang))
    return [pair for pair in found if pair[1]]


def _ipa(entry: dict, hw: str) -> str:
    """The entry's transcriptions: its pronunciations' IPA, then a headword form in an IPA
    writing system (WeSay keeps `bth-fonipa` beside `bth` in the lexical unit) other than
    the one printed as the headword."""
    forms = []
    for pron in entry.get("pronunciations") or []:
        forms += [pron.get("ipa")] + [v for k, v in (pron.get("forms") or {}).items() if _is_ipa(k)]
    heard = [v for k, v in (entry.get("headword") or {}).items() if _is_ipa(k) and nfc(v) != hw]
    return ", ".join(dict.fromkeys(nfc(form) for form in forms + heard if nfc(form)))


def _is_ipa(ws: str) -> bool:
    return "fonipa" in ws.lower().split("-")


def _abbr(value: str) -> str:
    return nfc(value).rstrip(".")


def _sense(dictionary, sense: dict, number: str, entry_pos: str, langs) -> dict:
    pos = _abbr(sense.get("part_of_speech") or "")
    glosses = _pairs(sense.get("glosses") or {}, langs)
    definitions = _pairs(own_definitions(sense), langs)
    examples = []
    for ex in sense.get("examples") or []:
        text = _first_vernacular(dictionary, ex.get("text") or {})
        if text:
            examples.append({"t": text, "tr": _pairs(ex.get("translations") or {}, langs)})
    subs = [
        _sense(
            dictionary,
            sub,
            f"{number}{chr(ord('a') + i)}" if i < 26 else f"{number}.{i}",
            pos,
            langs,
        )
        for i, sub in enumerate(sense.get("subsenses") or [])
    ]
    return {
        "n": number,
        "pos": "" if pos == entry_pos else pos,
        "gl": glosses,
        "df": definitions,
        "ex": examples,
        "sub": subs,
        # Reversals (index entries) where the sense has its own, else the glosses.
        "rv": [
            [r.get("lang", ""), nfc(r.get("text"))]
            for r in sense.get("reversals") or []
            if r.get("lang") in langs and nfc(r.get("text"))
        ]
        or glosses,
    }


def _relation_label(kind: str) -> str:
    # Known kinds print abbreviated ("syn."); others as written, e.g. "main entry:".
    short = RELATION_ABBREVIATIONS.get(nfc(kind).casefold())
    return f"{short}." if short else f"{nfc(kind)}:"


def _etymology(ety: dict, langs) -> str:
    parts = [nfc(ety.get("source"))]
    parts += [nfc(v) for v in (ety.get("form") or {}).values()][:1]
    glosses = [text for _, text in _pairs(ety.get("gloss") or {}, langs)]
    if glosses:
        parts.append(f"‘{glosses[0]}’")
    return " ".join(p for p in parts if p)


def prepare_entry(
    dictionary: dict, entry: dict, langs: tuple[str, ...], *, qr: Callable | None = None
) -> dict:
    """One entry as the templates print it: strings and lists only."""
    pos = _abbr(entry.get("part_of_speech") or "")
    senses = entry.get("senses") or []
    hw = headword_of(dictionary, entry)
    out = {
        "hw": hw,
        "hom": int(entry.get("homograph") or 0),
        "ipa": _ipa(entry, hw),
        "pos": pos,
        "vars": [
            v
            for v in (
                _first_vernacular(dictionary, x.get("form") or {})
                for x in entry.get("variants") or []
            )
            if v
        ],
        "senses": [_sense(dictionary, s, str(i + 1), pos, langs) for i, s in enumerate(senses)],
        "rel": [
            {
                "type": _relation_label(r.get("type") or ""),
                "hw": nfc(r.get("target_headword")),
            }
            for r in entry.get("relations") or []
            if nfc(r.get("target_headword"))
        ],
        "ety": "; ".join(
            e for e in (_etymology(x, langs) for x in entry.get("etymologies") or []) if e
        ),
        "qr": None,
        "pic": None,
    }
    if qr is not None:
        url = next(
            (p["media"]["url"] for p in entry.get("pronunciations") or [] if p.get("media")), None
        )
        out["qr"] = qr(url) if url else None
    return out


def first_picture(entry: dict) -> dict | None:
    """The media dict of the entry's first picture (of any sense), if there is one."""
    return next((pic["media"] for kind, pic in iter_media(entry) if kind == "picture"), None)


def sort_entries(alphabet: Alphabet, dictionary: dict, entries: list[dict]) -> list[dict]:
    """Entries in the dictionary's order (stable, so equal keys keep the caller's order)."""
    return sorted(
        entries,
        key=lambda e: alphabet.sort_key(headword_of(dictionary, e), int(e.get("homograph") or 0)),
    )


def letter_display(lower: str, upper: str) -> str:
    """'Ng ng' for a letter: a multigraph's capital is title case (Ng, Tl'), not NG."""
    if upper == lower.upper() and len(lower) > 1:
        upper = lower[:1].upper() + lower[1:]
    return upper if upper == lower else f"{upper} {lower}"


def _heading(alphabet: Alphabet, letter: str | None, word: str) -> tuple[str, str]:
    """(filing letter, heading as 'Upper lower') for a section."""
    if letter is not None:
        lt = alphabet.letter(letter)
        if lt is not None:
            return letter, letter_display(lt.lower, lt.upper)
    first = unicodedata.normalize("NFD", word)[:1] if word else "?"
    first = unicodedata.normalize("NFC", first)
    return first.lower(), letter_display(first.lower(), first.upper())


def sections(alphabet: Alphabet, items: list[dict]) -> list[dict]:
    """Group prepared entries (already in order) into one section per filing letter."""
    out: list[dict] = []
    for item in items:
        letter = alphabet.letter_of(item["hw"]) if item["hw"] else None
        key, heading = _heading(alphabet, letter, item["hw"])
        if not out or out[-1]["letter"] != key:
            out.append({"letter": key, "heading": heading, "entries": []})
        out[-1]["entries"].append(item)
    return out


def alphabet_table(alphabet: Alphabet, dictionary: dict) -> list[dict]:
    """The front-matter alphabet: each letter, with its pronunciation if one is given."""
    prons = (dictionary.get("extra") or {}).get("letter_pronunciations") or {}
    out = []
    for lt in alphabet.letters:
        out.append(
            {"display": letter_display(lt.lower, lt.upper), "pron": nfc(prons.get(lt.lower, ""))}
        )
    return out


def abbreviations(dictionary: dict, items: list[dict], labels: dict) -> list[list[str]]:
    """The abbreviations the printed entries use, with what they stand for, sorted."""
    known = dict(DEFAULT_ABBREVIATIONS)
    known.update((dictionary.get("extra") or {}).get("abbreviations") or {})
    known.update(labels.get("abbreviation_names") or {})
    used: set[str] = set()

    def senses(ss):
        for s in ss:
            used.add(s["pos"])
            senses(s["sub"])

    for item in items:
        used.add(item["pos"])
        used.update(r["type"].rstrip(".") for r in item["rel"])
        senses(item["senses"])
    used.discard("")
    return [[a, nfc(known[a])] for a in sorted(used, key=str.casefold) if a in known]


def reversal_index(items: list[dict], langs: tuple[str, ...], names: dict) -> list[dict]:
    """Gloss language -> glosses in that language's collation, each with its headwords."""
    import icu  # heavy: imported when used (docs/architecture.md)

    out = []
    for lang in langs:
        refs: dict[str, list[str]] = {}
        for item in items:
            label = item["hw"] + (f" {item['hom']}" if item["hom"] else "")
            for sense in _all_senses(item["senses"]):
                for pair_lang, text in sense["rv"]:
                    if pair_lang == lang and label not in refs.setdefault(text, []):
                        refs[text].append(label)
        if not refs:
            continue
        try:
            collator = icu.Collator.createInstance(icu.Locale(lang))
        except icu.ICUError:
            collator = icu.Collator.createInstance(icu.Locale.getRoot())
        secs: list[dict] = []
        for gloss in sorted(refs, key=lambda g: (collator.getSortKey(g), g)):
            base = next((c for c in unicodedata.normalize("NFD", gloss) if c.isalnum()), "?")
            base = base.upper()
            if not secs or secs[-1]["letter"] != base:
                secs.append({"letter": base, "heading": base, "items": []})
            secs[-1]["items"].append({"gloss": gloss, "refs": refs[gloss]})
        out.append({"lang": lang, "name": names.get(lang, lang), "sections": secs})
    return out


def _all_senses(senses):
    for s in senses:
        yield s
        yield from _all_senses(s["sub"])


def print_date(options: PrintOptions, entries: list[dict]) -> dt.date | None:
    """The date printed and stored in the PDF: given, or the newest change among the entries."""
    raw = options.date or max((nfc(e.get("updated_at")) for e in entries), default="")
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError as exc:
        raise InvalidInput(f"date: expected an ISO date, got {raw!r}", field="date") from exc
