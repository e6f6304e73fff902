"""JSON API: entries, their history and restore.

Editors' writes change the entry; a contributor's POST/PUT/DELETE answers 202 with the
proposal it became (see lexicon/review.py). Browsers logged in by cookie send X-CSRF-Token.
"""

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlmodel import Session

from api.csrf import require_csrf_for_session
from api.deps import (
    dictionary_to_read,
    get_dictionary,
    get_session,
    get_viewer,
    if_match_version,
    quick_read,
    requires,
)
from lexicon import entries
from lexicon.accounts.access import Viewer
from lexicon.editing import review
from lexicon.editing.review import ProposalPublic
from lexicon.entries.schemas import EntryIn, EntryPublic, Page, RevisionPublic
from lexicon.models import Dictionary

router = APIRouter(
    prefix="/api/dictionaries/{slug}/entries",
    tags=["entries"],
    dependencies=[Depends(require_csrf_for_session)],
)
PROPOSED = {202: {"model": ProposalPublic, "description": "A contributor's change, now waiting"}}


def _proposed(change: review.Change) -> JSONResponse:
    body = ProposalPublic.model_validate(change.proposal).model_dump(mode="json")
    return JSONResponse(jsonable_encoder(body), status_code=202)


class EntryPage(Page):
    items: list[EntryPublic]


class RevisionPage(Page):
    items: list[RevisionPublic]


@router.get("", response_model=EntryPage)
def list_entries(
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = None,
    letter: str | None = None,
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(get_viewer),
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
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(requires("propose")),
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
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(get_viewer),
):
    def answer(session):
        dictionary = dictionary_to_read(request, session, viewer, slug)
        return entries.read_entry(
            session=session, dictionary=dictionary, entry_id=entry_id, viewer=viewer
        )

    entry = await quick_read(request, session, answer)
    response.headers["ETag"] = f'"{entry["version"]}"'
    return entry


@router.put("/{entry_id}", response_model=EntryPublic, responses=PROPOSED)
def update_entry(
    entry_id: str,
    response: Response,
    data: EntryIn = Body(...),
    if_match: int | None = Depends(if_match_version),
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(requires("propose")),
):
    change = review.change_entry(
        session=session, dictionary=dictionary, viewer=viewer, action="update",
        entry_id=entry_id, data=data, version=if_match if if_match is not None else data.version,
    )  # fmt: skip
    if change.proposal:
        return _proposed(change)
    response.headers["ETag"] = f'"{change.entry["version"]}"'
    return change.entry


@router.delete("/{entry_id}", status_code=204, responses=PROPOSED)
def delete_entry(
    entry_id: str,
    if_match: int | None = Depends(if_match_version),
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(requires("propose")),
):
    change = review.change_entry(
        session=session, dictionary=dictionary, viewer=viewer, action="delete",
        entry_id=entry_id, version=if_match,
    )  # fmt: skip
    return _proposed(change) if change.proposal else Response(status_code=204)


@router.get("/{entry_id}/revisions", response_model=RevisionPage)
def list_revisions(
    entry_id: str,
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = None,
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(get_viewer),
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
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(requires("edit")),
):
    return review.restore_revision(
        session=session, dictionary=dictionary, viewer=viewer, entry_id=entry_id, number=number
    )
