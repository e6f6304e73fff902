"""The editor's uploads beside the entry form: a recording of the word (the no-script way; the
recorder uploads through the API), a picture for a sense (a photo taken with the phone's
camera, or a file) and the recording of an example sentence, each a plain multipart post from
its own small form, then back to the entry form. Captions, credits, order, who
spoke, visibility and removal are the entry form's (api.forms.entry)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import HTMLResponse

from api.deps import CsrfChecked, DictionaryDep, EditorDep, SessionDep, StorageDep
from api.routes.editor import see_other
from api.routes.media import MediaLimitsDep
from api.routes.pictures import get_image_limits
from api.urls import urls
from lexicon import media
from lexicon.errors import InvalidInput
from lexicon.media import pictures
from lexicon.media.images import ImageLimits

router = APIRouter(
    prefix="/d/{slug}/edit", include_in_schema=False, default_response_class=HTMLResponse
)


@router.post("/entries/{entry_id}/audio")
def upload_audio(
    entry_id: str,
    file: Annotated[UploadFile, File()],
    *,
    version: Annotated[int | None, Form()] = None,
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
    limits: MediaLimitsDep,
):
    """A recording of the word, as a new pronunciation."""
    saved = media.add_pronunciation_audio(
        session=session, storage=storage, dictionary=dictionary, entry_id=entry_id,
        fileobj=file.file, filename=file.filename or "", editor=viewer.label, limits=limits,
        fields={}, version=version, viewer=viewer,
    )  # fmt: skip
    return _back(dictionary, saved)


def _back(dictionary, saved: dict, place: str = ""):
    """To the entry form as the upload left the entry, at the part it went to."""
    url = urls.editor_entry(dictionary.slug, saved["id"], query={"saved": saved["version"]})
    return see_other(url + (f"#{place}" if place else ""))


@router.post("/entries/{entry_id}/senses/{sense_id}/pictures")
def upload_sense_picture(
    entry_id: str,
    sense_id: str,
    *,
    photo: Annotated[UploadFile | None, File()] = None,
    file: Annotated[UploadFile | None, File()] = None,
    picture_caption: Annotated[str, Form()] = "",
    picture_credit: Annotated[str, Form()] = "",
    picture_licence: Annotated[str, Form()] = "",
    picture_consent: Annotated[str, Form()] = "",
    picture_visibility: Annotated[str, Form()] = "public",
    picture_circle: Annotated[str, Form()] = "",
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
    limits: Annotated[ImageLimits, Depends(get_image_limits)],
):
    """Add the photo taken (or else the file chosen) to the sense; back to its place in the
    form. Refused (nothing stored) when neither was given or the image does not decode."""
    chosen = next((f for f in (photo, file) if f is not None and f.filename), None)
    if chosen is None:
        raise InvalidInput("file: take a photo or choose a picture to upload", field="file")
    ws = (dictionary.analysis_ws or ["en"])[0]
    fields = {
        "caption": {ws: picture_caption.strip()} if picture_caption.strip() else {},
        "credit": picture_credit, "licence": picture_licence, "consent": picture_consent,
        "visibility": picture_visibility or "public", "circle": picture_circle.strip() or None,
    }  # fmt: skip
    saved = pictures.add_sense_picture(
        session=session, storage=storage, dictionary=dictionary, entry_id=entry_id,
        sense_id=sense_id, fileobj=chosen.file, filename=chosen.filename or "", fields=fields,
        editor=viewer.label, limits=limits, viewer=viewer,
    )  # fmt: skip
    return _back(dictionary, saved, f"pictures-{sense_id}")


@router.post("/entries/{entry_id}/examples/{example_id}/audio")
def upload_example_audio(
    entry_id: str,
    example_id: str,
    *,
    file: Annotated[UploadFile | None, File()] = None,
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
    limits: MediaLimitsDep,
):
    """Set the example's recording (recorded with the phone, or a file); back to the example
    in the form, where who spoke and the consent given are filled in."""
    if file is None or not file.filename:
        raise InvalidInput("file: record or choose a recording to upload", field="file")
    saved = media.add_example_audio(
        session=session, storage=storage, dictionary=dictionary, entry_id=entry_id,
        example_id=example_id, fileobj=file.file, filename=file.filename, fields={},
        editor=viewer.label, limits=limits, viewer=viewer,
    )  # fmt: skip
    return _back(dictionary, saved, f"example-{example_id}")
