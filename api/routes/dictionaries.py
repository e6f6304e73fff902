"""JSON API: dictionaries."""

from fastapi import APIRouter, Depends
from sqlmodel import Session

from api.deps import get_dictionary, get_session, get_settings, get_viewer, requires
from lexicon import editing, entries
from lexicon.accounts.access import Viewer
from lexicon.entries.schemas import DictionaryCreate, DictionaryPublic, DictionaryUpdate, Page
from lexicon.errors import Forbidden, NotAuthenticated
from lexicon.models import Dictionary
from wordkeep.settings import Settings

router = APIRouter(prefix="/api/dictionaries", tags=["dictionaries"])


class DictionaryPage(Page):
    items: list[DictionaryPublic]


@router.get("", response_model=DictionaryPage)
def list_dictionaries(
    session: Session = Depends(get_session), viewer: Viewer = Depends(get_viewer)
):
    items = [
        entries.dictionary_public(session=session, dictionary=d, viewer=viewer)
        for d in entries.list_dictionaries(session=session, viewer=viewer)
    ]
    return {"items": items, "total": len(items), "next": None}


@router.post("", response_model=DictionaryPublic, status_code=201)
def create_dictionary(
    data: DictionaryCreate,
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(get_viewer),
    settings: Settings = Depends(get_settings),
):
    if viewer.anonymous:
        raise NotAuthenticated("log in (or send a Bearer token) to create a dictionary")
    if settings.dictionary_creators == "admins" and not viewer.is_admin:
        # Whoever creates a dictionary owns it, and owners upload files (fonts) and set up
        # what others see: by default that is for the accounts a site admin trusts.
        raise Forbidden(
            "only site admins may create dictionaries here "
            "(WORDKEEP_DICTIONARY_CREATORS=admins); ask one to create it and make you its owner"
        )
    dictionary = editing.create_dictionary(session=session, data=data, owner_id=viewer.user_id)
    return entries.dictionary_public(session=session, dictionary=dictionary, viewer=viewer)


@router.get("/{slug}", response_model=DictionaryPublic)
def get_dictionary_(
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(get_viewer),
):
    return entries.dictionary_public(session=session, dictionary=dictionary, viewer=viewer)


@router.patch("/{slug}", response_model=DictionaryPublic)
def update_dictionary(
    data: DictionaryUpdate,
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(requires("manage")),
):
    editing.update_dictionary(session=session, dictionary=dictionary, data=data)
    return entries.dictionary_public(session=session, dictionary=dictionary, viewer=viewer)
