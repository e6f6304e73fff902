"""Learner pages: the dictionaries, one dictionary's entries in its order, one entry."""

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.deps import dictionary_to_read, get_dictionary, get_session, get_viewer, quick_read
from api.templating import render
from lexicon import entries
from lexicon.accounts.access import Viewer
from lexicon.models import Dictionary

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/")
def home(
    request: Request, session: Session = Depends(get_session), viewer: Viewer = Depends(get_viewer)
):
    dictionaries = [
        entries.dictionary_public(session=session, dictionary=d, viewer=viewer)
        for d in entries.list_dictionaries(session=session, viewer=viewer)
    ]
    return render(request, "index.html", {"dictionaries": dictionaries, "viewer": viewer})


@router.get("/d/{slug}/")
def dictionary_home(
    request: Request,
    cursor: str | None = None,
    letter: str | None = None,
    limit: int = Query(100, ge=1, le=500),
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(get_viewer),
):
    page = entries.list_entries(
        session=session,
        dictionary=dictionary,
        viewer=viewer,
        limit=limit,
        cursor=cursor,
        letter=letter,
    )
    letters = entries.alphabet_for(dictionary).to_config()["letters"]
    return render(
        request,
        "dictionary.html",
        {"page": page, "letters": letters, "letter": letter, "viewer": viewer},
        dictionary=dictionary,
    )


@router.get("/d/{slug}/entries/{entry_id}")
async def entry_page(
    request: Request,
    slug: str,
    entry_id: str,
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(get_viewer),
):
    def answer(session):
        dictionary = dictionary_to_read(request, session, viewer, slug)
        entry = entries.read_entry(
            session=session, dictionary=dictionary, entry_id=entry_id, viewer=viewer
        )
        context = {"entry": entry, "viewer": viewer}
        return render(request, "entry.html", context, dictionary=dictionary)

    return await quick_read(request, session, answer)
