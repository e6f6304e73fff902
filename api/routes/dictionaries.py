"""JSON API: dictionaries."""

from fastapi import APIRouter

from api.deps import DictionaryDep, ManagerDep, SessionDep, SettingsDep, ViewerDep
from lexicon import editing, entries
from lexicon.errors import Forbidden, NotAuthenticated
from lexicon.shape.schemas import DictionaryCreate, DictionaryPublic, DictionaryUpdate, Page

router = APIRouter(prefix="/api/dictionaries", tags=["dictionaries"])


class DictionaryPage(Page):
    items: list[DictionaryPublic]


@router.get("", response_model=DictionaryPage)
def list_dictionaries(session: SessionDep, viewer: ViewerDep):
    items = [
        entries.dictionary_public(session=session, dictionary=d, viewer=viewer)
        for d in entries.list_dictionaries(session=session, viewer=viewer)
    ]
    return {"items": items, "total": len(items), "next": None}


@router.post("", response_model=DictionaryPublic, status_code=201)
def create_dictionary(
    data: DictionaryCreate,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
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
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
):
    return entries.dictionary_public(session=session, dictionary=dictionary, viewer=viewer)


@router.patch("/{slug}", response_model=DictionaryPublic)
def update_dictionary(
    data: DictionaryUpdate,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ManagerDep,
):
    editing.update_dictionary(session=session, dictionary=dictionary, data=data)
    return entries.dictionary_public(session=session, dictionary=dictionary, viewer=viewer)
