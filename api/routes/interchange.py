"""Import a LIFT / CSV / XLSX / CLDF / MDF / JSON file; export a zip where media travel along."""

from __future__ import annotations

import json
import queue
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from sqlmodel import Session
from starlette.background import BackgroundTask

from api.csrf import require_csrf_for_session
from api.deps import DictionaryDep, EditorDep, SessionDep, StorageDep, ViewerDep
from api.errors import status_for
from lexicon import entries
from lexicon.errors import InvalidInput, TooLarge, WordkeepError
from lexicon.io.exporter import PLAIN_TYPES, export_dictionary, plain_export_name
from lexicon.io.importer import import_file
from lexicon.io.safety import DEFAULT_LIMITS, safe_file_name

router = APIRouter(tags=["interchange"], dependencies=[Depends(require_csrf_for_session)])
ImportFormat = Literal["lift", "csv", "xlsx", "cldf", "mdf", "json"]
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


def _streamed(engine, slug: str, kwargs: dict, tmp: str):
    """Run the import in a worker thread with its own session; yield its progress as NDJSON."""
    events: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                dictionary = entries.get_dictionary(session=session, slug=slug)
                report = import_file(
                    session=session,
                    dictionary=dictionary,
                    progress=lambda d, t, s: events.put({"stage": s, "done": d, "total": t}),
                    **kwargs,
                )
            events.put({"report": report.to_dict()})
        except WordkeepError as exc:
            events.put({"error": {"status": status_for(exc), "detail": exc.message}})
        except Exception as exc:  # reported in the stream: the status line is already sent
            events.put({"error": {"status": 500, "detail": f"import failed: {exc}"}})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            events.put(None)

    threading.Thread(target=work, daemon=True).start()
    while (event := events.get()) is not None:
        yield json.dumps(event) + "\n"


@router.post("/api/dictionaries/{slug}/imports", status_code=201)
def import_upload(
    request: Request,
    file: Annotated[UploadFile, File(description="a .lift, .zip, .csv, .xlsx, .sfm or .json file")],
    *,
    format: Annotated[
        ImportFormat | None, Form(description="guessed from the file when left out")
    ] = None,
    dry_run: Annotated[bool, Form(description="check and report, write nothing")] = False,
    mapping: Annotated[
        str | None, Form(description='CSV/XLSX columns as JSON: {"Word": "headword"}')
    ] = None,
    marker_map: Annotated[
        str | None, Form(description='MDF markers: {"dn": ["gloss", "N"]}')
    ] = None,
    national: Annotated[
        str | None, Form(description="MDF: the tag of the national language")
    ] = None,
    stream: Annotated[
        bool, Form(description="answer NDJSON progress lines, then the report")
    ] = False,
    dictionary: DictionaryDep,
    session: SessionDep,
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
        tmp = tempfile.mkdtemp(prefix="wordkeep-upload-")
        path = _spool(file, Path(tmp))
        kwargs = {
            "path": path,
            "format": format,
            "dry_run": dry_run,
            "editor": viewer.label,
            "storage": storage,
            "options": options,
        }
        return StreamingResponse(
            _streamed(request.app.state.engine, dictionary.slug, kwargs, tmp),
            media_type="application/x-ndjson",
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
