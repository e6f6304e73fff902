"""A dictionary for learners offline (issue 21): what a phone saves, and what changed since.

The phone searches a compact index that the server prepares from its own search rows
(lexicon.search.index): per headword its `norm` and alphabet-folded `folded`, per gloss,
definition and example row its `stems`, and the vocabulary typo tolerance looks in. So the
browser only compares strings prepared here, by the server's own folding; api/static/offline.js
applies the tiers of lexicon.search.ranking to them (tests/browser/test_offline.py compares its
top results with the server's). The query is folded in the browser with `fold_rules`, the
dictionary's confusables and ignored characters as this module computes them.

Only what the viewer may see is ever exported: the entries through `access.entry_clause` and
`access.filter_entry`, the index rows through `plan.visible_clause` (the same rule as search).
`access` in the answer is a digest of `access.access_key`: when it changes (a circle joined or
left, a protocol change), the phone saves the dictionary again instead of merging a delta.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from lexicon.accounts import access
from lexicon.alphabet import Alphabet
from lexicon.entries.read import alphabet_for, entry_dicts, iso
from lexicon.entries.relations import resolve
from lexicon.models import Dictionary, Entry, Media
from lexicon.search.browse import _domain_order
from lexicon.search.index import _words_of, search_text
from lexicon.search.plan import visible_clause

FORMAT = 2  # 2: records carry their domains, parts of speech and status; media their places
INDEX_KINDS = ("hw", "gl", "tx", "ex")
LABEL_KINDS = ("dom", "pos")  # browsing by semantic domain and part of speech
BATCH = 500
# An entry written while a save was being read may carry an `updated_at` a little older than
# the save's `as_of`: a delta looks back this far (entries sent twice are merged, not doubled).
LOOK_BACK = timedelta(seconds=5)
MAX_DELTA = 5000  # entries written since a save, above which the phone saves again
_MEDIA_FIELDS = ("url", "kind", "mime", "width", "height", "duration")


def fold_rules(alphabet: Alphabet) -> dict:
    """What the browser needs to fold a query as `Alphabet.fold` does: each confusable
    spelling with its canonical form (longest first) and the ignored characters, folded."""
    _, table = alphabet._confusable_rx
    spellings = sorted(table, key=lambda s: (-len(s), s))
    return {
        "confusables": [[s, table[s]] for s in spellings],
        "ignore": list(alphabet._ignored_folded),
    }


def access_digest(viewer, dictionary: Dictionary) -> str:
    """A short digest of what the access rule looks at for this viewer and dictionary."""
    key = json.dumps(access.access_key(viewer, dictionary), default=str)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def account_key(viewer) -> str:
    """The name the phone keeps this viewer's saved data under: one store per account."""
    return f"u{viewer.user_id}" if getattr(viewer, "user_id", None) else "public"


def _media_of(entry: dict):
    for p in entry.get("pronunciations") or []:
        yield p.get("media")
    stack = list(entry.get("senses") or [])
    while stack:
        sense = stack.pop()
        stack.extend(sense.get("subsenses") or [])
        for picture in sense.get("pictures") or []:
            yield picture.get("media")
        for example in sense.get("examples") or []:
            yield example.get("media")


# What an entry's page offline does not show: left out of the saved copy (ids of parts, the
# imported source text, editing fields, scopes: what is saved is what the viewer sees).
_NOT_SHOWN = frozenset({"id", "extra", "version", "status", "visibility", "circle", "created_at",
                        "updated_at", "created_by", "updated_by", "deleted", "morph_type",
                        "letter", "source", "reversals", "sha256"})  # fmt: skip


def _lean(entry: dict) -> dict:
    """The entry as a page shows it offline: media reduced to what plays or shows it (never an
    original's URL or name), without what pages do not show, empty values left out."""

    def media(value):
        if not isinstance(value, dict):
            return walk(value)
        return {k: v for k in _MEDIA_FIELDS if (v := value.get(k))}

    def walk(node):
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key in _NOT_SHOWN or not value:
                    continue
                value = media(value) if key == "media" else walk(value)
                if value:  # empty values left out (None, "", [], {}, False, 0)
                    out[key] = value
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return {**walk(entry), "id": entry["id"]}


def _listed(entry: dict) -> list:
    """An entry as a result list shows it: [id, headword_text, homograph, part of speech,
    letter, glosses {lang: "a; b"} of the top-level senses, has_audio]."""
    glosses: dict[str, list] = {}
    for sense in entry.get("senses") or []:
        for lang, value in (sense.get("glosses") or {}).items():
            if value and value not in glosses.setdefault(lang, []):
                glosses[lang].append(value)
    audio = any((p.get("media") or {}).get("url") for p in entry.get("pronunciations") or [])
    return [entry["id"], entry.get("headword_text") or "", entry.get("homograph") or 0,
            entry.get("part_of_speech"), entry.get("letter"),
            {lang: "; ".join(v) for lang, v in glosses.items()}, audio]  # fmt: skip


def visible_entries(session, dictionary: Dictionary, viewer, ids=None) -> list[dict]:
    """The viewer's entries (all, or those of `ids`), filtered part by part, relations
    resolved, in the dictionary's order."""
    filters = [Entry.dictionary_id == dictionary.id, Entry.deleted.is_(False),
               access.entry_clause(viewer, dictionary, Entry)]  # fmt: skip
    if ids is not None:
        filters.append(Entry.id.in_(list(ids)))
    table = Entry.__table__  # Core rows: entry_dicts reads them for a fifth of the cost
    rows = session.execute(select(table).where(*filters).order_by(table.c.sort_key, table.c.id))
    rows = rows.all()
    out = []
    for start in range(0, len(rows), BATCH):
        dicts = entry_dicts(
            session=session, dictionary=dictionary, rows=rows[start : start + BATCH]
        )
        seen = [e for e in (access.filter_entry(viewer, dictionary, d) for d in dicts) if e]
        out.extend(resolve(session, dictionary, viewer, seen))
    return out


def index_rows(session, dictionary: Dictionary, viewer, ids=None) -> dict:
    """The viewer's search rows by kind: entry id -> [[norm, folded] | stems, ...], each
    entry's sort key (its place in the dictionary's order, which breaks ties), and the words
    typo tolerance corrects to, gathered as lexicon.search.index does (words of 3 to 30
    letters of headwords and glosses), from the visible rows only."""
    t = search_text
    stmt = select(t.c.entry_id, t.c.kind, t.c.norm, t.c.folded, t.c.stems, t.c.sort_key).where(
        t.c.dictionary_id == dictionary.id,
        t.c.kind.in_(INDEX_KINDS),
        visible_clause(viewer, dictionary),
    )
    if ids is not None:
        stmt = stmt.where(t.c.entry_id.in_(list(ids)))
    by_kind: dict[str, dict] = {k: {} for k in INDEX_KINDS}
    sort_keys: dict[str, str] = {}
    vocab: set[str] = set()
    for entry_id, kind, norm, folded, stems, sort_key in session.execute(stmt.order_by(t.c.id)):
        by_kind[kind].setdefault(entry_id, []).append([norm, folded] if kind == "hw" else stems)
        sort_keys.setdefault(entry_id, sort_key)
        if kind in ("hw", "gl"):
            vocab.update(w for w in _words_of(folded) if 3 <= len(w) <= 30)
    return {"rows": by_kind, "labels": label_rows(session, dictionary, viewer, ids),
            "sort_keys": sort_keys, "vocab": sorted(vocab)}  # fmt: skip


def label_rows(session, dictionary: Dictionary, viewer, ids=None) -> dict:
    """The viewer's browse labels by kind, as lexicon.search.browse filters and counts them:
    entry id -> [[text, folded], ...] of its visible semantic domains (`folded`: the code of a
    numbered domain) and [text, ...] of its parts of speech."""
    t = search_text
    stmt = select(t.c.entry_id, t.c.kind, t.c.text, t.c.folded).where(
        t.c.dictionary_id == dictionary.id,
        t.c.kind.in_(LABEL_KINDS),
        visible_clause(viewer, dictionary),
    )
    if ids is not None:
        stmt = stmt.where(t.c.entry_id.in_(list(ids)))
    out: dict[str, dict] = {k: {} for k in LABEL_KINDS}
    for entry_id, kind, text, folded in session.execute(stmt.order_by(t.c.id)):
        out[kind].setdefault(entry_id, []).append([text, folded] if kind == "dom" else text)
    return out


def _record(entry: dict, rows: dict) -> list:
    """One entry as saved: how lists show it, its search rows by kind (INDEX_KINDS), its browse
    labels (LABEL_KINDS), and 1 if it is published (the word of the day is chosen among those)."""
    return [*_listed(entry), *(rows["rows"][k].get(entry["id"], []) for k in INDEX_KINDS),
            *(rows["labels"][k].get(entry["id"], []) for k in LABEL_KINDS),
            1 if entry.get("status", "published") == "published" else 0]  # fmt: skip


def _media_list(session, dictionary: Dictionary, entries: list[dict], rows: dict) -> list:
    """[url, kind, bytes, letters, domains] of every recording and picture the saved entries
    show: the web copy's size where there is one (what the URL serves), and the letters and
    visible semantic domains of the entries that show it (audio is saved per letter or domain)."""
    urls, places = {}, {}
    for e in entries:
        domains = [d[0] for d in rows["labels"]["dom"].get(e["id"], [])]
        for m in _media_of(e):
            if m and m.get("url"):
                urls[m["sha256"]] = m["url"]
                letters, doms = places.setdefault(m["sha256"], ({}, {}))
                letters[e.get("letter") or "#"] = 1
                doms.update(dict.fromkeys(domains, 1))
    out = []
    shas = sorted(urls)
    for start in range(0, len(shas), BATCH):
        found = session.execute(
            select(Media.sha256, Media.kind, Media.size, Media.derivative_size).where(
                Media.dictionary_id == dictionary.id, Media.sha256.in_(shas[start : start + BATCH])
            )
        )
        out += [[urls[sha], kind, derived or size or 0, *map(list, places[sha])]
                for sha, kind, size, derived in found]  # fmt: skip
    return sorted(out)


def _export(session, dictionary: Dictionary, viewer, now: datetime) -> dict:
    entries = visible_entries(session, dictionary, viewer)
    rows = index_rows(session, dictionary, viewer)
    alphabet = alphabet_for(dictionary)
    return {
        "format": FORMAT,
        "slug": dictionary.slug,
        "title": dictionary.title,
        "generation": dictionary.generation,
        "as_of": iso(now),
        "access": access_digest(viewer, dictionary),
        "account": account_key(viewer),
        "fold": fold_rules(alphabet),
        "letters": alphabet.to_config()["letters"],
        "vernacular": list(dictionary.vernacular_ws or []),
        "entries": [_record(e, rows) for e in entries],
        "vocab": rows["vocab"],
        "full": [_lean(e) for e in entries],
        "media": _media_list(session, dictionary, entries, rows),
    }


# (engine, dictionary, created, generation, access) -> (summary, JSON, gzipped JSON); the
# summary (generation, entries, media) is all the plan needs: the data itself is not kept.
_SAVED: OrderedDict = OrderedDict()


def offline_data(session, *, dictionary: Dictionary, viewer, now: datetime | None = None):
    """Everything a phone saves of the dictionary for this viewer: (a summary of it: generation,
    entries, media; the data as compact JSON; that gzipped). Kept for the last few (dictionary, generation, access) asked: the size shown
    before saving and the save itself read it once."""
    access.require_dictionary(viewer, dictionary)
    # the engine and the creation time too: a database replaced (a restore, the tests) may
    # bring the same dictionary id at the same generation with other entries
    key = (id(session.get_bind()), dictionary.id, iso(dictionary.created_at),
           dictionary.generation, access_digest(viewer, dictionary))  # fmt: skip
    if key in _SAVED:
        _SAVED.move_to_end(key)
        return _SAVED[key]
    data = _export(session, dictionary, viewer, now or datetime.now(UTC))
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    summary = {"generation": data["generation"], "entries": len(data["entries"]),
               "media": data["media"]}  # fmt: skip
    _SAVED[key] = (summary, body, gzip.compress(body, 6))
    while len(_SAVED) > 4:
        _SAVED.popitem(last=False)
    return _SAVED[key]


def offline_plan(session, *, dictionary: Dictionary, viewer) -> dict:
    """What saving takes, before it starts: the text (bytes as sent, compressed), and the
    recordings and pictures (count, bytes)."""
    data, body, packed = offline_data(session, dictionary=dictionary, viewer=viewer)
    parts = {"audio": [0, 0], "image": [0, 0]}
    letters: dict[str, list] = {}
    domains: dict[str, list] = {}
    for _, kind, size, in_letters, in_domains in data["media"]:
        part = parts["image" if kind == "image" else "audio"]
        part[0], part[1] = part[0] + 1, part[1] + size
        if kind != "image":
            for place, key in [*((letters, k) for k in in_letters),
                               *((domains, k) for k in in_domains)]:  # fmt: skip
                counted = place.setdefault(key, [0, 0])
                counted[0], counted[1] = counted[0] + 1, counted[1] + size
    order = [*alphabet_for(dictionary).to_config()["letters"], "#"]
    order = [str(x).split(" ")[-1] for x in order]
    return {
        "generation": data["generation"],
        "entries": data["entries"],
        "text": {"bytes": len(packed), "raw_bytes": len(body)},
        "audio": {"count": parts["audio"][0], "bytes": parts["audio"][1]},
        "pictures": {"count": parts["image"][0], "bytes": parts["image"][1]},
        "audio_by_letter": [{"letter": k, "count": v[0], "bytes": v[1]} for k, v in
                            sorted(letters.items(), key=lambda kv: _place(order, kv[0]))],
        "audio_by_domain": [{"domain": k, "count": v[0], "bytes": v[1]} for k, v in
                            sorted(domains.items(), key=lambda kv: _domain_order(kv[0]))],
    }  # fmt: skip


def _place(order: list, letter: str) -> tuple:
    return (order.index(letter), letter) if letter in order else (len(order), letter)


def changes_since(
    session, *, dictionary: Dictionary, viewer, since: int, as_of: str, digest: str
) -> dict:
    """What changed since the phone saved generation `since` (at `as_of`, with access
    `digest`): the entries written since, as saved records, and the order of every entry the
    viewer now sees (an entry missing from it was deleted or hidden: the phone drops it).
    `full` when only saving again will do: another access, new dictionary settings."""
    access.require_dictionary(viewer, dictionary)
    now = datetime.now(UTC)
    base = {"format": FORMAT, "generation": dictionary.generation, "as_of": iso(now),
            "full": False}  # fmt: skip
    if since == dictionary.generation and digest == access_digest(viewer, dictionary):
        return {**base, "as_of": as_of, "unchanged": True, "entries": [], "full_entries": []}
    try:  # a time that is no time, or too early to look back from: save again
        saved_at = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
        saved_at = saved_at if saved_at.tzinfo else saved_at.replace(tzinfo=UTC)
        looked_back = saved_at - LOOK_BACK
    except (ValueError, OverflowError):
        return {**base, "full": True}
    # compared in SQL: a timestamp column and a Python datetime may disagree on time zones
    resettled = session.execute(
        select(Dictionary.id).where(
            Dictionary.id == dictionary.id, Dictionary.updated_at > saved_at
        )
    ).first()
    if digest != access_digest(viewer, dictionary) or resettled:
        return {**base, "full": True}
    written = session.execute(
        select(Entry.id).where(
            Entry.dictionary_id == dictionary.id, Entry.updated_at >= looked_back
        )
    )
    ids = set(written.scalars())
    if len(ids) > MAX_DELTA:  # an import, say: saving again is simpler and not much larger
        return {**base, "full": True}
    entries = visible_entries(session, dictionary, viewer, ids) if ids else []
    rows = index_rows(session, dictionary, viewer)
    order = session.execute(
        select(Entry.id)
        .where(
            Entry.dictionary_id == dictionary.id,
            Entry.deleted.is_(False),
            access.entry_clause(viewer, dictionary, Entry),
        )  # fmt: skip
        .order_by(Entry.sort_key, Entry.id)
    )
    return {
        **base,
        "unchanged": False,
        "order": list(order.scalars()),
        "entries": [_record(e, rows) for e in entries],
        "full_entries": [_lean(e) for e in entries],
        "vocab": rows["vocab"],
        "media": _media_list(session, dictionary, entries, rows),
    }
