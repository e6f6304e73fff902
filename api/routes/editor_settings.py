"""A dictionary's settings pages for its owners: title, languages, alphabet (with a sort preview)
and members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse

from api import forms
from api.deps import (
    CsrfChecked,
    DictionaryDep,
    ManagerDep,
    SessionDep,
)
from api.errors import keeps_typed
from api.routes.editor import editor_url, form_pairs, see_other
from api.templating import render
from lexicon import accounts, editing
from lexicon.accounts import access
from lexicon.errors import InvalidInput
from lexicon.texts import links

router = APIRouter(
    prefix="/d/{slug}/edit", include_in_schema=False, default_response_class=HTMLResponse
)


def _settings_page(request, dictionary, session, viewer, *, form=None, errors=None, code=200):
    alphabet = dictionary.alphabet or {}
    values = form or {
        **dictionary.model_dump(),
        "vernacular_ws": " ".join(dictionary.vernacular_ws),
        "analysis_ws": " ".join(dictionary.analysis_ws),
        "letters": forms.alphabet_text(alphabet),
        "ignore": " ".join(alphabet.get("ignore", [])),
        "confusables": " ".join("=".join(g) for g in alphabet.get("confusables", [])),
    }
    ctx = {
        "values": values,
        "errors": errors or {},
        "members": editing.list_members(session=session, dictionary=dictionary),
        "roles": list(access.ROLE_RANK),
        "visibilities": editing.VISIBILITIES,
        "saved": request.query_params.get("saved"),
        "viewer": viewer,
    }
    return render(request, "editor/settings.html", ctx, dictionary=dictionary, status_code=code)


@router.get("/settings")
def settings_page(
    request: Request,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ManagerDep,
):
    return _settings_page(request, dictionary, session, viewer)


@router.post("/settings")
@keeps_typed(forms.typed_settings_lines)  # refused for who they are now: typed stays
def save_settings(
    request: Request,
    pairs: Annotated[list, Depends(form_pairs)],
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ManagerDep,
):
    form = dict(pairs)
    try:
        changes = forms.settings_changes(form)
        before = (dictionary.alphabet, dictionary.vernacular_ws)
        editing.update_dictionary(session=session, dictionary=dictionary, data=changes)
        if (dictionary.alphabet, dictionary.vernacular_ws) != before:
            links.relink_texts(session, dictionary)  # words are split and folded anew
    except InvalidInput as exc:
        errors = exc.details.get("errors")
        errors = errors if isinstance(errors, dict) else {"_form": exc.message}
        return _settings_page(
            request, dictionary, session, viewer, form=form, errors=errors, code=422
        )
    return see_other(editor_url(dictionary, "settings?saved=1"))


@router.post("/settings/members")
def set_member(
    pairs: Annotated[list, Depends(form_pairs)],
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ManagerDep,
):
    form = dict(pairs)
    role = form.get("role") or None
    if role not in (None, *access.ROLE_RANK):
        raise InvalidInput(f"role: choose one of {', '.join(access.ROLE_RANK)}")
    user = accounts.get_user(session=session, email=form.get("email", ""))
    accounts.set_role(session=session, user=user, dictionary=dictionary, role=role)
    return see_other(editor_url(dictionary, "settings?saved=members#members"))


@router.get("/settings/alphabet-preview", response_class=JSONResponse)
def alphabet_preview(
    *,
    letters: str = "",
    ignore: str = "",
    confusables: str = "",
    words: str = "",
    viewer: ManagerDep,
):
    """Sample words sorted by the alphabet being typed (the settings page's live preview)."""
    return forms.sort_preview(
        letters=letters, ignore=ignore, confusables=confusables, words=words[:20000]
    )
