"""Background jobs: work run in a thread whose state a page can poll from any worker. Imports
are the one kind so far (`start_job`); other work starts through `start(kind=..., work=...)`.

The job row holds the status, report and error. While a job runs, its progress and heartbeat
go where every worker can read them without waiting for the import's write lock:

- PostgreSQL: the job row itself (the import's transaction never touches it), updated by a
  heartbeat thread at most every `PUBLISH_EVERY` seconds while counts move and at least every
  `BEAT_EVERY` seconds while they do not.
- SQLite: the import holds the database's only write lock for its whole write stage, so the
  same thread writes a small file per job beside the database (`<db>-jobs/<id>.json`,
  replaced atomically). SQLite is one host by nature, and its directory is writable (the WAL
  lives there), so every worker can read it.

A queued or running job whose last heartbeat is older than `STALE_AFTER` lost its process
(killed, restarted): a poll reports it failed, with a message that nothing was written (imports
are one transaction) and that it can be run again, and marks the row so.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import JSON, Column, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Field, Session, SQLModel, select

from lexicon.db.engine import without_waiting
from lexicon.entries.read import get_dictionary
from lexicon.errors import NotFound, WordkeepError
from lexicon.io.importer import import_file
from lexicon.models import Dictionary

STATUSES = ("queued", "running", "done", "failed")
ACTIVE = ("queued", "running")
PUBLISH_EVERY = 0.25  # seconds: at most this often a running job's counts are published
BEAT_EVERY = 2.0  # seconds: a running job's heartbeat, even while its counts stand still
STALE_AFTER = 60.0  # seconds without a heartbeat after which a job's process is taken as dead
INTERRUPTED = (
    "The import was interrupted: the server process running it stopped. Nothing was written "
    "(an import is all or nothing), so it can be run again."
)
# Other kinds of work (the job row's `format`) say what was interrupted in their own words.
INTERRUPTED_KIND = {
    "segmentation": "The segmentation was interrupted: the server process running it stopped. "
    "The text was not changed (its segments are saved all at once, at the end), so it can be "
    "run again.",
    "alignment": "The alignment was interrupted: the server process running it stopped. The "
    "text was not changed (its word times are saved all at once, at the end), so it can be "
    "run again.",
    "new-dictionary": "The new dictionary was not created: the server process importing its "
    "file stopped. Nothing was written (the dictionary and its entries are one transaction), so "
    "it can be created again.",
}
log = logging.getLogger("wordkeep.jobs")


def _now() -> datetime:
    return datetime.now(UTC)


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"

    id: str = Field(primary_key=True, max_length=36)
    # None while a job that creates its dictionary runs (lexicon.io.starting), and if it failed
    dictionary_id: int | None = Field(
        default=None, foreign_key="dictionary.id", index=True, ondelete="CASCADE"
    )
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
    heartbeat_at: datetime | None = None  # last sign of life of the process running it


class JobNotFound(NotFound):
    """No import job with that id in this dictionary."""


def create_job(
    *, session: Session, dictionary: Dictionary | None, user_id: int | None, format: str,
    file_name: str,
) -> ImportJob:  # fmt: skip
    """Record a queued import job (committed, so other workers can see it at once); without a
    dictionary for work that creates its own (lexicon.io.starting)."""
    now = _now()
    job = ImportJob(
        id=str(uuid.uuid4()),
        dictionary_id=dictionary.id if dictionary is not None else None,
        user_id=user_id,
        format=format or "",
        file_name=file_name,
        created_at=now,
        heartbeat_at=now,
    )
    session.add(job)
    session.commit()
    return job


def get_job(*, session: Session, dictionary: Dictionary, job_id: str) -> ImportJob:
    """The job row `job_id` of this dictionary, read fresh from the database."""
    job = session.exec(
        select(ImportJob).where(ImportJob.id == job_id, ImportJob.dictionary_id == dictionary.id)
    ).first()
    if job is None:
        raise JobNotFound(f"job: no import job {job_id!r} in this dictionary")
    session.refresh(job)
    return job


def poll_job(*, session: Session, dictionary: Dictionary, job_id: str) -> dict:
    """What a poll answers: the job with its live progress; a job whose process died is
    reported (and marked) failed."""
    job = get_job(session=session, dictionary=dictionary, job_id=job_id)
    return poll_row(session=session, job=job)


def poll_row(*, session: Session, job: ImportJob) -> dict:
    """`poll_job` for a job row already found (and so already checked)."""
    data = job_dict(job)
    if job.status not in ACTIVE:
        return data
    engine = session.get_bind()
    beat = _aware(job.heartbeat_at or job.created_at)
    live = _read_live(engine, job.id)
    if live:
        # Published only after the job's process recorded it running; a row read a moment
        # before that commit would still say queued.
        data.update(status="running", done=live["done"], total=live["total"],
                    stage=live["stage"])  # fmt: skip
        beat = max(beat, datetime.fromtimestamp(live["beat"], UTC))
    data["heartbeat_at"] = beat.isoformat()
    if _now() - beat <= timedelta(seconds=STALE_AFTER):
        return data
    finished = _now()
    message = INTERRUPTED_KIND.get(job.format, INTERRUPTED)
    _mark_interrupted(engine, job.id, job.heartbeat_at, finished, message)
    with Session(engine) as fresh:  # the job may have ended meanwhile: its own word counts
        row = fresh.get(ImportJob, job.id)
        if row is not None and row.status not in ACTIVE:
            return job_dict(row)
    data.update(status="failed", stage="failed", error=message, finished_at=finished.isoformat())
    return data


def job_dict(job: ImportJob) -> dict:
    """The JSON shape of a job row."""
    return {
        "id": job.id,
        "status": job.status,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "format": job.format,
        "file_name": job.file_name,
        "report": job.report or None,
        "error": job.error or None,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "heartbeat_at": job.heartbeat_at.isoformat() if job.heartbeat_at else None,
    }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _update(engine, job_id: str, **values) -> None:
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(ImportJob, job_id)
        if job is None:  # the dictionary was deleted meanwhile
            return
        for key, value in values.items():
            setattr(job, key, value)
        session.add(job)
        session.commit()


def _mark_interrupted(
    engine, job_id: str, seen: datetime | None, when: datetime, message: str = INTERRUPTED
) -> None:
    """Mark a silent job failed, unless it beat meanwhile. On SQLite this does not wait for
    the write lock (a poll must not hang behind another import): a later poll marks it."""
    table = ImportJob.__table__
    beat = table.c.heartbeat_at
    stmt = (
        update(table)
        .where(table.c.id == job_id, table.c.status.in_(ACTIVE))
        .where(beat == seen if seen is not None else beat.is_(None))
        .values(status="failed", stage="failed", error=message, finished_at=when)
    )
    try:
        with without_waiting(engine) as conn:
            conn.execute(stmt)
            conn.commit()
    except OperationalError:  # SQLite busy: reported failed now, marked by a later poll
        return
    _forget_live(engine, job_id)


# ---------------------------------------------------------------- live progress


def _live_dir(engine) -> Path | None:
    """Where SQLite jobs publish progress: beside the database file (None: PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:":  # one process only: a private folder will do
        return Path(tempfile.gettempdir()) / f"wordkeep-jobs-{os.getpid()}"
    db = Path(database).resolve()
    return db.with_name(db.name + "-jobs")


def _live_file(engine, job_id: str) -> Path | None:
    folder = _live_dir(engine)
    return folder / f"{uuid.UUID(job_id)}.json" if folder else None  # a uuid: no path tricks


def _read_live(engine, job_id: str) -> dict | None:
    path = _live_file(engine, job_id)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        return {k: data[k] for k in ("done", "total", "stage", "beat")}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _forget_live(engine, job_id: str) -> None:
    path = _live_file(engine, job_id)
    if path is not None:
        path.unlink(missing_ok=True)


class _Pulse:
    """A running job's progress and heartbeat, published by a thread of its own so the import
    never waits on it."""

    def __init__(self, engine, job_id: str):
        self.engine, self.job_id = engine, job_id
        self.path = _live_file(engine, job_id)
        self._state = (0, 0, "reading")
        self._lock = threading.Lock()
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"import-beat-{job_id[:8]}", daemon=True
        )

    def tick(self, done: int, total: int, stage: str) -> None:
        """The import's progress callback."""
        with self._lock:
            self._state = (done, total, stage)
        self._wake.set()

    def start(self) -> None:
        self._publish()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while True:
            self._wake.wait(BEAT_EVERY)
            self._wake.clear()
            if self._stop.is_set():
                return
            self._publish()
            if self._stop.wait(PUBLISH_EVERY):
                return

    def _publish(self) -> None:
        with self._lock:
            done, total, stage = self._state
        try:
            if self.path is None:
                _update(
                    self.engine, self.job_id, done=done, total=total, stage=stage,
                    heartbeat_at=_now(),
                )  # fmt: skip
            else:
                self._write_file(
                    {"done": done, "total": total, "stage": stage, "beat": time.time()}
                )
        except (OSError, SQLAlchemyError) as exc:  # the import goes on; the next beat retries
            log.warning("import job %s: progress not published: %s", self.job_id, exc)

    def _write_file(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), "utf-8")
        os.replace(tmp, self.path)  # readers see the old file or the new one, never half


# ---------------------------------------------------------------- running

Progress = Callable[[int, int, str], None]
Work = Callable[[Session, Progress], dict]
"""A job's work: run in a session of its own, it calls `progress(done, total, stage)` and
returns the values its job row ends with: `report`, and `format`, `done`, `total` if known."""


def import_work(slug: str, import_kwargs: dict) -> Work:
    """The work of an import job: `import_file` into dictionary `slug` (all or nothing)."""

    def work(session: Session, progress: Progress) -> dict:
        dictionary = get_dictionary(session=session, slug=slug)
        report = import_file(
            session=session, dictionary=dictionary, progress=progress, **import_kwargs
        )
        read = report.entries_read
        return {"format": report.format, "done": read, "total": read, "report": report.to_dict()}

    return work


def run_work(
    *,
    engine,
    job_id: str,
    work: Work,
    kind: str = "import",
    cleanup: Callable[[], None] | None = None,
    events: queue.Queue | None = None,
) -> None:
    """Run `work` as job `job_id` and record its outcome (status, report or error) in the row.

    Meant for a background thread: every failure ends up in the job, none is raised. `events`
    (for a caller in this process that streams the job) receives each progress step as
    `{"stage", "done", "total"}`, then `{"report": ...}` or `{"exception": exc}`, then None.
    """
    pulse = _Pulse(engine, job_id)
    outcome: dict = {"exception": RuntimeError(f"{kind} job {job_id} ended without an outcome")}

    def progress(done: int, total: int, stage: str) -> None:
        pulse.tick(done, total, stage)
        if events is not None:
            events.put({"stage": stage, "done": done, "total": total})

    try:
        _update(engine, job_id, status="running", stage="reading", heartbeat_at=_now())
        pulse.start()
        with Session(engine, expire_on_commit=False) as session:
            final = work(session, progress)
        pulse.stop()  # no late beat may overwrite the final counts
        _update(
            engine, job_id, status="done", stage="done", finished_at=_now(), heartbeat_at=_now(),
            **final,
        )  # fmt: skip
        outcome = {"report": final.get("report")}
    except WordkeepError as exc:
        pulse.stop()
        errors = exc.details.get("errors") or []
        _fail(engine, job_id, exc.message, {"errors": errors} if errors else {})
        outcome = {"exception": exc}
    except Exception as exc:  # the thread has no caller: the job row is where it shows
        pulse.stop()
        _fail(engine, job_id, f"{kind} failed: {type(exc).__name__}: {exc}", {})
        outcome = {"exception": exc}
    finally:
        pulse.stop()
        try:
            _forget_live(engine, job_id)
        except OSError as exc:
            log.warning("%s job %s: progress file left behind: %s", kind, job_id, exc)
        if cleanup is not None:
            cleanup()
        if events is not None:
            events.put(outcome)
            events.put(None)


def run_job(
    *,
    engine,
    job_id: str,
    slug: str,
    import_kwargs: dict,
    cleanup: Callable[[], None] | None = None,
) -> None:
    """Run the import of job `job_id` (all or nothing) and record its outcome in the row."""
    run_work(engine=engine, job_id=job_id, work=import_work(slug, import_kwargs), cleanup=cleanup)


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
            heartbeat_at=_now(),
        )
    except Exception:  # the database itself is failing: the log is all that is left
        log.exception("job %s failed (%s) and could not be marked failed", job_id, message)


def start(
    *,
    engine,
    job_id: str,
    kind: str,
    work: Work,
    cleanup: Callable[[], None] | None = None,
    events: queue.Queue | None = None,
) -> threading.Thread:
    """Run `work` as job `job_id` (see `run_work`) in a daemon thread of this process: the one
    way to start background work (imports now; segmenting, alignment next)."""
    thread = threading.Thread(
        target=run_work,
        kwargs={
            "engine": engine,
            "job_id": job_id,
            "work": work,
            "kind": kind,
            "cleanup": cleanup,
            "events": events,
        },  # fmt: skip
        name=f"{kind}-job-{job_id[:8]}",
        daemon=True,
    )
    thread.start()
    return thread


def start_once(
    *, session: Session, engine, dictionary: Dictionary, user_id: int | None, kind: str,
    file_name: str, work: Callable[[], Work],
) -> dict:  # fmt: skip
    """The `kind` job on `file_name` (a text's id, say) still running, else a new one running
    `work()`: asking twice while it runs answers the same job. A job whose process died is
    marked failed and does not count."""
    running = session.exec(
        select(ImportJob.id).where(
            ImportJob.dictionary_id == dictionary.id, ImportJob.format == kind,
            ImportJob.file_name == file_name, ImportJob.status.in_(ACTIVE),
        )
    ).all()  # fmt: skip
    for job_id in running:
        job = poll_job(session=session, dictionary=dictionary, job_id=job_id)
        if job["status"] in ACTIVE:
            return job
    session.rollback()  # SQLite: a poll may just have marked a dead job; read afresh
    row = create_job(session=session, dictionary=dictionary, user_id=user_id, format=kind,
                     file_name=file_name)  # fmt: skip
    start(engine=engine, job_id=row.id, kind=kind, work=work())
    return job_dict(row)


def start_job(
    *,
    engine,
    job_id: str,
    slug: str,
    import_kwargs: dict,
    cleanup: Callable[[], None] | None = None,
    events: queue.Queue | None = None,
) -> threading.Thread:
    """Start the import of job `job_id` in a daemon thread of this process; returns the thread."""
    return start(
        engine=engine, job_id=job_id, kind="import", work=import_work(slug, import_kwargs),
        cleanup=cleanup, events=events,
    )  # fmt: skip
