"""The keepers' pages for words of texts (issue 22): a text's words with their links, each
changed in one click (`/d/{slug}/edit/texts/{id}/words`); the new-word candidates, each made a
draft entry in one click (`/d/{slug}/edit/candidates`); "use as example" from an entry's page.
Plain forms: no script needed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from api.deps import CsrfChecked, DictionaryDep, EditorDep, ProposerDep, SessionDep, StorageDep
from api.routes.editor import editor_url, form_pairs, see_other
from api.routes.text_links import with_urls
from api.templating import render
from api.urls import urls
from lexicon import texts
from lexicon.errors import EntryNotFound, InvalidInput
from lexicon.texts import clips, concordance, links, word_clips

router = APIRouter(prefix="/d/{slug}/edit", include_in_schema=False,
                   default_response_class=HTMLResponse)  # fmt: skip


@router.get("/candidates")
def candidates_page(
    request: Request, dictionary: DictionaryDep, session: SessionDep, viewer: EditorDep,
    text: str | None = None,
):  # fmt: skip
    found = concordance.candidates(session=session, dictionary=dictionary, viewer=viewer,
                                   text_id=text or None, limit=200)  # fmt: skip
    for item in found:
        item["contexts"] = [with_urls(dictionary.slug, c) for c in item["contexts"]]
    ctx = {"candidates": found, "text_id": text, "viewer": viewer,
           "drafted": request.query_params.get("drafted")}  # fmt: skip
    return render(request, "editor/candidates.html", ctx, dictionary=dictionary)


@router.post("/candidates/entry")
def draft_entry(
    pairs: Annotated[list, Depends(form_pairs)], _csrf: CsrfChecked, dictionary: DictionaryDep,
    session: SessionDep, viewer: ProposerDep, storage: StorageDep,
):  # fmt: skip
    posted = dict(pairs)
    gloss = posted.get("gloss", "").strip()
    ws = (dictionary.analysis_ws or ["en"])[0]
    clips.draft_entry(
        session=session, storage=storage, dictionary=dictionary, viewer=viewer,
        text_id=posted.get("text_id", ""), segment_id=posted.get("segment_id", ""),
        form=posted.get("form", ""), glosses={ws: gloss} if gloss else {},
    )  # fmt: skip
    back = urls.candidates(dictionary.slug, posted.get("text") or None)
    return see_other(back + ("&" if "?" in back else "?") + "drafted=" + "1")


@router.post("/entries/{entry_id}/occurrences/example")
def use_as_example(
    entry_id: str, pairs: Annotated[list, Depends(form_pairs)], _csrf: CsrfChecked,
    dictionary: DictionaryDep, session: SessionDep, viewer: ProposerDep, storage: StorageDep,
):  # fmt: skip
    posted = dict(pairs)
    change = clips.use_as_example(
        session=session, storage=storage, dictionary=dictionary, viewer=viewer,
        entry_id=entry_id, sense_id=posted.get("sense_id", ""),
        text_id=posted.get("text_id", ""), segment_id=posted.get("segment_id", ""),
    )  # fmt: skip
    if change.proposal is not None:
        return see_other(editor_url(dictionary, "review?proposed=1"))
    return see_other(urls.entry(dictionary.slug, entry_id) + f"#sense-{posted.get('sense_id')}")


@router.get("/texts/{text_id}/words")
def words_page(
    request: Request, text_id: str, dictionary: DictionaryDep, session: SessionDep,
    viewer: EditorDep,
):  # fmt: skip
    text = texts.read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    by_segment = links.text_links(session, dictionary, viewer, text)
    ids = {w["entry_id"] for ws in by_segment.values() for w in ws}
    heads = links.headwords(session, dictionary, ids)
    segments = [dict(s, links=by_segment.get(s["id"], [])) for s in text["segments"]]
    ctx = {"text": text, "segments": segments, "headwords": heads, "viewer": viewer,
           "first_form": texts.first_form}  # fmt: skip
    return render(request, "editor/text_words.html", ctx, dictionary=dictionary)


@router.post("/texts/{text_id}/words/recording")
def use_word_clip(
    text_id: str, pairs: Annotated[list, Depends(form_pairs)], _csrf: CsrfChecked,
    dictionary: DictionaryDep, session: SessionDep, viewer: EditorDep, storage: StorageDep,
):  # fmt: skip
    """One click: an aligned word's clip becomes its entry's recording (issue 23)."""
    posted = dict(pairs)
    entry_id = posted.get("entry_id", "")
    word_clips.use_word_clip(
        session=session, storage=storage, dictionary=dictionary, viewer=viewer,
        entry_id=entry_id, text_id=text_id, segment_id=posted.get("segment_id", ""),
        n=int(posted.get("n") or 0),
    )  # fmt: skip
    return see_other(urls.entry(dictionary.slug, entry_id))


@router.post("/texts/{text_id}/words")
def set_link(
    text_id: str, pairs: Annotated[list, Depends(form_pairs)], _csrf: CsrfChecked,
    dictionary: DictionaryDep, session: SessionDep, viewer: EditorDep,
):  # fmt: skip
    """One click: confirm the link shown, say no entry, give back to auto, or link the word
    to the entry a typed headword names."""
    posted = dict(pairs)
    action, segment_id = posted.get("action", ""), posted.get("segment_id", "")
    n, m = int(posted.get("n") or 0), int(posted.get("m") or -1)
    entry_id, link = posted.get("entry_id") or None, None
    if action == "reject":
        entry_id = None
    elif action == "auto":
        entry_id, link = None, "auto"
    elif action == "link":
        typed = posted.get("headword", "").strip()
        entry_id = links.match_forms(session, dictionary, [typed]).get(typed) if typed else None
        if entry_id is None:
            raise InvalidInput(f"headword: no entry {typed!r} to link to")
    elif not entry_id:
        raise EntryNotFound("entry_id: the entry to confirm")
    concordance.set_link(session=session, dictionary=dictionary, text_id=text_id,
                         segment_id=segment_id, n=n, m=m, entry_id=entry_id, link=link,
                         viewer=viewer, editor=viewer.label)  # fmt: skip
    return see_other(urls.editor(dictionary.slug, "texts", text_id, "words", fragment=segment_id))
