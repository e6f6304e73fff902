"""Recordings: upload for pronunciations and examples; serve originals and web copies with ranges."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from api.deps import (
    DictionaryDep,
    EditorDep,
    SessionDep,
    SettingsDep,
    StorageDep,
    ViewerDep,
    dictionary_to_read,
    quick_read,
)
from lexicon import media
from lexicon.media.audio import FileTooLarge
from lexicon.media.storage import Storage, storage_from_url
from lexicon.shape.schemas import EntryPublic

# Room for the multipart envelope and the form fields around the file itself.
_FORM_OVERHEAD = 64 * 1024


class UploadRoute(APIRoute):
    """Refuse an upload by its Content-Length before the body is read and spooled to disk."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def checked(request: Request):
            if request.method == "POST":
                limit = request.app.state.settings.max_upload_bytes
                declared = request.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit + _FORM_OVERHEAD:
                    raise FileTooLarge(
                        f"file: the upload is {int(declared):,} bytes; "
                        f"the limit is {limit:,} bytes",
                        limit=limit,
                    )
            return await handler(request)

        return checked


router = APIRouter(route_class=UploadRoute, tags=["media"])
ENTRY = "/api/dictionaries/{slug}/entries/{entry_id}"
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


def setup(app) -> None:
    """Media storage from WORDKEEP_MEDIA_DIR (a folder or an s3:// URL), unless a test set one."""
    if getattr(app.state, "storage", None) is None:
        app.state.storage = storage_from_url(app.state.settings.media_dir)


def get_limits(settings: SettingsDep) -> media.MediaLimits:
    return media.MediaLimits(
        max_bytes=settings.max_upload_bytes, max_seconds=settings.max_audio_seconds
    )


MediaLimitsDep = Annotated[media.MediaLimits, Depends(get_limits)]


class RecordingForm:
    """The form fields that describe a recording (all optional)."""

    def __init__(
        self,
        speaker: Annotated[str, Form()] = "",
        dialect: Annotated[str, Form()] = "",
        place: Annotated[str, Form()] = "",
        recorded_on: Annotated[str, Form(description="when it was recorded, e.g. 2024-05-01")] = "",
        consent: Annotated[str, Form(description="the speaker's consent or permission note")] = "",
        consent_publish: Annotated[bool | None, Form(description="may it be published")] = None,
        consent_speech_tools: Annotated[
            bool | None, Form(description="may it train speech tools")
        ] = None,
        speaker_named: Annotated[
            bool, Form(description="may learners see the speaker's name")
        ] = False,
        version: Annotated[int | None, Form(description="the entry version being edited")] = None,
    ):
        self.fields = dict(
            speaker=speaker, dialect=dialect, place=place, recorded_on=recorded_on, consent=consent,
            consent_publish=consent_publish, consent_speech_tools=consent_speech_tools,
            speaker_named=speaker_named,
        )  # fmt: skip
        self.version = version


@router.post(f"{ENTRY}/pronunciations", response_model=EntryPublic, status_code=201)
def upload_pronunciation(
    entry_id: str,
    file: Annotated[
        UploadFile, File(description="the recording (WebM, MP4/M4A, WAV, MP3, FLAC, OGG)")
    ],
    form: Annotated[RecordingForm, Depends()],
    *,
    ipa: Annotated[str, Form()] = "",
    visibility: Annotated[str, Form()] = "public",
    circle: Annotated[str | None, Form()] = None,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
    limits: MediaLimitsDep,
):
    """Add a recording as a new pronunciation of the entry; answers the updated entry."""
    return media.add_pronunciation_audio(
        session=session, storage=storage, dictionary=dictionary, entry_id=entry_id,
        fileobj=file.file, filename=file.filename or "", editor=viewer.label, limits=limits,
        fields={**form.fields, "ipa": ipa, "visibility": visibility, "circle": circle},
        version=form.version, viewer=viewer,
    )  # fmt: skip


@router.post(f"{ENTRY}/examples/{{example_id}}/audio", response_model=EntryPublic, status_code=201)
def upload_example_audio(
    entry_id: str,
    example_id: str,
    file: Annotated[
        UploadFile, File(description="the recording (WebM, MP4/M4A, WAV, MP3, FLAC, OGG)")
    ],
    form: Annotated[RecordingForm, Depends()],
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
    limits: MediaLimitsDep,
):
    """Set the recording of one example sentence; answers the updated entry."""
    return media.add_example_audio(
        session=session, storage=storage, dictionary=dictionary, entry_id=entry_id,
        example_id=example_id, fileobj=file.file, filename=file.filename or "",
        fields=form.fields, editor=viewer.label, limits=limits, version=form.version,
        viewer=viewer,
    )  # fmt: skip


async def _serve(request, original: bool, slug: str, sha256: str, session, viewer,
                 storage: Storage) -> Response:  # fmt: skip
    """A recording's bytes, if the viewer may hear it. Who may changes only with a write to the
    dictionary (an entry, its protocols) or to the viewer's roles, so the answer is kept per
    worker like a search page: a learner's player asks for range after range of one file."""

    def lookup(session) -> media.Served:
        dictionary = dictionary_to_read(request, session, viewer, slug)
        return request.app.state.page_cache.page(
            "media", dictionary, viewer, (sha256, original),
            lambda: media.media_to_serve(session=session, dictionary=dictionary, viewer=viewer,
                                         sha256=sha256, original=original),
        )  # fmt: skip

    try:
        served = await quick_read(request, session, lookup)
    finally:
        session.rollback()  # no transaction stays open while a slow phone downloads
    if storage.local:  # a stat and an open: quick
        return ranged_response(request, storage, served)
    return await run_in_threadpool(ranged_response, request, storage, served)


@router.api_route("/media/{slug}/{sha256}", methods=["GET", "HEAD"], include_in_schema=False)
async def web_copy(
    request: Request,
    slug: str,
    sha256: Sha256,
    session: SessionDep,
    viewer: ViewerDep,
    storage: StorageDep,
):
    """The web copy of a recording (MP3), with HTTP ranges."""
    return await _serve(request, False, slug, sha256, session, viewer, storage)


@router.api_route(
    "/media/{slug}/{sha256}/original", methods=["GET", "HEAD"], include_in_schema=False
)
async def original_file(
    request: Request,
    slug: str,
    sha256: Sha256,
    session: SessionDep,
    viewer: ViewerDep,
    storage: StorageDep,
):
    """The archival original, byte for byte as uploaded, with HTTP ranges."""
    return await _serve(request, True, slug, sha256, session, viewer, storage)


# ---------------------------------------------------------------- HTTP ranges


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, length) for a single `bytes=` range, None to send everything.

    Raises ValueError for a range that cannot be satisfied (answered 416).
    """
    if not header or not header.strip().lower().startswith("bytes="):
        return None
    spec = header.split("=", 1)[1].strip()
    if "," in spec:
        return None  # several ranges: sending the whole file is allowed and simpler
    first, _, last = spec.partition("-")
    first, last = first.strip(), last.strip()
    if not (first.isdigit() or last.isdigit()) or (first and not first.isdigit()):
        return None  # malformed: ignore, as RFC 9110 allows
    if not first:  # suffix: the last N bytes
        length = min(int(last), size)
        if length == 0:
            raise ValueError("empty suffix range")
        return size - length, length
    start = int(first)
    if last and int(last) < start:
        return None  # an invalid range is ignored, not refused (RFC 9110, 14.1.1)
    if start >= size:
        raise ValueError("range outside the file")
    end = min(int(last), size - 1) if last else size - 1
    return start, end - start + 1


def ranged_response(request: Request, storage: Storage, served: media.Served) -> Response:
    size = served.size or storage.size(served.key)
    headers = {
        "ETag": served.etag,
        "Accept-Ranges": "bytes",
        # The bytes under this URL never change, but who may fetch them does: a recording made
        # restricted must stop being served at once, by us and by every cache. So no cache may
        # reuse a copy without asking first (`no-cache`; a URL that changed with visibility would
        # leave the old URL working in caches). Asking is cheap: the ETag is the content hash,
        # so a cache's If-None-Match gets a 304 without a byte of the file, after the access
        # check, which answers 404 once the viewer may no longer hear it. Public media may sit
        # in shared caches; hidden media only in the viewer's own.
        "Cache-Control": "public, no-cache" if served.public else "private, no-cache",
        # Whatever an upload holds, it is never run as a page or script from our origin.
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(served.filename)}",
    }
    if served.etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range.strip() != served.etag:
        wanted = None  # the client's partial copy is of something else: send it all
    try:
        span = parse_range(wanted, size)
    except ValueError:
        headers["Content-Range"] = f"bytes */{size}"
        return Response(status_code=416, headers=headers)
    status, (start, length) = (200, (0, size)) if span is None else (206, span)
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}"
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=served.mime)
    return StreamingResponse(
        storage.open_range(served.key, start, length),
        status_code=status,
        headers=headers,
        media_type=served.mime,
    )
