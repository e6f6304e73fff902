"""JSON API: texts (recorded stories with time-aligned transcripts, docs/text-shape.md).

`GET/POST /api/dictionaries/{slug}/texts`: the texts a viewer may see; a new one from an
uploaded file (ELAN, Praat TextGrid, FLExText or a plain transcript) with an optional long
recording, all or nothing. `GET/PUT/DELETE .../texts/{id}` with versions (If-Match): a `PUT`
made from an older version is merged with the saves made since, as the editor's form is
(lexicon.texts.saving), 409 naming each clash; `GET .../texts/{id}/export?format=...`, the
history and restore. Editors write; everyone else sees what the access rule allows, per text
and per segment."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Form, Query, Response, UploadFile
from pydantic import BaseModel, Field

from api.csrf import require_csrf_for_session
from api.deps import (
    DictionaryDep,
    EditorDep,
    IfMatch,
    SessionDep,
    SettingsDep,
    StorageDep,
    ViewerDep,
)
from lexicon import texts
from lexicon.accounts.access import Viewer
from lexicon.io.texts import FORMATS, check_audio_covers, format_name, read_text, write_text
from lexicon.media.storage import Storage, safe_file_name
from lexicon.models import Dictionary
from wordkeep.settings import Settings

router = APIRouter(
    prefix="/api/dictionaries/{slug}/texts",
    tags=["texts"],
    dependencies=[Depends(require_csrf_for_session)],
)
EXPORTS = ("eaf", "textgrid", "flextext", "transcript")
EXTENSION = {"eaf": "eaf", "textgrid": "TextGrid", "flextext": "flextext", "transcript": "txt"}
OVERRIDES = ("visibility", "circle", "status")


class TextClashes(BaseModel):
    """A `PUT` made from an older version that changed some of what was changed since."""

    detail: str
    current: dict = Field(description="the text as it is now, as you may see it")
    clashes: list[texts.ClashPublic]


SENT_TEXT = Body(
    description="The whole text as you left it (GET's shape; sentences keep their `id`, a new "
    "one has none), edited from `version` (or If-Match). After a 409, the same text and version "
    'again with `"resolve": {"their_version": N, "choices": {"<clash key>": "mine" | "theirs"}}` '
    '(or `"every": "mine" | "theirs"`): a clash not named keeps theirs, and yours is then kept '
    "in the text's history first."
)
SAVED = {
    200: {"description": "The text as saved, as you may see it; `merged` is true when your "
          "change was merged with saves made since the version you edited (one revision)"},
    409: {"model": TextClashes, "description": "Saved since the version you edited, with some "
          "of the same things changed: nothing was saved; each clash with base, mine and theirs"},
    404: {"description": "No such text that you may see (hidden from you since you opened it, "
          "say): nothing was saved"},
    410: {"description": "Deleted since you opened it: nothing was saved; restore it "
          "(`POST .../revisions/{n}/restore`, `n` in `detail`), then send the same text again"},
}  # fmt: skip


def read_upload(upload: UploadFile, fmt: str | None) -> dict:
    """The text in an uploaded file (read by lexicon.io.texts from a temporary copy that keeps
    the file's name, so its extension can say its format)."""
    name = safe_file_name(upload.filename or "", "text")
    with tempfile.TemporaryDirectory(prefix="wordkeep-text-") as tmp:
        path = Path(tmp, name)
        with open(path, "wb") as out:
            while chunk := upload.file.read(1024 * 1024):
                out.write(chunk)
        return read_text(path, format=fmt or None)


def import_upload(
    *,
    session,
    storage: Storage,
    settings: Settings,
    dictionary: Dictionary,
    viewer: Viewer,
    file: UploadFile,
    audio: UploadFile | None,
    fmt: str | None = None,
    overrides: dict | None = None,
) -> dict:
    """A new text from an upload (and its recording): nothing is written if either is refused."""
    data = read_upload(file, fmt)
    data.update({k: v for k, v in (overrides or {}).items() if v not in (None, "")})
    has_audio = audio is not None and bool(audio.filename)
    return texts.import_text(
        session=session, storage=storage, dictionary=dictionary, data=data,
        editor=viewer.label, audio_file=audio.file if has_audio else None,
        audio_name=audio.filename if has_audio else "",
        limits=texts.text_limits(settings.max_text_audio_bytes), also_check=check_audio_covers,
    )  # fmt: skip


@router.get("")
def list_texts(dictionary: DictionaryDep, session: SessionDep, viewer: ViewerDep):
    """The texts the viewer may see, by title, without their segments."""
    return {"items": texts.list_texts(session=session, dictionary=dictionary, viewer=viewer)}


@router.post("", status_code=201)
def import_text(
    response: Response,
    file: Annotated[UploadFile, File(description="the text: .eaf, .TextGrid, .flextext or .txt")],
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
    settings: SettingsDep,
    audio: Annotated[UploadFile | None, File(description="its long recording")] = None,
    format: Annotated[str | None, Form(description="eaf, textgrid, flextext or txt")] = None,
    visibility: Annotated[str | None, Form()] = None,
    circle: Annotated[str | None, Form()] = None,
    status: Annotated[str | None, Form()] = None,
):
    """A new text from a file (and its recording); answers the stored text."""
    text = import_upload(
        session=session, storage=storage, settings=settings, dictionary=dictionary,
        viewer=viewer, file=file, audio=audio, fmt=format,
        overrides={"visibility": visibility, "circle": circle, "status": status},
    )  # fmt: skip
    response.headers["ETag"] = f'"{text["version"]}"'
    return texts.filter_text(viewer, dictionary, text)


@router.get("/{text_id}")
def get_text(
    text_id: str, response: Response, dictionary: DictionaryDep, session: SessionDep,
    viewer: ViewerDep,
):  # fmt: skip
    text = texts.read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    response.headers["ETag"] = f'"{text["version"]}"'
    return text


@router.put("/{text_id}", responses=SAVED)
def update_text(
    text_id: str,
    response: Response,
    data: Annotated[dict, SENT_TEXT],
    if_match: IfMatch,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    """Save the text, edited from its version `If-Match` (or `version`) names. When it was saved
    since, the two are merged three ways: changes to different fields or sentences are saved at
    once, as one revision (`merged`: true); where both changed the same field or sentence (or
    one removed a sentence the other changed), 409 names each clash, and nothing is saved.
    Sentences hidden from you stay as they are and are never shown."""
    resolve = data.pop("resolve", None)
    text, merged = texts.save_sent_text(
        session=session, dictionary=dictionary, viewer=viewer, text_id=text_id,
        version=if_match if if_match is not None else data.get("version"), data=data,
        resolve=resolve,
    )  # fmt: skip
    response.headers["ETag"] = f'"{text["version"]}"'
    return dict(text, merged=merged)


@router.delete("/{text_id}", status_code=204)
def delete_text(
    text_id: str, if_match: IfMatch, dictionary: DictionaryDep, session: SessionDep,
    viewer: EditorDep,
):  # fmt: skip
    texts.delete_text(session=session, dictionary=dictionary, text_id=text_id,
                      editor=viewer.label, version=if_match, viewer=viewer)  # fmt: skip
    return Response(status_code=204)


def _file_stem(text: dict) -> str:
    title = texts.first_form(text.get("title")) or "text"
    return re.sub(r"[^\w-]+", "-", title).strip("-")[:60] or "text"


@router.get("/{text_id}/export")
def export_text(
    text_id: str,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
    format: Annotated[
        str, Query(description="eaf, textgrid, flextext, transcript or readalong")
    ] = "eaf",
):
    """The text as a file, with what the viewer may see of it."""
    fmt = format_name(format)
    text = texts.read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    body = write_text(text, fmt)
    name = f"{_file_stem(text)}.{EXTENSION.get(fmt, fmt)}"
    return Response(
        body,
        media_type=FORMATS[fmt].media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get("/{text_id}/revisions")
def list_revisions(text_id: str, dictionary: DictionaryDep, session: SessionDep, viewer: ViewerDep):
    history = texts.text_history(
        session=session, dictionary=dictionary, text_id=text_id, viewer=viewer
    )
    return {"items": history}


@router.post("/{text_id}/revisions/{number}/restore")
def restore_revision(
    text_id: str, number: int, dictionary: DictionaryDep, session: SessionDep, viewer: EditorDep
):
    text = texts.restore_revision(session=session, dictionary=dictionary, text_id=text_id,
                                  number=number, editor=viewer.label, viewer=viewer)  # fmt: skip
    return texts.filter_text(viewer, dictionary, text)


@router.post("/{text_id}/audio")
def set_recording(
    text_id: str,
    audio: Annotated[UploadFile, File(description="the text's long recording")],
    if_match: IfMatch,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
    settings: SettingsDep,
    version: Annotated[int | None, Form()] = None,
):
    """Give the text its long recording (or a new one): refused if shorter than the text."""
    text = texts.set_recording(
        session=session, storage=storage, dictionary=dictionary, text_id=text_id,
        version=if_match if if_match is not None else version, audio_file=audio.file,
        audio_name=audio.filename or "", editor=viewer.label, viewer=viewer,
        limits=texts.text_limits(settings.max_text_audio_bytes), also_check=check_audio_covers,
    )  # fmt: skip
    return texts.filter_text(viewer, dictionary, text)
