"""The keepers' text editor under /d/{slug}/edit/texts: import a text (with its recording)
or start an empty one, edit its description and segments (text, translation, start and end as
numbers), give it a recording, see its history and restore a revision. Plain forms; every
save is a new revision (lexicon.texts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.deps import CsrfChecked, DictionaryDep, EditorDep, SessionDep, SettingsDep, StorageDep
from api.routes.editor import form_pairs
from api.routes.texts import import_upload
from api.templating import render
from api.urls import urls
from lexicon import texts
from lexicon.errors import InvalidInput, StaleVersion, TooLarge, UnsupportedMedia
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


def _form_page(request, dictionary, viewer, text: dict, error="", status_code=200, conflict=False):
    vern = (dictionary.vernacular_ws or ["und"])[0]
    analysis = (dictionary.analysis_ws or ["en"])[0]
    context = {
        "text": text, "viewer": viewer, "error": error, "blank_rows": BLANK_ROWS,
        "vern": _first_key(text["title"], vern), "analysis": analysis,
        "saved": request.query_params.get("saved"), "first_form": texts.first_form,
        "conflict": conflict,
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


def _segment_from_form(form: dict, i: int, old: dict | None, vern: str, analysis: str):
    """One segment from the form's row `i`, on top of what it was (other writing systems,
    words, extra); None for a row deleted or left blank (a new row with only times is kept:
    the segment editor's split makes one)."""
    get = lambda name: (form.get(f"seg-{i}-{name}") or "").strip()  # noqa: E731
    if get("delete") or not (get("text") or get("translation") or old or get("start")):
        return None
    segment = dict(old or {})
    text_ws = _first_key(segment.get("text"), vern)
    tr_ws = _first_key(segment.get("translation"), analysis)
    if (segment.get("text") or {}).get(text_ws, "") != get("text"):
        segment["words"] = []  # the words were of the old transcription
    segment["text"] = {**(segment.get("text") or {}), text_ws: get("text")}
    segment["translation"] = {**(segment.get("translation") or {}), tr_ws: get("translation")}
    segment["start"], segment["end"] = get("start") or None, get("end") or None
    segment["words"] = _words_inside(segment.get("words") or [], get("start"), get("end"))
    return segment


def _words_inside(words: list, start: str, end: str) -> list:
    """The words, each timed one that now falls outside its sentence (an edge dragged in the
    segment editor) without its times: they are to be aligned again, not played wrong."""
    try:
        low, high = float(start) - 0.0005, float(end) + 0.0005
    except ValueError:  # no times (or bad ones, refused when the text is checked)
        return words
    return [
        dict(w, start=None, end=None)
        if w.get("start") is not None and not (low <= w["start"] and (w.get("end") or 0) <= high)
        else w
        for w in words
    ]


def text_from_form(form: dict, current: dict, vern: str, analysis: str) -> dict:
    """The text as the editor's form leaves it (fields it has no input for stay as they are)."""
    by_id = {s["id"]: s for s in current["segments"]}
    segments = []
    for i in range(int(form.get("rows") or 0)):
        old = by_id.get(form.get(f"seg-{i}-id") or "")
        segment = _segment_from_form(form, i, old, vern, analysis)
        if segment is not None:
            segments.append(segment)
    title_ws = _first_key(current["title"], vern)
    return dict(
        current,
        title={**current["title"], title_ws: (form.get("title") or "").strip()},
        **{k: (form.get(k) or "").strip() for k in ("genre", "place", "recorded_on")},
        visibility=form.get("visibility") or current["visibility"],
        circle=(form.get("circle") or "").strip() or None,
        status=form.get("status") or current["status"],
        segments=segments,
    )


@router.post("/{text_id}")
async def save_text(
    request: Request,
    text_id: str,
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    form = dict(await form_pairs(request))
    return await _save(request, dictionary, session, viewer, text_id, form)


async def _save(request, dictionary, session, viewer, text_id: str, form: dict):
    def work():
        current = texts.read_text(
            session=session, dictionary=dictionary, text_id=text_id, viewer=viewer
        )
        vern = (dictionary.vernacular_ws or ["und"])[0]
        data = text_from_form(form, current, vern, (dictionary.analysis_ws or ["en"])[0])
        try:
            saved = texts.update_text(
                session=session, dictionary=dictionary, text_id=text_id, data=data,
                version=int(form.get("version") or 0), editor=viewer.label, viewer=viewer,
            )  # fmt: skip
        except StaleVersion as exc:
            return _form_page(request, dictionary, viewer, exc.current, "", 409, conflict=True)
        except InvalidInput as exc:
            return _form_page(request, dictionary, viewer, dict(data, version=current["version"]),
                              exc.message, 422)  # fmt: skip
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
