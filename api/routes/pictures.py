"""Pictures: upload to a sense; serve a picture's web copy at one width (same access rule and
HTTP ranges as every other media URL, from api/routes/media.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from api.deps import (
    DictionaryDep,
    EditorDep,
    SessionDep,
    SettingsDep,
    StorageDep,
    ViewerDep,
)
from api.routes.media import Sha256, UploadRoute, ranged_response
from lexicon.media import pictures
from lexicon.media.images import ImageLimits
from lexicon.shape.schemas import EntryPublic

router = APIRouter(route_class=UploadRoute, tags=["pictures"])
SENSE = "/api/dictionaries/{slug}/entries/{entry_id}/senses/{sense_id}"


def get_image_limits(settings: SettingsDep) -> ImageLimits:
    return ImageLimits(max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels)


async def caption_fields(request: Request, dictionary: DictionaryDep) -> dict:
    """`caption_<lang>` form fields as {lang: text}; a bare `caption` is in the first analysis
    language. (FastAPI cannot declare fields whose names are open-ended.)"""
    form = await request.form()  # already parsed for the file: this reads Starlette's cache
    caption = {}
    for key, value in form.multi_items():
        if key.startswith("caption_") and isinstance(value, str):
            caption[key.removeprefix("caption_")] = value
    if isinstance(form.get("caption"), str):
        caption.setdefault((dictionary.analysis_ws or ["en"])[0], form["caption"])
    return caption


@router.post(f"{SENSE}/pictures", response_model=EntryPublic, status_code=201)
def upload_picture(
    entry_id: str,
    sense_id: str,
    file: Annotated[
        UploadFile, File(description="the picture (JPEG, PNG, WebP, GIF, TIFF, BMP, HEIC)")
    ],
    *,
    credit: Annotated[str, Form(description="photographer or source")] = "",
    licence: Annotated[str, Form(description="e.g. CC-BY-4.0")] = "",
    consent: Annotated[str, Form(description="consent or permission note")] = "",
    visibility: Annotated[str, Form(description="public, community or restricted")] = "public",
    circle: Annotated[
        str | None, Form(description="the circle that may see a restricted picture")
    ] = None,
    version: Annotated[int | None, Form(description="the entry version being edited")] = None,
    caption: Annotated[dict, Depends(caption_fields)],
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
    limits: Annotated[ImageLimits, Depends(get_image_limits)],
):
    """Add a picture to a sense (multipart `file`, `caption_<lang>` fields); answers the entry."""
    fields = dict(caption=caption, credit=credit, licence=licence, consent=consent,
                  visibility=visibility, circle=circle)  # fmt: skip
    return pictures.add_sense_picture(
        session=session, storage=storage, dictionary=dictionary, entry_id=entry_id,
        sense_id=sense_id, fileobj=file.file, filename=file.filename or "", fields=fields,
        editor=viewer.label, limits=limits, version=version, viewer=viewer,
    )  # fmt: skip


@router.api_route(
    "/media/{slug}/{sha256}/w{width}", methods=["GET", "HEAD"], include_in_schema=False
)
def picture_at_width(
    request: Request,
    sha256: Sha256,
    width: int,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
    storage: StorageDep,
):
    """A picture's web copy `width` pixels wide (the widths are in its `srcset`)."""
    served = pictures.derivative_to_serve(
        session=session, dictionary=dictionary, viewer=viewer, sha256=sha256, width=width
    )
    return ranged_response(request, storage, served)
