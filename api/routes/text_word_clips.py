"""JSON API: aligned words as spoken (issue 23).

- `GET /api/dictionaries/{slug}/texts/{id}/segments/{sid}/words/{n}/clip`: word `n` of a
  segment as spoken (MP3, HTTP ranges), once its words are aligned, for those who may hear the
  segment (404 otherwise).
- `POST .../entries/{id}/pronunciations/from-text` with `{"text_id", "segment_id", "word"}`:
  that word's clip (the word aligned and linked to the entry) becomes the entry's recording, a
  new first pronunciation: the entry (an editor's change), or 202 with the proposal it became
  (a contributor's).

The work is lexicon.texts.word_clips."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.csrf import require_csrf_for_session
from api.deps import DictionaryDep, ProposerDep, SessionDep, StorageDep, ViewerDep
from api.routes.media import ranged_response
from lexicon.texts import word_clips

router = APIRouter(
    prefix="/api/dictionaries/{slug}",
    tags=["texts"],
    dependencies=[Depends(require_csrf_for_session)],
)


class WordClipIn(BaseModel):
    text_id: str
    segment_id: str
    word: int = Field(ge=0, description="the word's place in the segment (from 0)")
    version: int | None = Field(default=None, description="the entry's version being edited")


@router.head("/texts/{text_id}/segments/{segment_id}/words/{n}/clip", include_in_schema=False)
@router.get("/texts/{text_id}/segments/{segment_id}/words/{n}/clip")
def word_clip(
    request: Request, text_id: str, segment_id: str, n: int, dictionary: DictionaryDep,
    session: SessionDep, viewer: ViewerDep, storage: StorageDep,
) -> Response:  # fmt: skip
    """An aligned word as spoken (MP3), if the viewer may hear its sentence."""
    served = word_clips.word_clip_to_serve(
        session=session, storage=storage, dictionary=dictionary, viewer=viewer,
        text_id=text_id, segment_id=segment_id, n=n,
    )  # fmt: skip
    return ranged_response(request, storage, served)


@router.post("/entries/{entry_id}/pronunciations/from-text")
def use_word_clip(
    entry_id: str, body: WordClipIn, dictionary: DictionaryDep, session: SessionDep,
    viewer: ProposerDep, storage: StorageDep,
):  # fmt: skip
    """Make an aligned word's clip the entry's recording (its first pronunciation)."""
    change = word_clips.use_word_clip(
        session=session, storage=storage, dictionary=dictionary, viewer=viewer,
        entry_id=entry_id, text_id=body.text_id, segment_id=body.segment_id, n=body.word,
        version=body.version,
    )  # fmt: skip
    if change.proposal is not None:
        return JSONResponse(jsonable_encoder(change.proposal), status_code=202)
    return change.entry
