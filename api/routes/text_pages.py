"""Learner pages of texts: `/d/{slug}/texts` lists them, `/d/{slug}/texts/{id}` shows one with
its recording, the current sentence following the sound (static/texts.js); without scripts
every sentence has its own player (a `#t=start,end` media fragment of the recording)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import DictionaryDep, SessionDep, ViewerDep
from api.templating import render
from lexicon import texts
from lexicon.accounts import access
from lexicon.texts import links

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/d/{slug}/texts")
def text_list(request: Request, dictionary: DictionaryDep, session: SessionDep, viewer: ViewerDep):
    found = texts.list_texts(session=session, dictionary=dictionary, viewer=viewer)
    context = {
        "texts": found,
        "viewer": viewer,
        "may_edit": access.may(viewer, dictionary, "edit"),
        "first_form": texts.first_form,
    }
    return render(request, "texts.html", context, dictionary=dictionary)


@router.get("/d/{slug}/texts/{text_id}")
def text_page(
    request: Request,
    text_id: str,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
):
    text = texts.read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    text = links.linked_text(session, dictionary, viewer, text)  # each word to its entry
    context = {
        "text": text,
        "speakers": {s["code"]: s for s in text["speakers"]},
        "viewer": viewer,
        "may_edit": access.may(viewer, dictionary, "edit"),
        "first_form": texts.first_form,
    }
    return render(request, "text.html", context, dictionary=dictionary)
