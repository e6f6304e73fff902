"""JSON API: entries, their history and restore.

Editors' writes change the entry; a contributor's POST/PUT/DELETE answers 202 with the
proposal it became (see lexicon/editing/review.py). Browsers logged in by cookie send X-CSRF-Token.
"""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from api.csrf import require_csrf_for_session
from api.deps import (
    DictionaryDep,
    EditorDep,
    IfMatch,
    ProposerDep,
    SessionDep,
    ViewerDep,
    dictionary_to_read,
    quick_read,
)
from lexicon import entries
from lexicon.editing import review
from lexicon.editing.review import ProposalPublic
from lexicon.shape.schemas import EntryIn, EntryPublic, Page, RevisionPublic

router = APIRouter(
    prefix="/api/dictionaries/{slug}/entries",
    tags=["entries"],
    dependencies=[Depends(require_csrf_for_session)],
)
PROPOSED = {202: {"model": ProposalPublic, "description": "A contributor's change, now waiting"}}
CHANGED = {
    **PROPOSED,
    404: {"description": "No such entry that you may see (hidden from you since you opened it, "
          "say): nothing was saved"},
    410: {"description": "Deleted since you opened it: nothing was saved; restore it "
          "(`POST .../revisions/{n}/restore`, `n` in `detail`), then send your change again "
          "with the version that answers"},
}  # fmt: skip


def _proposed(change: review.Change) -> JSONResponse:
    body = ProposalPublic.model_validate(change.proposal).model_dump(mode="json")
    return JSONResponse(jsonable_encoder(body), status_code=202)


class EntryPage(Page):
    items: list[EntryPublic]


class RevisionPage(Page):
    items: list[RevisionPublic]


@router.get("", response_model=EntryPage)
def list_entries(
    *,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
    letter: str | None = None,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
):
    return entries.list_entries(
        session=session,
        dictionary=dictionary,
        viewer=viewer,
        limit=limit,
        cursor=cursor,
        letter=letter,
    )


@router.post("", response_model=EntryPublic, status_code=201, responses=PROPOSED)
def create_entry(
    data: EntryIn,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ProposerDep,
):
    change = review.change_entry(
        session=session, dictionary=dictionary, viewer=viewer, action="create", data=data
    )
    return _proposed(change) if change.proposal else change.entry


@router.get("/{entry_id}", response_model=EntryPublic)
async def get_entry(
    request: Request,
    slug: str,
    entry_id: str,
    response: Response,
    session: SessionDep,
    viewer: ViewerDep,
):
    def answer(session):
        dictionary = dictionary_to_read(request, session, viewer, slug)
        return entries.read_entry(
            session=session, dictionary=dictionary, entry_id=entry_id, viewer=viewer
        )

    entry = await quick_read(request, session, answer)
    response.headers["ETag"] = f'"{entry["version"]}"'
    return entry


@router.put("/{entry_id}", response_model=EntryPublic, responses=CHANGED)
def update_entry(
    entry_id: str,
    response: Response,
    data: Annotated[EntryIn, Body()],
    if_match: IfMatch,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ProposerDep,
):
    change = review.change_entry(
        session=session, dictionary=dictionary, viewer=viewer, action="update",
        entry_id=entry_id, data=data, version=if_match if if_match is not None else data.version,
    )  # fmt: skip
    if change.proposal:
        return _proposed(change)
    response.headers["ETag"] = f'"{change.entry["version"]}"'
    return change.entry


@router.delete("/{entry_id}", status_code=204, responses=CHANGED)
def delete_entry(
    entry_id: str,
    if_match: IfMatch,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ProposerDep,
):
    change = review.change_entry(
        session=session, dictionary=dictionary, viewer=viewer, action="delete",
        entry_id=entry_id, version=if_match,
    )  # fmt: skip
    return _proposed(change) if change.proposal else Response(status_code=204)


@router.get("/{entry_id}/revisions", response_model=RevisionPage)
def list_revisions(
    entry_id: str,
    *,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
):
    return review.entry_history(
        session=session,
        dictionary=dictionary,
        entry_id=entry_id,
        viewer=viewer,
        limit=limit,
        cursor=cursor,
    )


@router.post("/{entry_id}/revisions/{number}/restore", response_model=EntryPublic)
def restore_revision(
    entry_id: str,
    number: int,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    return review.restore_revision(
        session=session, dictionary=dictionary, viewer=viewer, entry_id=entry_id, number=number
    )
