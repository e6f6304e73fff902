"""The import of a new dictionary's file, as its creator follows it (the wizard's `create` with a
file starts it: api/routes/new_dictionary.py, lexicon.io.starting.start_creation).

- `GET /dictionaries/new/jobs/{id}`: the progress page. While the job runs it refreshes itself
  every few seconds without scripts (new-dictionary-job.js polls instead and moves the bar);
  once the dictionary exists it redirects there; a failed job shows its error and the file's
  problems by line, and the way back to the wizard (nothing was created).
- `GET /api/new-dictionary-jobs/{id}`: the job as JSON, in the import job's shape, with
  `dictionary` (its slug) and `url` once created.

Only the user who started the job sees it; anyone else gets 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep, ViewerDep
from api.templating import render
from api.urls import urls
from lexicon.io.jobs import ACTIVE
from lexicon.io.starting import own_job

router = APIRouter()
api = APIRouter(prefix="/api/new-dictionary-jobs", tags=["dictionaries"])
pages = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
REFRESH_SECONDS = 2  # the page without scripts asks again this often


def _job(session, viewer, job_id: str) -> dict:
    job = own_job(session=session, user_id=viewer.user_id, job_id=job_id)
    job["url"] = urls.dictionary(job["dictionary"]) if job["dictionary"] else None
    return job


@api.get("/{job_id}")
def read_new_dictionary_job(job_id: str, session: SessionDep, viewer: ViewerDep) -> dict:
    """The job: status queued/running/done/failed, counts done/total, stage, report, error;
    `dictionary` and `url` once the dictionary exists."""
    return _job(session, viewer, job_id)


@pages.get("/dictionaries/new/jobs/{job_id}")
def new_dictionary_job_page(request: Request, job_id: str, session: SessionDep,
                            viewer: ViewerDep):  # fmt: skip
    if viewer.anonymous:
        return RedirectResponse(urls.login(next=urls.new_dictionary_job(job_id)), status_code=303)
    job = _job(session, viewer, job_id)
    if job["url"]:
        return RedirectResponse(job["url"], status_code=303)
    ctx = {
        "viewer": viewer,
        "job": job,
        "active": job["status"] in ACTIVE,
        "refresh": REFRESH_SECONDS,
        "report": job["report"] or {},
    }
    return render(request, "new_dictionary_job.html", ctx)


router.include_router(api)
router.include_router(pages)
