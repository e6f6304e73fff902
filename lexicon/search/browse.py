"""Browsing a dictionary in its own alphabetical order: by letter, semantic domain and part of
speech, with counts for each (facets) and a word of the day. Filters go through the same access
rule as search (`lexicon.search.visible_clause` on index rows, `lexicon.accounts.access` on entries).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date
from types import SimpleNamespace

from sqlalchemy import and_, func, literal_column, or_, select

from lexicon.accounts import access
from lexicon.entries.read import entry_dict, list_entries
from lexicon.errors import InvalidInput
from lexicon.models import Dictionary, Entry
from lexicon.search.index import TOP, alphabet_of, search_text
from lexicon.search.plan import visible_clause
from lexicon.search.results import result_item
from lexicon.search.words import normalise

OTHER_LETTER = "#"  # browse bucket for headwords that start outside the alphabet


def _entry_filters(dictionary: Dictionary, viewer) -> list:
    return [
        Entry.dictionary_id == dictionary.id,
        Entry.deleted.is_(False),
        access.entry_clause(viewer, dictionary, Entry),
    ]


def _label_clause(dictionary: Dictionary, viewer, kind: str, label: str):
    """Entries with a visible semantic domain (`dom`: a code such as `6.5` takes in `6.5.1`,
    or a full name) or part of speech (`pos`, entry's or a sense's)."""
    t, label = search_text, " ".join(label.split())
    if kind == "dom" and re.fullmatch(r"\d+(\.\d+)*", label):
        # the code and the codes under it; the range lets the index seek, the OR decides
        which = and_(
            t.c.folded >= label, t.c.folded < label + "." + TOP,
            or_(t.c.folded == label, t.c.folded > label + "."),
        )  # fmt: skip
    else:
        which = t.c.norm == normalise(label)
    return select(t.c.entry_id).where(
        t.c.dictionary_id == dictionary.id, _kind_is(kind), which,
        visible_clause(viewer, dictionary),
    )  # fmt: skip


def _kind_is(kind: str):
    """`kind = 'dom'` as a literal: each kind of label has a partial index of its own."""
    if kind not in ("dom", "pos"):
        raise ValueError(f"not a kind of label: {kind!r}")
    return search_text.c.kind == literal_column(f"'{kind}'")


def browse(
    *, session, dictionary: Dictionary, viewer, letter: str | None = None,
    domain: str | None = None, pos: str | None = None, limit: int = 50, cursor: str | None = None,
) -> dict:  # fmt: skip
    """Entries in the dictionary's order, by letter (`#`: outside the alphabet), semantic
    domain and/or part of speech: {"items", "total", "next"} with search-item shaped items."""
    filters = []
    if letter:
        if letter == OTHER_LETTER:
            filters.append(lambda E: E.letter.is_(None))
        else:
            found = alphabet_of(dictionary).letter(unicodedata.normalize("NFC", letter))
            if found is None:
                raise InvalidInput(f"letter: {letter!r} is not a letter of this alphabet")
            filters.append(lambda E: E.letter == found.lower)
    if domain:
        filters.append(lambda E: E.id.in_(_label_clause(dictionary, viewer, "dom", domain)))
    if pos:
        filters.append(lambda E: E.id.in_(_label_clause(dictionary, viewer, "pos", pos)))
    page = list_entries(
        session=session, dictionary=dictionary, viewer=viewer, limit=limit, cursor=cursor,
        where=(lambda E: and_(*[f(E) for f in filters])) if filters else None,
    )  # fmt: skip
    page["items"] = [_item_from_dict(e) for e in page["items"]]
    return page


def _item_from_dict(entry: dict) -> dict:
    glosses: dict[str, list] = {}
    for sense in entry.get("senses") or []:
        for lang, value in (sense.get("glosses") or {}).items():
            if value and value not in glosses.setdefault(lang, []):
                glosses[lang].append(value)
    shaped = SimpleNamespace(
        **{
            k: entry.get(k)
            for k in ("id", "headword", "headword_text", "homograph", "part_of_speech", "letter")
        }
    )
    shaped.has_audio = any(p.get("media") for p in entry.get("pronunciations") or [])
    return result_item(shaped, {k: "; ".join(v) for k, v in glosses.items()}, None)


def facets(*, session, dictionary: Dictionary, viewer) -> dict:
    """What there is to browse: letters (in alphabet order), domains and parts of speech, with
    entry counts the viewer may see."""
    access.require_dictionary(viewer, dictionary)
    counts = dict(
        session.execute(
            select(Entry.letter, func.count())
            .where(*_entry_filters(dictionary, viewer))
            .group_by(Entry.letter)
        ).all()
    )
    letters = [
        {"letter": lt.lower, "label": _letter_label(lt), "count": counts.get(lt.lower, 0)}
        for lt in alphabet_of(dictionary).letters
    ]
    t = search_text
    labels = [
        row
        for kind in ("dom", "pos")
        for row in session.execute(
            select(t.c.kind, t.c.text, func.count(t.c.entry_id.distinct()))
            .where(
                t.c.dictionary_id == dictionary.id,
                _kind_is(kind),
                visible_clause(viewer, dictionary),
            )  # fmt: skip
            .group_by(t.c.kind, t.c.text)
        ).all()
    ]
    domains = sorted(
        ((x, n) for k, x, n in labels if k == "dom"), key=lambda r: _domain_order(r[0])
    )
    pos = sorted(((x, n) for k, x, n in labels if k == "pos"), key=lambda r: r[0].casefold())
    return {
        "letters": letters,
        "other": counts.get(None, 0),
        "domains": [{"domain": d, "count": n} for d, n in domains],
        "parts_of_speech": [{"pos": p, "count": n} for p, n in pos],
    }


def _letter_label(letter) -> str:
    """`Ch` for ch, `A` for a; an explicitly given upper-case form (`I` for ı) wins."""
    if letter.upper != letter.lower.upper():
        return letter.upper
    return letter.lower[:1].upper() + letter.lower[1:]


def _domain_order(domain: str) -> tuple:
    code = domain.split(" ", 1)[0]
    if re.fullmatch(r"\d+(\.\d+)*", code):
        return (0, tuple(int(p) for p in code.split(".")), domain)
    return (1, (), domain.casefold())


def word_of_the_day(*, session, dictionary: Dictionary, viewer, day: date) -> dict | None:
    """One published entry per day, the same for everyone who may see it (None if none)."""
    filters = [*_entry_filters(dictionary, viewer), Entry.status == "published"]
    count = session.execute(select(func.count()).select_from(Entry).where(*filters)).scalar_one()
    if not count:
        return None
    digest = hashlib.sha256(f"{dictionary.slug}:{day.isoformat()}".encode()).hexdigest()
    row = session.execute(
        select(Entry)
        .where(*filters)
        .order_by(Entry.sort_key, Entry.id)
        .offset(int(digest, 16) % count)
        .limit(1)
    ).scalar_one()
    entry = entry_dict(session=session, dictionary=dictionary, row=row)
    return access.filter_entry(viewer, dictionary, entry)


def browse_view(
    *, session, dictionary: Dictionary, viewer, letter: str | None = None,
    domain: str | None = None, pos: str | None = None, cursor: str | None = None,
    limit: int = 100, day: date | None = None, cached=None,
) -> dict:  # fmt: skip
    """Everything the browse page shows: the facets, the chosen listing (or None), and the
    word of the day when nothing is chosen. `cached(kind, request, compute)`, if given, keeps
    each of them (the same until the next write to the dictionary; the web layer passes its
    page cache)."""
    chosen = bool(letter or domain or pos)
    day = day or date.today()
    cached = cached or (lambda kind, request, compute: compute())
    return {
        "facets": cached(
            "facets", (), lambda: facets(session=session, dictionary=dictionary, viewer=viewer)
        ),  # fmt: skip
        "listing": cached(
            "listing",
            (letter, domain, pos, limit, cursor),
            lambda: browse(
                session=session,
                dictionary=dictionary,
                viewer=viewer,
                letter=letter,
                domain=domain,
                pos=pos,
                limit=limit,
                cursor=cursor,
            ),
        )  # fmt: skip
        if chosen
        else None,  # fmt: skip
        "word_of_the_day": None
        if chosen
        else cached(
            "word_of_the_day",
            (day,),
            lambda: word_of_the_day(session=session, dictionary=dictionary, viewer=viewer, day=day),
        ),  # fmt: skip
    }
