"""Import jobs a page can poll, and the keepers' import page under the editor.

`POST /api/dictionaries/{slug}/import-jobs` answers 202 with a job and imports in a thread of
this process; `GET .../import-jobs/{id}` reads the job row and its live progress (lexicon.io.jobs),
so any worker can answer the poll.
The page `/d/{slug}/edit/import` works as a plain form post; import.js adds the progress bar.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse

from api.csrf import require_csrf, require_csrf_for_session
from api.deps import DictionaryDep, EditorDep, ImportSessionDep, SessionDep, StorageDep
from api.errors import status_for
from api.i18n import _
from api.routes.interchange import (
    FormatField,
    ImportFileField,
    MappingField,
    MarkerMapField,
    NationalField,
    _options,
    _spool,
    start_import,
)
from api.templating import render
from api.urls import urls
from lexicon.errors import WordkeepError
from lexicon.io import jobs
from lexicon.io.importer import FORMATS, import_file

router = APIRouter()
api = APIRouter(tags=["interchange"], dependencies=[Depends(require_csrf_for_session)])
pages = APIRouter(
    prefix="/d/{slug}/edit", include_in_schema=False, default_response_class=HTMLResponse
)


@api.post("/api/dictionaries/{slug}/import-jobs", status_code=202)
def start_import_job(
    request: Request,
    file: ImportFileField,
    *,
    format: FormatField = None,
    mapping: MappingField = None,
    marker_map: MarkerMapField = None,
    national: NationalField = None,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
):
    """Start an import in the background (all or nothing); poll the job it answers with."""
    options = _options(mapping, marker_map)
    if national:
        options["national"] = national
    job = start_import(
        request, file, format=format, options=options,
        dictionary=dictionary, session=session, viewer=viewer, storage=storage,
    )  # fmt: skip
    url = urls.api_import_job(dictionary.slug, job.id)
    return JSONResponse(jobs.job_dict(job), status_code=202, headers={"Location": url})


@api.get("/api/dictionaries/{slug}/import-jobs/{job_id}")
def read_import_job(
    job_id: str,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
) -> dict:
    """A job's state: status queued/running/done/failed, counts done/total, report, error.

    A job whose server process stopped (no heartbeat for a minute) is answered as failed."""
    return jobs.poll_job(session=session, dictionary=dictionary, job_id=job_id)


# ---------------------------------------------------------------- the page


def _page(request, dictionary, viewer, *, report=None, error=None, fmt="", status_code=200):
    ctx = {
        "viewer": viewer,
        "formats": FORMATS,
        "format": fmt,
        "report": report,
        "error": error,
        "jobs_url": urls.api_import_job(dictionary.slug),
    }
    return render(
        request, "editor/import.html", ctx, dictionary=dictionary, status_code=status_code
    )


@pages.get("/import")
def import_page(
    request: Request,
    dictionary: DictionaryDep,
    viewer: EditorDep,
):
    return _page(request, dictionary, viewer)


@pages.post("/import", dependencies=[Depends(require_csrf)])
def import_page_post(
    request: Request,
    *,
    file: Annotated[UploadFile | None, File()] = None,
    format: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "dry_run",
    dictionary: DictionaryDep,
    session: ImportSessionDep,
    viewer: EditorDep,
    storage: StorageDep,
):
    """Without scripts: check (dry run) or import at once, then show the report."""
    fmt = format if format in FORMATS else ""
    if file is None or not file.filename:
        error = {"message": _("Choose a file to import."), "errors": []}
        return _page(request, dictionary, viewer, error=error, fmt=fmt, status_code=422)
    try:
        with tempfile.TemporaryDirectory(prefix="wordkeep-upload-") as tmp:
            path = _spool(file, Path(tmp))
            report = import_file(
                session=session,
                dictionary=dictionary,
                path=path,
                format=fmt or None,
                dry_run=action != "import",
                editor=viewer.label,
                storage=storage,
                viewer=viewer,
            )
    except WordkeepError as exc:
        error = {"message": exc.message, "errors": exc.details.get("errors") or []}
        return _page(request, dictionary, viewer, error=error, fmt=fmt, status_code=status_for(exc))
    return _page(request, dictionary, viewer, report=report.to_dict(), fmt=fmt)


router.include_router(api)
router.include_router(pages)
