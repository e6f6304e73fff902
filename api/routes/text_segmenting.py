"""JSON API: a text's recording segmented by voice activity, and its waveform (issue 23).

- `POST /api/dictionaries/{slug}/texts/{id}/segmentation` (editors), with the parameters as an
  optional JSON object (`min_pause`, `min_segment`, `max_segment`, `pad`, `threshold`; what is
  left out comes from the text's last run, then the defaults): answers 202 with a job in the
  import job's shape (status, progress, report or error) and its status URL in `Location`.
  While a segmentation of that text is running, asking again answers that same job; once it
  ended (done, failed or interrupted) asking again starts a new one.
- `GET .../texts/{id}/segmentation/{job_id}`: the job's state, polled like an import job.
- `GET .../texts/{id}/peaks?per_second=100`: the waveform as peaks JSON (audiowaveform's
  shape), for those who may hear the whole recording.

The work is lexicon.texts.segmenting and .peaks; the job runs through lexicon.io.jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from api.csrf import require_csrf_for_session
from api.deps import DictionaryDep, EditorDep, SessionDep, StorageDep, ViewerDep
from api.urls import urls
from lexicon import texts
from lexicon.io import jobs
from lexicon.texts import peaks, segmenting

router = APIRouter(
    prefix="/api/dictionaries/{slug}/texts",
    tags=["texts"],
    dependencies=[Depends(require_csrf_for_session)],
)
KIND = "segmentation"  # the job row's `format`; its `file_name` is the text's id


@router.post("/{text_id}/segmentation", status_code=202)
def start_segmentation(
    request: Request,
    text_id: str,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
    storage: StorageDep,
    options: Annotated[dict | None, Body(description="min_pause, min_segment, ...")] = None,
):
    """Propose the text's segments from its recording, in the background; poll the job."""
    text = texts.read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    if not text.get("media"):  # no recording, or parts of it hidden from this editor
        raise segmenting.NoRecording(f"text {text_id} has no recording you may segment")
    segmenting.parameters(text, options)  # a bad parameter is refused before a job starts
    job = jobs.start_once(
        session=session, engine=request.app.state.engine, dictionary=dictionary,
        user_id=viewer.user_id, kind=KIND, file_name=text_id,
        work=lambda: segmenting.segment_work(storage, dictionary.slug, text_id, options, viewer.label),
    )  # fmt: skip
    url = urls.api_text(dictionary.slug, text_id, "segmentation", job["id"])
    return JSONResponse(job, status_code=202, headers={"Location": url})


@router.get("/{text_id}/segmentation/{job_id}")
def read_segmentation(
    text_id: str, job_id: str, dictionary: DictionaryDep, session: SessionDep, viewer: EditorDep
) -> dict:
    """The segmentation job's state: status queued/running/done/failed, done/total (milliseconds
    of the recording read, then the segments made), report, error."""
    job = jobs.poll_job(session=session, dictionary=dictionary, job_id=job_id)
    if (job["format"], job["file_name"]) != (KIND, text_id):
        raise jobs.JobNotFound(f"job: no segmentation job {job_id!r} for this text")
    return job


@router.get("/{text_id}/peaks")
def text_peaks(
    text_id: str,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
    storage: StorageDep,
    per_second: Annotated[
        int, Query(description=f"buckets a second: one of {peaks.RESOLUTIONS}")
    ] = peaks.DEFAULT_RESOLUTION,
):
    """The recording's waveform: min and max of each bucket (audiowaveform's JSON)."""
    body = peaks.text_peaks(session=session, storage=storage, dictionary=dictionary,
                            viewer=viewer, text_id=text_id, per_second=per_second)  # fmt: skip
    return Response(body, media_type="application/json",
                    headers={"Cache-Control": "private, max-age=3600"})  # fmt: skip
