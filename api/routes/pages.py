"""Learner pages: the dictionaries, one dictionary's entries in its order, one entry."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import (
    DictionaryDep,
    SessionDep,
    ViewerDep,
    dictionary_to_read,
    quick_read,
)
from api.routes.text_links import with_urls
from api.templating import render
from lexicon import entries, texts
from lexicon.texts import concordance

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/")
def home(request: Request, session: SessionDep, viewer: ViewerDep):
    dictionaries = [
        entries.dictionary_public(session=session, dictionary=d, viewer=viewer)
        for d in entries.list_dictionaries(session=session, viewer=viewer)
    ]
    return render(request, "index.html", {"dictionaries": dictionaries, "viewer": viewer})


@router.get("/d/{slug}/")
def dictionary_home(
    request: Request,
    *,
    cursor: str | None = None,
    letter: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
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
        {
            "page": page,
            "letters": letters,
            "letter": letter,
            "viewer": viewer,
            "has_texts": texts.has_texts(session=session, dictionary=dictionary, viewer=viewer),
        },
        dictionary=dictionary,
    )


@router.get("/d/{slug}/entries/{entry_id}")
async def entry_page(
    request: Request,
    slug: str,
    entry_id: str,
    session: SessionDep,
    viewer: ViewerDep,
):
    def answer(session):
        dictionary = dictionary_to_read(request, session, viewer, slug)
        entry = entries.read_entry(
            session=session, dictionary=dictionary, entry_id=entry_id, viewer=viewer
        )
        found = concordance.occurrences(
            session=session, dictionary=dictionary, entry_id=entry_id, viewer=viewer, limit=20
        )
        context = {"entry": entry, "viewer": viewer,
                   "occurrences": [with_urls(dictionary.slug, o) for o in found]}  # fmt: skip
        return render(request, "entry.html", context, dictionary=dictionary)

    return await quick_read(request, session, answer)
