"""Import a LIFT / CSV / XLSX / CLDF / MDF / JSON file; export a zip where media travel along."""

from __future__ import annotations

import json
import queue
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from sqlmodel import Session
from starlette.background import BackgroundTask

from api.csrf import require_csrf_for_session
from api.deps import DictionaryDep, EditorDep, ImportSessionDep, SessionDep, StorageDep, ViewerDep
from api.errors import status_for
from api.urls import urls
from lexicon.accounts.access import Viewer
from lexicon.errors import InvalidInput, TooLarge, WordkeepError
from lexicon.io import jobs
from lexicon.io.exporter import PLAIN_TYPES, export_dictionary, plain_export_name
from lexicon.io.importer import import_file
from lexicon.io.safety import DEFAULT_LIMITS
from lexicon.media.storage import safe_file_name
from lexicon.models import Dictionary

router = APIRouter(tags=["interchange"], dependencies=[Depends(require_csrf_for_session)])
ImportFormat = Literal["lift", "csv", "xlsx", "cldf", "mdf", "json"]

# The import form's fields, shared by the streamed import and the import jobs.
ImportFileField = Annotated[
    UploadFile, File(description="a .lift, .zip, .csv, .xlsx, .sfm or .json file")
]
FormatField = Annotated[
    ImportFormat | None, Form(description="guessed from the file when left out")
]
MappingField = Annotated[
    str | None, Form(description='CSV/XLSX columns as JSON: {"Word": "headword"}')
]
MarkerMapField = Annotated[str | None, Form(description='MDF markers: {"dn": ["gloss", "N"]}')]
NationalField = Annotated[str | None, Form(description="MDF: the tag of the national language")]
ExportFormat = Literal["lift", "csv", "cldf", "mdf", "json"]


def _spool(upload: UploadFile, folder: Path) -> Path:
    """Save the upload under its own (cleaned) name, refusing it past the import size limit."""
    name = safe_file_name(upload.filename, "upload")  # never `..`, `/`, NUL or empty
    dest = folder / name
    size, limit = 0, DEFAULT_LIMITS.max_file_bytes
    with open(dest, "wb") as out:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"file: the upload is over the import limit of {limit:,} bytes")
            out.write(chunk)
    return dest


def _options(mapping: str | None, marker_map: str | None) -> dict:
    options: dict = {}
    for key, raw in (("mapping", mapping), ("marker_map", marker_map)):
        if raw:
            try:
                options[key] = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"{key}: not valid JSON ({exc.msg})") from exc
    return options


def start_import(
    request: Request,
    upload: UploadFile,
    *,
    format: str | None,
    options: dict,
    dictionary: Dictionary,
    session: Session,
    viewer: Viewer,
    storage,
    dry_run: bool = False,
    events: queue.Queue | None = None,
) -> jobs.ImportJob:
    """Spool the upload and run its import as a job (lexicon.io.jobs) in a thread of this
    process; the job row, committed, answers polls from any worker."""
    tmp = tempfile.mkdtemp(prefix="wordkeep-job-")
    try:
        path = _spool(upload, Path(tmp))
        job = jobs.create_job(
            session=session, dictionary=dictionary, user_id=viewer.user_id,
            format=format or "", file_name=path.name,
        )  # fmt: skip
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    kwargs = {
        "path": path,
        "format": format,
        "dry_run": dry_run,
        "editor": viewer.label,
        "viewer": viewer,
        "storage": storage,
        "options": options,
    }
    jobs.start_job(
        engine=request.app.state.engine, job_id=job.id, slug=dictionary.slug,
        import_kwargs=kwargs, cleanup=lambda: shutil.rmtree(tmp, ignore_errors=True),
        events=events,
    )  # fmt: skip
    return job


def _streamed(events: queue.Queue):
    """An import job's events (lexicon.io.jobs, run in this process) as NDJSON lines."""
    while (event := events.get()) is not None:
        exc = event.get("exception")
        if isinstance(exc, WordkeepError):
            event = {"error": {"status": status_for(exc), "detail": exc.message}}
        elif exc is not None:  # reported in the stream: the status line is already sent
            event = {"error": {"status": 500, "detail": f"import failed: {exc}"}}
        yield json.dumps(event) + "\n"


@router.post("/api/dictionaries/{slug}/imports", status_code=201)
def import_upload(
    request: Request,
    file: ImportFileField,
    *,
    format: FormatField = None,
    dry_run: Annotated[bool, Form(description="check and report, write nothing")] = False,
    mapping: MappingField = None,
    marker_map: MarkerMapField = None,
    national: NationalField = None,
    stream: Annotated[
        bool, Form(description="answer NDJSON progress lines, then the report")
    ] = False,
    dictionary: DictionaryDep,
    session: ImportSessionDep,
    viewer: EditorDep,
    storage: StorageDep,
):
    """Import a file; `dry_run` lists every problem (row, line) without writing anything.

    With `stream=true` the answer is NDJSON: progress lines `{"stage", "done", "total"}` while
    the import runs, then one `{"report": ...}` or `{"error": {"status", "detail"}}` line.
    """
    options = _options(mapping, marker_map)
    if national:
        options["national"] = national
    if stream:
        events: queue.Queue = queue.Queue()
        job = start_import(
            request, file, format=format, dry_run=dry_run, options=options, events=events,
            dictionary=dictionary, session=session, viewer=viewer, storage=storage,
        )  # fmt: skip
        url = urls.api_import_job(dictionary.slug, job.id)  # the job can be polled there too
        return StreamingResponse(
            _streamed(events), media_type="application/x-ndjson", headers={"Location": url}
        )
    with tempfile.TemporaryDirectory(prefix="wordkeep-upload-") as tmp:
        path = _spool(file, Path(tmp))
        report = import_file(
            session=session,
            dictionary=dictionary,
            path=path,
            format=format,
            dry_run=dry_run,
            editor=viewer.label,
            storage=storage,
            options=options,
            viewer=viewer,
        )
    return JSONResponse(report.to_dict(), status_code=200 if dry_run else 201)


@router.get("/api/dictionaries/{slug}/export", response_class=FileResponse)
def export_download(
    request: Request,
    *,
    format: Annotated[ExportFormat, Query()] = "lift",
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
    plain: Annotated[
        bool,
        Query(
            description="The plain file (words.json, .lift, .csv, .sfm) instead of a zip; "
            "refused (422) when media or other files travel along with it"
        ),
    ] = False,
    storage: StorageDep,
):
    """The dictionary as a zip (LIFT package, CSV, CLDF, MDF or JSON) with the media it uses,
    or with `plain=true` as the one plain file when nothing else travels along."""
    tmp = tempfile.mkdtemp(prefix="wordkeep-export-")
    name = (
        plain_export_name(dictionary.slug, format) if plain else f"{dictionary.slug}-{format}.zip"
    )
    dest = Path(tmp) / name
    try:
        export_dictionary(
            session=session,
            dictionary=dictionary,
            format=format,
            dest=dest,
            storage=storage,
            viewer=viewer,
        )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return FileResponse(
        dest,
        media_type=PLAIN_TYPES.get(dest.suffix, "application/zip"),
        filename=dest.name,
        background=BackgroundTask(shutil.rmtree, tmp, ignore_errors=True),
    )
