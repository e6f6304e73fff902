"""JSON API: entries, their history and restore."""

from fastapi import APIRouter, Body, Depends, Query, Response
from sqlmodel import Session

from api.deps import get_dictionary, get_session, get_viewer, if_match_version, requires
from lexicon import store
from lexicon.access import Viewer
from lexicon.models import Dictionary
from lexicon.schemas import EntryIn, EntryPublic, Page, RevisionPublic

router = APIRouter(prefix="/api/dictionaries/{slug}/entries", tags=["entries"])


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
    return store.list_entries(
        session=session,
        dictionary=dictionary,
        viewer=viewer,
        limit=limit,
        cursor=cursor,
        letter=letter,
    )


@router.post("", response_model=EntryPublic, status_code=201)
def create_entry(
    data: EntryIn,
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(requires("edit")),
):
    return store.create_entry(
        session=session, dictionary=dictionary, data=data, editor=viewer.label
    )


@router.get("/{entry_id}", response_model=EntryPublic)
def get_entry(
    entry_id: str,
    response: Response,
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(get_viewer),
):
    entry = store.read_entry(
        session=session, dictionary=dictionary, entry_id=entry_id, viewer=viewer
    )
    response.headers["ETag"] = f'"{entry["version"]}"'
    return entry


@router.put("/{entry_id}", response_model=EntryPublic)
def update_entry(
    entry_id: str,
    response: Response,
    data: EntryIn = Body(...),
    if_match: int | None = Depends(if_match_version),
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(requires("edit")),
):
    entry = store.update_entry(
        session=session,
        dictionary=dictionary,
        entry_id=entry_id,
        data=data,
        version=if_match if if_match is not None else data.version,
        editor=viewer.label,
        viewer=viewer,
    )
    response.headers["ETag"] = f'"{entry["version"]}"'
    return entry


@router.delete("/{entry_id}", status_code=204)
def delete_entry(
    entry_id: str,
    if_match: int | None = Depends(if_match_version),
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(requires("edit")),
):
    store.delete_entry(
        session=session,
        dictionary=dictionary,
        entry_id=entry_id,
        editor=viewer.label,
        version=if_match,
    )
    return Response(status_code=204)


@router.get("/{entry_id}/revisions", response_model=RevisionPage)
def list_revisions(
    entry_id: str,
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = None,
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(get_viewer),
):
    return store.list_revisions(
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
    return store.restore_revision(
        session=session,
        dictionary=dictionary,
        entry_id=entry_id,
        number=number,
        editor=viewer.label,
    )
