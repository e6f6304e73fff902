"""JSON API: a text's words aligned to its recording with ReadAlongs (issue 23, part 3).

- `POST /api/dictionaries/{slug}/texts/{id}/alignment` (editors): answers 202 with a job in the
  import job's shape (status, done/total as segments, report or error) and its status URL in
  `Location`. Only the segments the editor may see are aligned. While an alignment of that
  text is running, asking again answers that same job.
- `GET .../texts/{id}/alignment/{job_id}`: the job's state, polled like an import job.

The work is lexicon.texts.aligning; the job runs through lexicon.io.jobs."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.csrf import require_csrf_for_session
from api.deps import DictionaryDep, EditorDep, SessionDep, StorageDep
from api.urls import urls
from lexicon import texts
from lexicon.io import jobs
from lexicon.texts import aligning, segmenting

router = APIRouter(
    prefix="/api/dictionaries/{slug}/texts",
    tags=["texts"],
    dependencies=[Depends(require_csrf_for_session)],
)
KIND = "alignment"  # the job row's `format`; its `file_name` is the text's id


@router.post("/{text_id}/alignment", status_code=202)
def start_alignment(
    request: Request,
    text_id: str,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
):
    """Align the words of the text's transcribed segments to its recording, in the
    background; poll the job."""
    texts.read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    if not texts.read_text(session=session, dictionary=dictionary, text_id=text_id)["media"]:
        raise segmenting.NoRecording(f"text {text_id} has no recording to align")
    aligning.model_dir()  # not installed: refused before a job starts
    job = jobs.start_once(
        session=session, engine=request.app.state.engine, dictionary=dictionary,
        user_id=viewer.user_id, kind=KIND, file_name=text_id,
        work=lambda: aligning.align_work(storage, dictionary.slug, text_id, viewer, viewer.label),
    )  # fmt: skip
    url = urls.api_text(dictionary.slug, text_id, "alignment", job["id"])
    return JSONResponse(job, status_code=202, headers={"Location": url})


@router.get("/{text_id}/alignment/{job_id}")
def read_alignment(
    text_id: str, job_id: str, dictionary: DictionaryDep, session: SessionDep, viewer: EditorDep
) -> dict:
    """The alignment job's state: status queued/running/done/failed, done/total (segments),
    report (aligned, words, unmapped words by name, failed segments), error."""
    job = jobs.poll_job(session=session, dictionary=dictionary, job_id=job_id)
    if (job["format"], job["file_name"]) != (KIND, text_id):
        raise jobs.JobNotFound(f"job: no alignment job {job_id!r} for this text")
    return job
