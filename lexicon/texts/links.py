"""Words of a text linked to entries (docs/text-shape.md, "words").

Each word of a segment (its `words`, or, with no analysis, the words of its transcription split
by the dictionary's alphabet) and each morpheme is matched to an entry through the search
index's headword rows (`search_text`, kind `hw`), compared as search compares them: exact
(`normalise`: case-folded, diacritics count) on a headword or lexeme form first, then exact on a
citation form or variant, then folded by the alphabet (`Alphabet.fold`: no diacritics,
confusables unified, ignored characters dropped). Among entries of one tier, the one with the
word's gloss (FLExText glosses words and morphemes) wins, else the first in the dictionary's
order.

The keeper's own choices ("confirmed" with an entry, "rejected" with none) are part of the text
(a word's or morpheme's `entry_id` and `link`; for a segment without analysis,
`extra.links[n]` with the word it was made for) and so are kept in its history. The effective
links, with the "auto" ones worked out, are the `text_word` rows, rewritten with every text
write (`index_text`, called by the store): the concordance and the new-word candidates read
them. Auto links are worked out again when the text is saved; new-word candidates leave out the
words an entry made since then would match (`match_forms` at read time).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import delete, insert, select

from lexicon.accounts import access
from lexicon.alphabet import Alphabet
from lexicon.db.transactions import transaction
from lexicon.entries.read import alphabet_for
from lexicon.models import Dictionary, Entry, Text, TextSegment, TextWord
from lexicon.search.index import search_text
from lexicon.search.words import normalise

LINKS = ("auto", "confirmed", "rejected", "none")
KEPT = ("confirmed", "rejected")  # the keeper's choices; the others are worked out
EXACT_FIELDS = ("headword", "lexeme_form")
AFFIX_MARKS = "-=~"  # FLEx writes affixes as -ka, clitics as =ka


@dataclass(frozen=True)
class Token:
    """One word (m == -1) or morpheme of a segment, with the keeper's choice if any."""

    n: int
    m: int
    form: str
    entry_id: str | None = None
    link: str | None = None  # "confirmed" / "rejected" when the keeper chose
    gloss: tuple[str, ...] = ()  # FLEx's gloss, to choose between homographs


# ---------------------------------------------------------------- words of a segment


@lru_cache(maxsize=256)
def _word_rx(alphabet: Alphabet) -> re.Pattern:
    """Runs of letters, digits, marks and the alphabet's own characters (a letter spelled
    with an apostrophe stays one word); ignored characters only inside a word."""
    own = {c for lt in alphabet.letters for c in lt.lower + lt.upper}
    own |= {c for group in alphabet.confusables for member in group for c in member}
    inner = {c for item in alphabet.ignore for c in item} - own
    word = r"[\w" + "".join(re.escape(c) for c in sorted(own)) + r"\u0300-\u036f]"
    joiner = "".join(re.escape(c) for c in sorted(inner))
    tail = f"(?:[{joiner}]{word}+)*" if joiner else ""
    return re.compile(f"{word}+{tail}")


def split_words(alphabet: Alphabet, value: str) -> list[str]:
    """The words of a transcription (what has no letter, like a number, is no word)."""
    found = _word_rx(alphabet).findall(unicodedata.normalize("NFC", value or ""))
    return [w.strip("_") for w in found if any(c.isalpha() for c in w)]


def vernacular_form(dictionary: Dictionary, multitext: dict | None) -> str:
    """The transcription in the dictionary's first vernacular writing system it has."""
    multitext = multitext or {}
    for ws in dictionary.vernacular_ws or []:
        if multitext.get(ws):
            return multitext[ws]
    return next((v for v in multitext.values() if v), "")


def _choice(obj: dict) -> tuple[str | None, str | None]:
    link = obj.get("link")
    if link == "confirmed" and obj.get("entry_id"):
        return obj["entry_id"], link
    if link == "rejected":
        return None, link
    return None, None


def _glosses(obj: dict) -> tuple[str, ...]:
    gloss = obj.get("gloss") or {}
    values = gloss.values() if isinstance(gloss, dict) else [str(gloss)]
    return tuple(
        sorted({normalise(p) for v in values for p in re.split(r"[;,]", v or "") if p.strip()})
    )


def segment_tokens(dictionary: Dictionary, alphabet: Alphabet, segment: dict) -> list[Token]:
    """The segment's words and morphemes to link, with the keeper's choices."""
    out = []
    words = segment.get("words") or []
    if words:
        for n, word in enumerate(words):
            if word.get("punct") or not str(word.get("text") or "").strip():
                continue
            out.append(Token(n, -1, word["text"].strip(), *_choice(word), _glosses(word)))
            for m, morph in enumerate(word.get("morphemes") or []):
                form = str(morph.get("text") or "").strip(AFFIX_MARKS + " ")
                if form:
                    out.append(Token(n, m, form, *_choice(morph), _glosses(morph)))
        return out
    chosen = (segment.get("extra") or {}).get("links") or {}
    for n, form in enumerate(split_words(alphabet, vernacular_form(dictionary, segment["text"]))):
        kept = chosen.get(str(n)) or {}
        choice = _choice(kept) if kept.get("text") == form else (None, None)
        out.append(Token(n, -1, form, *choice))
    return out


# ---------------------------------------------------------------- matching


def _rank(row, norm: str, folded: str) -> int | None:
    if row.norm == norm and row.field in EXACT_FIELDS:
        return 0
    if row.norm == norm:
        return 1  # a citation form or a variant
    if row.folded == folded:
        return 2
    return None


def _best_entries(session, dictionary: Dictionary, forms, alphabet: Alphabet | None) -> dict:
    """{form: [entries of the best tier, in the dictionary's order]}."""
    alphabet = alphabet or alphabet_for(dictionary)
    keys = {f: (normalise(f), alphabet.fold(f)) for f in set(forms)}
    norms = sorted({k[0] for k in keys.values()})
    folds = sorted({k[1] for k in keys.values() if k[1]})
    t = search_text.c
    rows = []
    for chunk, column in [(norms[i : i + 400], t.norm) for i in range(0, len(norms), 400)] + [
        (folds[i : i + 400], t.folded) for i in range(0, len(folds), 400)
    ]:
        rows += session.execute(
            select(t.entry_id, t.field, t.norm, t.folded, t.sort_key).where(
                t.dictionary_id == dictionary.id, t.kind == "hw", column.in_(chunk)
            )
        ).all()
    by_key: dict[str, list] = {}
    for row in rows:
        by_key.setdefault(row.norm, []).append(row)
        by_key.setdefault("\0" + row.folded, []).append(row)
    out = {}
    for form, (norm, folded) in keys.items():
        ranked = sorted({
            (rank, row.sort_key, row.entry_id)
            for row in by_key.get(norm, []) + by_key.get("\0" + folded, [])
            if (rank := _rank(row, norm, folded)) is not None
        })  # fmt: skip
        best = [r[2] for r in ranked if r[0] == ranked[0][0]] if ranked else []
        out[form] = list(dict.fromkeys(best))
    return out


def match_forms(session, dictionary: Dictionary, forms, alphabet: Alphabet | None = None) -> dict:
    """{form: entry id or None}: each form's entry by the matching order above."""
    ranked = _best_entries(session, dictionary, forms, alphabet)
    return {form: (found[0] if found else None) for form, found in ranked.items()}


def _by_gloss(session, dictionary: Dictionary, tokens, ranked: dict) -> dict:
    """{(form, gloss): entry}: among homographs of one tier, the one with the word's gloss
    (FLEx glosses its words and morphemes)."""
    wanted = {(t.form, t.gloss) for t in tokens if t.gloss and len(ranked.get(t.form) or []) > 1}
    ids = sorted({e for form, _ in wanted for e in ranked[form]})
    if not ids:
        return {}
    t = search_text.c
    glosses: dict[str, set] = {}
    for entry_id, norm in session.execute(
        select(t.entry_id, t.norm).where(t.dictionary_id == dictionary.id, t.kind == "gl",
                                         t.entry_id.in_(ids))
    ).all():  # fmt: skip
        glosses.setdefault(entry_id, set()).add(norm)
    out = {}
    for form, gloss in wanted:
        chosen = next((e for e in ranked[form] if glosses.get(e, set()) & set(gloss)), None)
        if chosen:
            out[(form, gloss)] = chosen
    return out


def effective(token: Token, matched: dict) -> tuple[str | None, str]:
    """(entry id, link) of a token: the keeper's choice, else the match (by its gloss among
    homographs), else none."""
    if token.link in KEPT:
        return token.entry_id, token.link
    entry_id = matched.get((token.form, token.gloss)) or matched.get(token.form)
    return entry_id, "auto" if entry_id else "none"


# ---------------------------------------------------------------- the index


def index_text(session, dictionary: Dictionary, text: dict) -> None:
    """Rewrite the text's `text_word` rows (the store calls this in its write transaction)."""
    table = TextWord.__table__
    session.execute(delete(table).where(table.c.text_id == text["id"]))
    alphabet = alphabet_for(dictionary)
    tokens = [(s["id"], t) for s in text.get("segments") or []
              for t in segment_tokens(dictionary, alphabet, s)]  # fmt: skip
    if not tokens:
        return
    ranked = _best_entries(session, dictionary, {t.form for _, t in tokens}, alphabet)
    matched = {form: (found[0] if found else None) for form, found in ranked.items()}
    matched.update(_by_gloss(session, dictionary, [t for _, t in tokens], ranked))
    rows = []
    for segment_id, token in tokens:
        entry_id, link = effective(token, matched)
        rows.append({"dictionary_id": dictionary.id, "text_id": text["id"],
                     "segment_id": segment_id, "n": token.n, "m": token.m, "form": token.form,
                     "folded": alphabet.fold(token.form), "entry_id": entry_id, "link": link})  # fmt: skip
    session.execute(insert(table), rows)


def relink_texts(session, dictionary: Dictionary) -> int:
    """Work the automatic links of every live text out again (after entries or the alphabet
    changed): no revision, the keeper's choices stay. Returns the texts relinked."""
    with transaction(session):
        ids = session.execute(
            select(Text.id).where(Text.dictionary_id == dictionary.id, Text.deleted.is_(False))
        ).scalars().all()  # fmt: skip
        for text_id in ids:
            segments = session.execute(
                select(TextSegment).where(TextSegment.text_id == text_id)
            ).scalars().all()  # fmt: skip
            index_text(session, dictionary, {"id": text_id, "segments": [
                {"id": s.id, "text": s.text, "words": s.words, "extra": s.extra}
                for s in segments]})  # fmt: skip
    return len(ids)


def visible_entries(session, dictionary: Dictionary, viewer, ids) -> set[str]:
    """Which of these entries `viewer` may see (None: everyone's command line, all)."""
    ids = {i for i in ids if i}
    if not ids:
        return set()
    rows = session.execute(
        select(Entry.id, Entry.status, Entry.visibility, Entry.circle, Entry.deleted).where(
            Entry.dictionary_id == dictionary.id, Entry.id.in_(sorted(ids))
        )
    ).all()
    return {
        r.id for r in rows
        if not r.deleted and (viewer is None or access.can_see_entry(
            viewer, dictionary, {"status": r.status, "visibility": r.visibility,
                                 "circle": r.circle}))
    }  # fmt: skip


def text_links(session, dictionary: Dictionary, viewer, text: dict) -> dict[str, list[dict]]:
    """{segment id: [{n, m, form, entry_id, link}]} for the segments of `text` (as the viewer
    was given it): a link to an entry hidden from the viewer shows as no link."""
    shown = {s["id"] for s in text.get("segments") or []}
    rows = session.execute(
        select(TextWord).where(TextWord.text_id == text["id"]).order_by(
            TextWord.segment_id, TextWord.n, TextWord.m
        )
    ).scalars().all()  # fmt: skip
    fresh = matched_since(session, dictionary, rows)
    seen = visible_entries(
        session, dictionary, viewer, {r.entry_id for r in rows} | set(fresh.values())
    )
    out: dict[str, list[dict]] = {sid: [] for sid in shown}
    for r in rows:
        if r.segment_id in shown:
            entry_id, link = (
                (fresh[r.form], "auto")
                if fresh.get(r.form) and r.link == "none"
                else (r.entry_id, r.link)
            )
            hidden = entry_id is not None and entry_id not in seen
            out[r.segment_id].append({
                "n": r.n, "m": r.m, "form": r.form,
                "entry_id": None if hidden else entry_id,
                "link": "none" if hidden else link,
            })  # fmt: skip
    return out


def matched_since(session, dictionary: Dictionary, rows) -> dict[str, str]:
    """{form: entry}: words that had no entry when their text was saved ("none") and that an
    entry made since matches; read-time, so a new entry is linked before the text is saved."""
    forms = {r.form for r in rows if r.link == "none"}
    return {f: e for f, e in match_forms(session, dictionary, forms).items() if e} if forms else {}


def headwords(session, dictionary: Dictionary, ids) -> dict[str, str]:
    """{entry id: its displayed headword}, for showing links."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    rows = session.execute(
        select(Entry.id, Entry.headword_text).where(
            Entry.dictionary_id == dictionary.id, Entry.id.in_(ids)
        )
    ).all()
    return {r.id: r.headword_text for r in rows}


def _pieces(alphabet: Alphabet, value: str, found: dict) -> list[dict]:
    """A transcription cut into its words (each with its entry) and what lies between."""
    out, n, at = [], 0, 0
    value = unicodedata.normalize("NFC", value or "")
    for match in _word_rx(alphabet).finditer(value):
        if not any(c.isalpha() for c in match.group(0)):
            continue
        if match.start() > at:
            out.append({"text": value[at : match.start()], "entry_id": None})
        link = found.get((n, -1)) or {}
        out.append({"text": match.group(0), "entry_id": link.get("entry_id"), "n": n})
        n, at = n + 1, match.end()
    if at < len(value):
        out.append({"text": value[at:], "entry_id": None})
    return out


def linked_text(session, dictionary: Dictionary, viewer, text: dict) -> dict:
    """The text (as the viewer was given it) with its effective links: each analysed word's
    and morpheme's `entry_id` and `link` filled in, and for a segment without analysis
    `pieces` = {"ws", "items": [{"text", "entry_id"}]}, its transcription cut into words and
    what lies between, for pages to link each word to its entry (also for a segment whose
    words word alignment made from it: then each word's piece has its `start` and `end`)."""
    by_segment = text_links(session, dictionary, viewer, text)
    alphabet = alphabet_for(dictionary)
    segments = []
    for segment in text.get("segments") or []:
        found = {(w["n"], w["m"]): w for w in by_segment.get(segment["id"], [])}
        segment = dict(segment)
        if segment.get("words"):
            segment["words"] = [
                _linked_word(word, n, found) for n, word in enumerate(segment["words"])
            ]
        form = vernacular_form(dictionary, segment.get("text"))
        if not segment.get("words") or _made_by_alignment(segment, form):
            ws = next((k for k, v in (segment.get("text") or {}).items() if v == form), None)
            items, words = _pieces(alphabet, form, found), segment.get("words") or []
            for item in items:  # words made by alignment: their times, on the typed sentence
                if "n" in item and item["n"] < len(words):
                    item.update(
                        start=words[item["n"]].get("start"), end=words[item["n"]].get("end")
                    )
            segment["pieces"] = {"ws": ws, "items": items}
        segments.append(segment)
    return dict(text, segments=segments)


def _made_by_alignment(segment: dict, form: str) -> bool:
    """Were the segment's words made from this very transcription by word alignment (so the
    sentence is shown as typed, its punctuation kept, with the words' times)?"""
    made = (segment.get("extra") or {}).get("alignment") or {}
    return bool(made.get("made")) and made.get("form") == form


def _linked_word(word: dict, n: int, found: dict) -> dict:
    link = found.get((n, -1))
    out = dict(word)
    if link is not None:
        out.update(entry_id=link["entry_id"], link=link["link"])
    morphemes = []
    for m, morph in enumerate(word.get("morphemes") or []):
        got = found.get((n, m))
        morphemes.append(dict(morph, entry_id=got["entry_id"], link=got["link"]) if got else morph)
    if morphemes:
        out["morphemes"] = morphemes
    return out
