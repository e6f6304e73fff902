"""What the word links give: a keeper's one-click link (`set_link`), the sentences that use an
entry (`occurrences`, the concordance) and the words no entry has yet (`candidates`). Every
sentence is read through the access rule: the text's scope and the segment's scope, both
(lexicon.texts.view), and an entry hidden from the viewer has no occurrences for them."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import and_, or_, select

from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.entries.read import alphabet_for
from lexicon.errors import EntryNotFound, InvalidInput, NotFound
from lexicon.models import Dictionary, Text, TextSegment, TextWord
from lexicon.search.index import search_text
from lexicon.texts import links, store, view
from lexicon.texts.shape import first_form

MAX_CONTEXTS = 5


class WordNotFound(NotFound):
    """No word at that place in the segment (or no such segment the viewer may see)."""


# ---------------------------------------------------------------- one-click links


def _form(obj: dict) -> str:
    return str(obj.get("text") or "").strip()


def _target(text: dict, segment_id: str, n: int, m: int, dictionary, viewer) -> tuple[dict, dict]:
    """(segment, the dict the choice goes into) for word n (morpheme m) of a segment."""
    segment = next((s for s in text["segments"] if s["id"] == segment_id), None)
    if segment is None or (viewer is not None and not view.sees_segment(
            viewer, dictionary, text, segment)):  # fmt: skip
        raise WordNotFound(f"text {text['id']} has no segment {segment_id}")
    words = segment.get("words") or []
    if words:
        if not 0 <= n < len(words) or words[n].get("punct") or not _form(words[n]):
            raise WordNotFound(f"segment {segment_id} has no word {n}")
        if m < 0:
            return segment, words[n]
        morphemes = words[n].get("morphemes") or []
        if not 0 <= m < len(morphemes) or not _form(morphemes[m]).strip(links.AFFIX_MARKS):
            raise WordNotFound(f"word {n} of segment {segment_id} has no morpheme {m}")
        return segment, morphemes[m]
    forms = links.split_words(alphabet_for(dictionary), links.vernacular_form(
        dictionary, segment.get("text")))  # fmt: skip
    if m >= 0 or not 0 <= n < len(forms):
        raise WordNotFound(f"segment {segment_id} has no word {n}")
    segment["extra"] = dict(segment.get("extra") or {})
    chosen = segment["extra"]["links"] = dict(segment["extra"].get("links") or {})
    chosen[str(n)] = {"text": forms[n]}
    return segment, chosen[str(n)]


def set_link(
    *,
    session,
    dictionary: Dictionary,
    text_id: str,
    segment_id: str,
    n: int,
    entry_id: str | None,
    m: int = -1,
    link: str | None = None,
    version: int | None = None,
    viewer: Viewer | None = None,
    editor: str = "",
) -> dict:
    """Link word `n` (morpheme `m`) of a segment to `entry_id` ("confirmed"), to no entry
    ("rejected", entry_id None), or give it back to the matching (`link` "auto"). A new
    revision of the text; answers the word's effective link and the text's new version."""
    if viewer is not None:
        access.require(viewer, dictionary, "edit")
    link = link or ("confirmed" if entry_id else "rejected")
    if link not in ("confirmed", "rejected", "auto"):
        raise InvalidInput("link: confirmed, rejected or auto")
    if link == "confirmed" and (not entry_id or not links.visible_entries(
            session, dictionary, viewer, {entry_id})):  # fmt: skip
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    text = store.read_text(session=session, dictionary=dictionary, text_id=text_id)
    if viewer is not None and view.filter_text(viewer, dictionary, text) is None:
        raise store.TextNotFound(f"no text {text_id} in {dictionary.slug!r}")
    _, target = _target(text, segment_id, n, m, dictionary, viewer)
    target["entry_id"] = entry_id if link == "confirmed" else None
    target["link"] = link if link != "auto" else "auto"
    saved = store.update_text(
        session=session, dictionary=dictionary, text_id=text_id, data=text,
        version=text["version"] if version is None else version, editor=editor,
        viewer=viewer, comment=f"link {segment_id} {n}" + (f".{m}" if m >= 0 else ""),
    )  # fmt: skip
    row = session.execute(
        select(TextWord).where(TextWord.text_id == text_id, TextWord.segment_id == segment_id,
                               TextWord.n == n, TextWord.m == m)
    ).scalar_one_or_none()  # fmt: skip
    if row is None:  # not a word after all (the store's view of the text wins)
        raise WordNotFound(f"segment {segment_id} has no word {n}")
    return {"segment_id": segment_id, "n": n, "m": m, "form": row.form,
            "entry_id": row.entry_id, "link": row.link, "version": saved["version"]}  # fmt: skip


# ---------------------------------------------------------------- sentences


def _sentences(session, dictionary, viewer, where, limit: int) -> list[tuple]:
    """(TextWord, TextSegment, Text) rows of live texts matching `where`, those the viewer
    may see, in text and segment order."""
    stmt = (
        select(TextWord, TextSegment, Text)
        .join(TextSegment, TextSegment.id == TextWord.segment_id)
        .join(Text, Text.id == TextWord.text_id)
        .where(TextWord.dictionary_id == dictionary.id, Text.deleted.is_(False), *where)
        .order_by(Text.id, TextSegment.position, TextWord.n, TextWord.m)
    )
    if viewer is not None:
        stmt = stmt.where(view.text_clause(viewer, dictionary, Text))
    out = []
    for word, segment, text in session.execute(stmt.limit(limit * 20)).all():
        scope = {"visibility": text.visibility, "circle": text.circle, "status": text.status}
        if viewer is not None and not (
            view.can_see_text(viewer, dictionary, scope)
            and view.sees_segment(viewer, dictionary, scope,
                                  {"visibility": segment.visibility, "circle": segment.circle})
        ):  # fmt: skip
            continue
        out.append((word, segment, text))
    return out


def sentence(text: Text, segment: TextSegment) -> dict:
    """One sentence as the concordance gives it (the API adds its clip's URL)."""
    return {
        "text_id": text.id, "title": text.title, "title_text": first_form(text.title),
        "segment_id": segment.id, "position": segment.position, "text": segment.text,
        "translation": segment.translation, "start": segment.start, "end": segment.end,
        "has_audio": bool(text.media_sha256) and segment.start is not None,
        "visibility": view.segment_scope(
            {"visibility": text.visibility, "circle": text.circle},
            {"visibility": segment.visibility, "circle": segment.circle})[0],
    }  # fmt: skip


def occurrences(
    *, session, dictionary: Dictionary, entry_id: str, viewer: Viewer | None = None,
    limit: int = 100,
) -> list[dict]:  # fmt: skip
    """The sentences of texts whose words (or morphemes) are linked to the entry, each once,
    with the forms found in it; what the viewer may see only."""
    if not links.visible_entries(session, dictionary, viewer, {entry_id}):
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    # Words left without an entry when their text was saved, that this entry now matches.
    t = search_text.c
    folds = session.execute(
        select(t.folded).where(t.dictionary_id == dictionary.id, t.kind == "hw",
                               t.entry_id == entry_id)
    ).scalars().all()  # fmt: skip
    unlinked = and_(TextWord.link == "none", TextWord.folded.in_(sorted(set(folds))))
    rows = _sentences(
        session, dictionary, viewer, (or_(TextWord.entry_id == entry_id, unlinked),), limit
    )
    fresh = links.matched_since(session, dictionary, [w for w, _, _ in rows if w.entry_id is None])
    found: dict[str, dict] = {}
    for word, segment, text in rows:
        if word.entry_id is None and fresh.get(word.form) != entry_id:
            continue
        item = found.get(segment.id)
        if item is None:
            if len(found) >= limit:
                break
            item = found[segment.id] = dict(sentence(text, segment), forms=[], words=[])
        if word.form not in item["forms"]:
            item["forms"].append(word.form)
        link = word.link if word.entry_id else "auto"
        item["words"].append({"n": word.n, "m": word.m, "form": word.form, "link": link})
    return list(found.values())


def candidates(
    *, session, dictionary: Dictionary, viewer: Viewer | None = None, text_id: str | None = None,
    limit: int = 200,
) -> list[dict]:  # fmt: skip
    """Words no entry has (in one text, or all): each with how often it occurs, its
    spellings and up to MAX_CONTEXTS sentences, most frequent first. A word an entry made
    since its text was saved would match is left out."""
    where = [TextWord.entry_id.is_(None), TextWord.m == -1]
    if text_id is not None:
        where.append(TextWord.text_id == text_id)
    rows = _sentences(session, dictionary, viewer, where, limit=10_000)
    groups: dict[str, dict] = {}
    for word, segment, text in rows:
        group = groups.setdefault(word.folded, {"folded": word.folded, "count": 0,
                                                "spellings": Counter(), "contexts": []})  # fmt: skip
        group["count"] += 1
        group["spellings"][word.form] += 1
        if len(group["contexts"]) < MAX_CONTEXTS and all(
            c["segment_id"] != segment.id for c in group["contexts"]
        ):
            group["contexts"].append(dict(sentence(text, segment), n=word.n))
    spelled = {f: g["spellings"].most_common(1)[0][0] for f, g in groups.items()}
    matched = links.match_forms(session, dictionary, spelled.values())
    out = []
    for folded, group in groups.items():
        if matched.get(spelled[folded]):
            continue
        out.append({"form": spelled[folded], "folded": folded, "count": group["count"],
                    "spellings": dict(group["spellings"]), "contexts": group["contexts"]})  # fmt: skip
    out.sort(key=lambda g: (-g["count"], g["folded"]))
    return out[:limit]
