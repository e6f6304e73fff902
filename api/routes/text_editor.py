"""The keepers' text editor under /d/{slug}/edit/texts: import a text (with its recording)
or start an empty one, edit its description and segments (text, translation, start and end as
numbers), give it a recording, see its history and restore a revision. Plain forms; every
save is a new revision (lexicon.texts). A save made while someone else saved is merged with
theirs; where both changed the same thing, a conflict page asks which to keep. A save of a text
deleted or hidden meanwhile shows the form again as typed (a deleted one can be restored with
the changes saved onto it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api import forms
from api.deps import CsrfChecked, DictionaryDep, EditorDep, SessionDep, SettingsDep, StorageDep
from api.errors import keeps_typed
from api.routes.editor import form_pairs
from api.routes.texts import import_upload
from api.templating import render
from api.urls import urls
from lexicon import texts
from lexicon.errors import Busy, InvalidInput, TooLarge, UnsupportedMedia
from lexicon.io.texts import check_audio_covers

router = APIRouter(
    prefix="/d/{slug}/edit/texts", include_in_schema=False, default_response_class=HTMLResponse
)
REFUSED = (InvalidInput, UnsupportedMedia, TooLarge)
BLANK_ROWS = 3


def _back(dictionary, *parts, query: dict | None = None) -> RedirectResponse:
    return RedirectResponse(urls.editor(dictionary.slug, "texts", *parts, query=query), 303)


def _list_page(request, dictionary, session, viewer, error: str = "", status_code: int = 200):
    context = {
        "texts": texts.list_texts(session=session, dictionary=dictionary, viewer=viewer),
        "first_form": texts.first_form,
        "error": error,
        "viewer": viewer,
    }
    return render(request, "editor/texts.html", context, dictionary, status_code=status_code)


@router.get("")
def text_list(request: Request, dictionary: DictionaryDep, session: SessionDep, viewer: EditorDep):
    return _list_page(request, dictionary, session, viewer)


@router.post("/import")
def import_text(
    request: Request,
    _csrf: CsrfChecked,
    file: Annotated[UploadFile, File()],
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
    settings: SettingsDep,
    audio: Annotated[UploadFile | None, File()] = None,
    format: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "draft",
):
    try:
        text = import_upload(
            session=session, storage=storage, settings=settings, dictionary=dictionary,
            viewer=viewer, file=file, audio=audio, fmt=format or None,
            overrides={"status": status},
        )  # fmt: skip
    except REFUSED as exc:
        session.rollback()
        return _list_page(request, dictionary, session, viewer, exc.message, 422)
    return _back(dictionary, text["id"])


@router.post("/new")
@keeps_typed(forms.typed_title_lines)  # refused for who they are now: typed stays
def new_text(
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    title: Annotated[str, Form()] = "",
):
    ws = (dictionary.vernacular_ws or ["und"])[0]
    data = {"title": {ws: title.strip()} if title.strip() else {}, "status": "draft"}
    text = texts.create_text(session=session, dictionary=dictionary, data=data,
                             editor=viewer.label)  # fmt: skip
    return _back(dictionary, text["id"])


def _form_page(request, dictionary, viewer, text: dict, error="", status_code=200, gone=""):
    vern = (dictionary.vernacular_ws or ["und"])[0]
    analysis = (dictionary.analysis_ws or ["en"])[0]
    context = {
        "text": text, "viewer": viewer, "error": error, "blank_rows": BLANK_ROWS,
        "vern": _first_key(text["title"], vern), "analysis": analysis,
        "saved": request.query_params.get("saved"), "first_form": texts.first_form,
        "merged": request.query_params.get("merged"), "gone": gone,
        "restored": request.query_params.get("restored"),
    }  # fmt: skip
    return render(request, "editor/text.html", context, dictionary, status_code=status_code)


def _first_key(multitext: dict, default: str) -> str:
    return next(iter(multitext or {}), default)


@router.get("/{text_id}")
def edit_text(
    request: Request,
    text_id: str,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    text = texts.read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    return _form_page(request, dictionary, viewer, text)


def _editor(dictionary, form: dict):
    """Reads the posted form onto the text as it was opened (forms.text_from_form)."""
    vern = (dictionary.vernacular_ws or ["und"])[0]
    return forms.text_editor(form, vern, (dictionary.analysis_ws or ["en"])[0])


def _version(form: dict, name: str = "version") -> int | None:
    value = (form.get(name) or "").strip()
    return int(value) if value.isdigit() else None


@router.post("/{text_id}")
@keeps_typed(forms.typed_text_lines)  # refused for who they are now: typed stays
async def save_text(
    request: Request,
    text_id: str,
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    form = dict(await form_pairs(request))
    restore = bool(form.get("restore"))  # the text was deleted meanwhile: restore it first
    save = texts.restore_and_save if restore else texts.save_text

    def work():
        try:
            saved, merged = save(
                session=session, dictionary=dictionary, viewer=viewer, text_id=text_id,
                version=_version(form), edit=_editor(dictionary, form),
            )  # fmt: skip
        except texts.TextConflict as exc:
            return _conflict_page(request, dictionary, viewer, exc, form)
        except InvalidInput as exc:
            return _typed_again(request, dictionary, viewer, exc, form)
        except Busy as exc:  # another write held the lock too long: what was typed stays
            return _busy(request, dictionary, session, viewer, text_id, exc, form)
        except texts.TextNotFound as exc:  # deleted or hidden meanwhile: what was typed stays
            return _gone(request, dictionary, viewer, text_id, exc, form)
        done = {"restored": 1} if restore else {"merged": 1} if merged else {}
        return _back(dictionary, text_id, query={"saved": saved["version"], **done})

    return await run_in_threadpool(work)


def _typed_again(request, dictionary, viewer, exc: InvalidInput, form: dict):
    """The form as the keeper left it (still on the version they opened), with what is wrong."""
    if "text" not in exc.details:
        raise exc
    text = dict(exc.details["text"], version=_version(form))
    return _form_page(request, dictionary, viewer, text, exc.message, 422)


def _busy(request, dictionary, session, viewer, text_id: str, exc: Busy, form: dict):
    """Nothing was saved: the form again as the keeper left it, on the version they opened, to
    save again in a moment (shown over the text as it is now; the save reads it anew)."""
    now = texts.read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    text = dict(_editor(dictionary, form)(now), version=_version(form))
    return _form_page(request, dictionary, viewer, text, exc.message, 503)


def _gone(request, dictionary, viewer, text_id: str, exc, form: dict):
    """Nothing was saved: the form again as the keeper typed it, saying the text was deleted
    (410; a button restores it with their changes saved onto it) or is no longer theirs to see
    (404; saved again once they may see it)."""
    vern = (dictionary.vernacular_ws or ["und"])[0]
    text = forms.typed_text(form, text_id, vern, (dictionary.analysis_ws or ["en"])[0])
    text["version"] = _version(form)
    deleted = isinstance(exc, texts.TextDeleted)
    return _form_page(request, dictionary, viewer, text, status_code=410 if deleted else 404,
                      gone="deleted" if deleted else "hidden")  # fmt: skip


def _conflict_page(request, dictionary, viewer, conflict, form: dict):
    """Each clash side by side (theirs as the keeper may see it), a choice each; the keeper's
    own form rides along in hidden fields, to be read again when they choose."""
    rows = [
        {
            "key": clash.key,
            "label": texts.clash_label(clash),
            "mine": texts.clash_lines(clash, "mine"),
            "theirs": texts.clash_lines(clash, "theirs"),
            "choice": form.get(f"choice.{clash.key}") or "mine",
        }
        for clash in conflict.clashes
    ]
    context = {
        "text": conflict.current, "rows": rows, "inputs": forms.form_inputs(form),
        "base_version": conflict.details["base_version"], "again": conflict.details["again"],
        "viewer": viewer, "first_form": texts.first_form,
    }  # fmt: skip
    return render(request, "editor/text_conflict.html", context, dictionary, status_code=409)


@router.post("/{text_id}/resolve")
@keeps_typed(forms.typed_text_lines)  # refused for who they are now: typed stays
async def resolve_conflict(
    request: Request,
    text_id: str,
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    form = dict(await form_pairs(request))
    their_version = _version(form, "their_version")
    if their_version is None:
        raise InvalidInput("their_version: the conflict form was damaged; open the text again")
    decision = form.get("decision", "choose")
    every = {"keep_mine": "mine", "take_theirs": "theirs"}.get(decision)
    picks = {k.removeprefix("choice."): v for k, v in form.items() if k.startswith("choice.")}

    def work():
        try:
            saved = texts.resolve_conflict(
                session=session, dictionary=dictionary, viewer=viewer, text_id=text_id,
                version=_version(form), their_version=their_version,
                edit=_editor(dictionary, form), picks=picks, every=every,
            )  # fmt: skip
        except texts.TextConflict as exc:  # yet another save came meanwhile: compare again
            return _conflict_page(request, dictionary, viewer, exc, form)
        except InvalidInput as exc:
            return _typed_again(request, dictionary, viewer, exc, form)
        except Busy as exc:  # another write held the lock too long: what was typed stays
            return _busy(request, dictionary, session, viewer, text_id, exc, form)
        except texts.TextNotFound as exc:  # deleted or hidden while choosing: typed stays
            return _gone(request, dictionary, viewer, text_id, exc, form)
        return _back(dictionary, text_id, query={"saved": saved["version"]})

    return await run_in_threadpool(work)


@router.post("/{text_id}/audio")
def set_recording(
    request: Request,
    text_id: str,
    _csrf: CsrfChecked,
    audio: Annotated[UploadFile, File()],
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
    settings: SettingsDep,
    version: Annotated[int | None, Form()] = None,
):
    try:
        saved = texts.set_recording(
            session=session, storage=storage, dictionary=dictionary, text_id=text_id,
            version=version, audio_file=audio.file, audio_name=audio.filename or "",
            editor=viewer.label, viewer=viewer,
            limits=texts.text_limits(settings.max_text_audio_bytes), also_check=check_audio_covers,
        )  # fmt: skip
    except REFUSED as exc:
        session.rollback()
        text = texts.read_text(session=session, dictionary=dictionary, text_id=text_id,
                               viewer=viewer)  # fmt: skip
        return _form_page(request, dictionary, viewer, text, exc.message, 422)
    return _back(dictionary, text_id, query={"saved": saved["version"]})


@router.get("/{text_id}/history")
def history(
    request: Request,
    text_id: str,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    revisions = texts.text_history(
        session=session, dictionary=dictionary, text_id=text_id, viewer=viewer
    )
    context = {
        "text_id": text_id, "revisions": revisions, "viewer": viewer,
        "restored": request.query_params.get("restored"), "first_form": texts.first_form,
    }  # fmt: skip
    return render(request, "editor/text_history.html", context, dictionary)


@router.post("/{text_id}/revisions/{number}/restore")
def restore(
    text_id: str,
    number: int,
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    texts.restore_revision(session=session, dictionary=dictionary, text_id=text_id,
                           number=number, editor=viewer.label, viewer=viewer)  # fmt: skip
    return _back(dictionary, text_id, "history", query={"restored": number})


@router.post("/{text_id}/delete")
def delete(
    text_id: str,
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    version: Annotated[int | None, Form()] = None,
):
    texts.delete_text(session=session, dictionary=dictionary, text_id=text_id,
                      editor=viewer.label, version=version, viewer=viewer)  # fmt: skip
    return _back(dictionary)
