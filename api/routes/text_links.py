"""JSON API: words of texts linked to entries, and what the links give (issue 22, parts 4-5).

- `GET .../texts/{id}/links`: each shown segment's words with the entry each is linked to.
- `PUT .../texts/{id}/segments/{sid}/words/{n}/link` (and `.../morphemes/{m}/link`): a keeper
  links a word to `{"entry_id"}`, to none (`null`), or gives it back to the matching
  (`{"link": "auto"}`); a new revision of the text.
- `GET .../texts/candidates[?text=ID]`: words no entry has, with counts and contexts;
  `POST .../texts/candidates/entry` makes one a draft entry in the review queue.
- `GET .../entries/{id}/occurrences`: the sentences that use an entry (the concordance), and
  `POST .../entries/{id}/occurrences/example` copies one into a sense.
- `GET .../texts/{id}/segments/{sid}/clip`: a sentence's sound, with HTTP ranges.

Every sentence passes the access rule (text and segment scopes); this module sorts before
`texts`, so `.../texts/candidates` is not taken for a text's id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.csrf import require_csrf_for_session
from api.deps import (
    DictionaryDep,
    EditorDep,
    IfMatch,
    ProposerDep,
    SessionDep,
    StorageDep,
    ViewerDep,
)
from api.routes.media import ranged_response
from api.urls import urls
from lexicon import texts
from lexicon.texts import clips, concordance, links

router = APIRouter(
    prefix="/api/dictionaries/{slug}",
    tags=["texts"],
    dependencies=[Depends(require_csrf_for_session)],
)


class LinkIn(BaseModel):
    entry_id: str | None = Field(None, description="the entry; null: no entry (rejected)")
    link: str | None = Field(None, description="'auto' gives the word back to the matching")
    version: int | None = None


class DraftIn(BaseModel):
    text_id: str
    segment_id: str
    form: str = Field(description="the word, as the new entry's headword")
    glosses: dict[str, str] = Field(default_factory=dict)


class ExampleIn(BaseModel):
    sense_id: str
    text_id: str
    segment_id: str
    version: int | None = None


def with_urls(slug: str, item: dict) -> dict:
    """A sentence with its clip's URL (None without sound) and its place in its text."""
    clip = urls.api_clip(slug, item["text_id"], item["segment_id"]) if item["has_audio"] else None
    return dict(item, clip_url=clip,
                text_url=urls.text_sentence(slug, item["text_id"], item["position"]))  # fmt: skip


@router.get("/texts/candidates")
def list_candidates(
    dictionary: DictionaryDep, session: SessionDep, viewer: EditorDep,
    text: Annotated[str | None, Query(description="one text's id; all texts without")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
):  # fmt: skip
    """Words no entry has, most frequent first, each with its spellings and contexts."""
    found = concordance.candidates(session=session, dictionary=dictionary, viewer=viewer,
                                   text_id=text, limit=limit)  # fmt: skip
    for item in found:
        item["contexts"] = [with_urls(dictionary.slug, c) for c in item["contexts"]]
    return {"items": found}


@router.post("/texts/candidates/entry", status_code=201)
def draft_entry(
    body: DraftIn, dictionary: DictionaryDep, session: SessionDep, viewer: ProposerDep,
    storage: StorageDep,
):  # fmt: skip
    """A candidate made a draft entry in the review queue: the proposal, with the sentence
    as its example and the sentence's clip."""
    return clips.draft_entry(
        session=session, storage=storage, dictionary=dictionary, viewer=viewer,
        text_id=body.text_id, segment_id=body.segment_id, form=body.form, glosses=body.glosses,
    )  # fmt: skip


@router.get("/texts/{text_id}/links")
def text_links(text_id: str, dictionary: DictionaryDep, session: SessionDep, viewer: ViewerDep):
    """The words of each segment the viewer may see, with their entries."""
    text = texts.read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    return {"segments": links.text_links(session, dictionary, viewer, text),
            "version": text["version"]}  # fmt: skip


def _link(session, dictionary, viewer, text_id, segment_id, n, m, body: LinkIn, if_match):
    return concordance.set_link(
        session=session, dictionary=dictionary, text_id=text_id, segment_id=segment_id, n=n,
        m=m, entry_id=body.entry_id, link=body.link, viewer=viewer, editor=viewer.label,
        version=if_match if if_match is not None else body.version,
    )  # fmt: skip


@router.put("/texts/{text_id}/segments/{segment_id}/words/{n}/link")
def link_word(
    text_id: str, segment_id: str, n: int, body: Annotated[LinkIn, Body()], if_match: IfMatch,
    dictionary: DictionaryDep, session: SessionDep, viewer: EditorDep,
):  # fmt: skip
    """Link word `n` of a segment (one click): to an entry, to none, or back to auto."""
    return _link(session, dictionary, viewer, text_id, segment_id, n, -1, body, if_match)


@router.put("/texts/{text_id}/segments/{segment_id}/words/{n}/morphemes/{m}/link")
def link_morpheme(
    text_id: str, segment_id: str, n: int, m: int, body: Annotated[LinkIn, Body()],
    if_match: IfMatch, dictionary: DictionaryDep, session: SessionDep, viewer: EditorDep,
):  # fmt: skip
    return _link(session, dictionary, viewer, text_id, segment_id, n, m, body, if_match)


@router.head("/texts/{text_id}/segments/{segment_id}/clip", include_in_schema=False)
@router.get("/texts/{text_id}/segments/{segment_id}/clip")
def segment_clip(
    request: Request, text_id: str, segment_id: str, dictionary: DictionaryDep,
    session: SessionDep, viewer: ViewerDep, storage: StorageDep,
) -> Response:  # fmt: skip
    """A sentence's sound (MP3), cut from its text's recording, if the viewer may hear it."""
    served = clips.clip_to_serve(session=session, storage=storage, dictionary=dictionary,
                                 viewer=viewer, text_id=text_id, segment_id=segment_id)  # fmt: skip
    return ranged_response(request, storage, served)


@router.get("/entries/{entry_id}/occurrences")
def occurrences(
    entry_id: str, dictionary: DictionaryDep, session: SessionDep, viewer: ViewerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
):  # fmt: skip
    """The sentences from texts that use the entry (what the viewer may see of them)."""
    found = concordance.occurrences(session=session, dictionary=dictionary, entry_id=entry_id,
                                    viewer=viewer, limit=limit)  # fmt: skip
    return {"items": [with_urls(dictionary.slug, item) for item in found]}


@router.post("/entries/{entry_id}/occurrences/example")
def use_as_example(
    entry_id: str, body: ExampleIn, dictionary: DictionaryDep, session: SessionDep,
    viewer: ProposerDep, storage: StorageDep,
):  # fmt: skip
    """Copy a sentence, its translation and its clip into a sense as an example: the entry
    (an editor's change), or 202 with the proposal it became (a contributor's)."""
    change = clips.use_as_example(
        session=session, storage=storage, dictionary=dictionary, viewer=viewer,
        entry_id=entry_id, sense_id=body.sense_id, text_id=body.text_id,
        segment_id=body.segment_id, version=body.version,
    )  # fmt: skip
    if change.proposal is not None:
        return JSONResponse(jsonable_encoder(change.proposal), status_code=202)
    return change.entry
