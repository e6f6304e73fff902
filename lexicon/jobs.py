"""Import jobs: an import run in the background whose state a page can poll.

The job row is the shared state (any worker answers a poll from the database). While the
import's own write transaction is open, SQLite cannot take a second writer, so there the
counts in the row move only at start and end; this process also keeps the live counts in
memory and `job_dict` shows them when the poll lands on the worker running the import.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, select

from lexicon.errors import NotFound, WordkeepError
from lexicon.models import Dictionary

STATUSES = ("queued", "running", "done", "failed")
PROGRESS_EVERY = 0.5  # seconds between progress writes to the job row (PostgreSQL)

# job id -> (done, total, stage), for the jobs this process is running.
_LIVE: dict[str, tuple[int, int, str]] = {}
_LIVE_LOCK = threading.Lock()
log = logging.getLogger("wordkeep.jobs")


def _now() -> datetime:
    return datetime.now(UTC)


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"

    id: str = Field(primary_key=True, max_length=36)
    dictionary_id: int = Field(foreign_key="dictionary.id", index=True, ondelete="CASCADE")
    user_id: int | None = None  # who started it; no foreign key so accounts can be removed
    format: str = ""
    file_name: str = ""
    status: str = "queued"
    stage: str = ""
    done: int = 0
    total: int = 0
    report: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = ""
    created_at: datetime = Field(default_factory=_now)
    finished_at: datetime | None = None


class JobNotFound(NotFound):
    """No import job with that id in this dictionary."""


def create_job(
    *, session: Session, dictionary: Dictionary, user_id: int | None, format: str, file_name: str
) -> ImportJob:
    """Record a queued import job (committed, so other workers can see it at once)."""
    job = ImportJob(
        id=str(uuid.uuid4()),
        dictionary_id=dictionary.id,
        user_id=user_id,
        format=format or "",
        file_name=file_name,
    )
    session.add(job)
    session.commit()
    return job


def get_job(*, session: Session, dictionary: Dictionary, job_id: str) -> ImportJob:
    """The job `job_id` of this dictionary, read fresh from the database."""
    job = session.exec(
        select(ImportJob).where(ImportJob.id == job_id, ImportJob.dictionary_id == dictionary.id)
    ).first()
    if job is None:
        raise JobNotFound(f"job: no import job {job_id!r} in this dictionary")
    session.refresh(job)
    return job


def job_dict(job: ImportJob) -> dict:
    """The JSON shape of a job; live counts from this process when it runs the import."""
    done, total, stage = job.done, job.total, job.stage
    if job.status == "running":
        with _LIVE_LOCK:
            live = _LIVE.get(job.id)
        if live and live[0] >= done:
            done, total, stage = live
    return {
        "id": job.id,
        "status": job.status,
        "stage": stage,
        "done": done,
        "total": total,
        "format": job.format,
        "file_name": job.file_name,
        "report": job.report or None,
        "error": job.error or None,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def _update(engine, job_id: str, **values) -> None:
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(ImportJob, job_id)
        if job is None:  # the dictionary was deleted meanwhile
            return
        for key, value in values.items():
            setattr(job, key, value)
        session.add(job)
        session.commit()


def _progress(engine, job_id: str) -> Callable[[int, int, str], None]:
    # On SQLite a second writer would wait for the import's lock: keep progress in memory.
    to_db = engine.dialect.name != "sqlite"
    last = [0.0]

    def tick(done: int, total: int, stage: str) -> None:
        with _LIVE_LOCK:
            _LIVE[job_id] = (done, total, stage)
        now = time.monotonic()
        if to_db and now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            _update(engine, job_id, done=done, total=total, stage=stage)

    return tick


def run_job(
    *,
    engine,
    job_id: str,
    slug: str,
    import_kwargs: dict,
    cleanup: Callable[[], None] | None = None,
) -> None:
    """Run the import of job `job_id` (all or nothing) and record its outcome in the row.

    Meant for a background thread: every failure ends up in the job, none is raised.
    """
    from lexicon import store
    from lexicon.io.importer import import_file

    try:
        _update(engine, job_id, status="running", stage="reading")
        with Session(engine, expire_on_commit=False) as session:
            dictionary = store.get_dictionary(session=session, slug=slug)
            report = import_file(
                session=session,
                dictionary=dictionary,
                progress=_progress(engine, job_id),
                **import_kwargs,
            )
        data = report.to_dict()
        _update(
            engine,
            job_id,
            status="done",
            stage="done",
            format=report.format,
            done=report.entries_read,
            total=report.entries_read,
            report=data,
            finished_at=_now(),
        )
    except WordkeepError as exc:
        errors = exc.details.get("errors") or []
        _fail(engine, job_id, exc.message, {"errors": errors} if errors else {})
    except Exception as exc:  # the thread has no caller: the job row is where it shows
        _fail(engine, job_id, f"import failed: {type(exc).__name__}: {exc}", {})
    finally:
        with _LIVE_LOCK:
            _LIVE.pop(job_id, None)
        if cleanup is not None:
            cleanup()


def _fail(engine, job_id: str, message: str, report: dict) -> None:
    try:
        _update(
            engine,
            job_id,
            status="failed",
            stage="failed",
            error=message,
            report=report,
            finished_at=_now(),
        )
    except Exception:  # the database itself is failing: the log is all that is left
        log.exception("import job %s failed (%s) and could not be marked failed", job_id, message)


def start_job(*, engine, job_id: str, slug: str, import_kwargs: dict, cleanup=None):
    """Run `run_job` in a daemon thread of this process; returns the thread."""
    thread = threading.Thread(
        target=run_job,
        kwargs={
            "engine": engine,
            "job_id": job_id,
            "slug": slug,
            "import_kwargs": import_kwargs,
            "cleanup": cleanup,
        },
        name=f"import-job-{job_id[:8]}",
        daemon=True,
    )
    thread.start()
    return thread
