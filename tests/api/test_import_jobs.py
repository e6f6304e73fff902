"""Import jobs (start, poll, report, failure) through the real app, and the keepers' import page
in Chromium, with and without its script."""

from __future__ import annotations

import queue
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from lexicon.io import jobs
from tests.conftest import make_user

FIX = Path(__file__).parents[1] / "fixtures"
SENA = FIX / "lift-sena" / "Sena.lift"
BIATAH = FIX / "lift-biatah" / "biatah.lift"
WORKER = Path(__file__).parents[1] / "import_job_worker.py"
JOBS = "/api/dictionaries/demo/import-jobs"
AXE = Path(__file__).parents[1] / "vendor" / "axe.min.js"
SERIOUS = ("serious", "critical")
PRE_013 = (
    '<?xml version="1.0"?>\n<lift version="0.12"><entry id="a"><lexical-unit>'
    '<form lang="seh"><text>a</text></form></lexical-unit></entry></lift>\n'
)


def _start(client, headers, name: str, content: bytes, **form):
    return client.post(JOBS, headers=headers, files={"file": (name, content)}, data=form)


def _wait(client, headers, url: str) -> dict:
    """Poll like the page does until the job ends (the deadline only guards against a hang)."""
    deadline = time.monotonic() + 120
    while True:
        res = client.get(url, headers=headers)
        assert res.status_code == 200, res.text
        job = res.json()
        assert job["status"] in ("queued", "running", "done", "failed")
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job still {job['status']}: {job}"
        time.sleep(0.05)


def _total(client, headers) -> int:
    return client.get("/api/dictionaries/demo/entries", headers=headers).json()["total"]


def test_job_lifecycle_and_any_worker_answers_the_poll(
    client, owner, dictionary, settings, engine, tmp_path, monkeypatch
):
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    res = _start(client, owner.headers, "Sena.lift", SENA.read_bytes(), format="lift")
    assert res.status_code == 202, res.text
    job = res.json()
    assert job["status"] == "queued" and job["file_name"] == "Sena.lift" and job["report"] is None
    assert res.headers["location"] == f"{JOBS}/{job['id']}"
    done = _wait(client, owner.headers, res.headers["location"])
    assert done["status"] == "done", done
    assert done["error"] is None and done["finished_at"] and done["format"] == "lift"
    report = done["report"]
    assert report["format"] == "lift" and report["created"] == 18 and not report["dry_run"]
    assert done["done"] == done["total"] == 18
    assert _total(client, owner.headers) == 18
    assert list(spool.iterdir()) == []  # the uploaded file is gone once the job ended
    # Another worker (a second app on the same database) answers from the job row.
    with TestClient(create_app(settings, engine=engine)) as other:
        again = other.get(f"{JOBS}/{job['id']}", headers=owner.headers).json()
    assert again["status"] == "done" and again["report"] == report


def test_failing_imports_mark_the_job_failed_and_write_nothing(client, owner, dictionary):
    bad_csv = b"headword,gloss_en\nnyumba,house\n,nothing here\nmbuzi,goat\n"
    res = _start(client, owner.headers, "words.csv", bad_csv)
    assert res.status_code == 202, res.text
    job = _wait(client, owner.headers, res.headers["location"])
    assert job["status"] == "failed"
    assert "words.csv" in job["error"] and "line 3: no headword" in job["error"]
    assert job["report"]["errors"] == [{"file": "words.csv", "line": 3, "message": "no headword"}]
    res = _start(client, owner.headers, "old.lift", PRE_013.encode())
    job = _wait(client, owner.headers, res.headers["location"])
    assert job["status"] == "failed" and "0.12 is older than 0.13" in job["error"]
    assert _total(client, owner.headers) == 0


def test_jobs_are_for_editors_of_that_dictionary(client, session, owner, dictionary):
    contributor = make_user(session, "c@example.org", "contributor", dictionary)
    res = _start(client, contributor.headers, "Sena.lift", SENA.read_bytes())
    assert res.status_code == 403
    assert _start(client, {}, "Sena.lift", SENA.read_bytes()).status_code in (401, 403)
    res = _start(client, owner.headers, "biatah.lift", BIATAH.read_bytes())
    url = res.headers["location"]
    assert res.json()["format"] == ""  # guessed from the file by the import
    finished = _wait(client, owner.headers, url)
    assert (finished["status"], finished["format"]) == ("done", "lift")
    assert client.get(url, headers=contributor.headers).status_code == 403
    editor = make_user(session, "e@example.org", "editor", dictionary)
    assert client.get(url, headers=editor.headers).json()["status"] == "done"
    assert client.get(f"{JOBS}/no-such-job", headers=owner.headers).status_code == 404


def test_unknown_format_is_refused_before_a_job_starts(client, owner, dictionary):
    res = _start(client, owner.headers, "x.lift", b"<lift/>", format="docx")
    assert res.status_code == 422


# ---------------------------------------------------------------- the page in Chromium


def _keeper(browser, live_server, *, javascript=True):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/login?next=/d/demo/edit/import")
    page.fill("#email", "owner@example.org")
    page.fill("#password", "password-123")
    page.click("form.login button[type=submit], form.login input[type=submit]")
    page.wait_for_url(f"{live_server.url}/d/demo/edit/import")
    return page


def _count(page, key: str) -> str:
    return page.inner_text(f"[data-report] [data-count={key}]").strip()


def test_page_dry_run_then_import_with_progress(browser, live_server, client, owner, dictionary):
    page = _keeper(browser, live_server)
    page.set_input_files("#f-file", str(BIATAH))
    page.click("[data-dry-run]")  # a plain post: the server renders the report
    page.wait_for_selector("[data-report]:not([hidden])")
    assert _count(page, "entries_read") == "11" and _count(page, "created") == "11"
    assert "Dry run finished" in page.inner_text("[data-status]")
    assert _total(client, owner.headers) == 0

    page.set_input_files("#f-file", str(BIATAH))
    page.select_option("#f-format", "lift")
    page.click("[data-start-import]")  # the script: a job, polled, with a progress bar
    page.wait_for_selector("[data-progress-box]:not([hidden])")
    page.wait_for_function(
        "document.querySelector('[data-status]').textContent.includes('Import finished')",
        timeout=60000,
    )
    assert page.url.endswith("/d/demo/edit/import")  # no page load: the script did it
    progress = page.locator("[data-progress]")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "1"
    assert _count(page, "created") == "11" and _count(page, "entries_read") == "11"
    assert page.locator("[data-error]").is_hidden()
    assert _total(client, owner.headers) == 11
    page.add_script_tag(path=str(AXE))  # the page with its report shown
    result = page.evaluate(
        "async () => { const r = await axe.run(document);"
        " return {violations: r.violations, passes: r.passes.map((p) => p.id)}; }"
    )
    assert {"label", "button-name"} <= set(result["passes"])  # axe really ran
    bad = [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in SERIOUS]
    assert bad == []


def test_page_without_script_imports_and_shows_problems(
    browser, live_server, client, owner, dictionary, tmp_path
):
    page = _keeper(browser, live_server, javascript=False)
    bad = tmp_path / "words.csv"
    bad.write_text("headword,gloss_en\nnyumba,house\n,nothing here\n", encoding="utf-8")
    page.set_input_files("#f-file", str(bad))
    page.click("[data-start-import]")
    page.wait_for_selector("[data-error]:not([hidden])")
    assert "line 3: no headword" in page.inner_text("[data-error]")
    assert _total(client, owner.headers) == 0
    page.set_input_files("#f-file", str(BIATAH))
    page.click("[data-start-import]")
    page.wait_for_selector("[data-report]:not([hidden])")
    assert "Import finished" in page.inner_text("[data-status]")
    assert _count(page, "created") == "11"
    assert _total(client, owner.headers) == 11


def test_page_is_for_editors(client, session, dictionary):
    contributor = make_user(session, "c@example.org", "contributor", dictionary)
    assert client.get("/d/demo/edit/import", headers=contributor.headers).status_code == 403
    editor = make_user(session, "e@example.org", "editor", dictionary)
    res = client.get("/d/demo/edit/import", headers=editor.headers)
    assert res.status_code == 200 and 'name="file"' in res.text


def _poll_until(client, headers, url: str, check) -> dict:
    """Poll until `check(job)` holds (the deadline only guards against a hang)."""
    deadline = time.monotonic() + 120
    while True:
        job = client.get(url, headers=headers).json()
        if check(job):
            return job
        assert job["status"] in ("queued", "running"), job
        assert time.monotonic() < deadline, f"never reached: {job}"
        time.sleep(0.02)


def _worker(database_url: str, job_id: str, gate: Path) -> subprocess.Popen:
    """The import of Sena (18 entries, batches of 5) run by another process, as by another
    server worker; it waits at gate/go-n before writing batch n."""
    return subprocess.Popen(
        [sys.executable, str(WORKER), database_url, "demo", job_id, str(SENA), str(gate)],
        cwd=Path(__file__).parents[2],
    )


def _queued(session, dictionary) -> str:
    job = jobs.create_job(
        session=session, dictionary=dictionary, user_id=None, format="lift", file_name="Sena.lift"
    )
    return job.id


def test_published_progress_means_running_even_if_the_row_was_read_just_before(
    engine, session, dictionary
):
    """A poll reads the job's row, then its progress. On SQLite the progress is a file the
    importing process writes only after it recorded the job running; a row read a moment
    before that commit still says queued, and the poll answers running with the counts. On
    PostgreSQL the progress is in the row, read with its status at once."""
    job_id = _queued(session, dictionary)
    pulse = jobs._Pulse(engine, job_id)  # the row stays queued: the race, held still
    pulse.tick(5, 18, "writing")
    pulse.start()
    pulse.stop()
    session.commit()
    job = jobs.poll_job(session=session, dictionary=dictionary, job_id=job_id)
    assert (job["done"], job["total"], job["stage"]) == (5, 18, "writing")
    assert job["status"] == ("running" if engine.dialect.name == "sqlite" else "queued")
    jobs._forget_live(engine, job_id)


def test_progress_of_another_process_reaches_the_poll(
    client, session, owner, dictionary, database_url, tmp_path
):
    """While another process imports (holding SQLite's only write lock between batches), this
    worker's poll sees the counts move, and nothing is visible before the end."""
    job_id = _queued(session, dictionary)
    url = f"{JOBS}/{job_id}"
    worker = _worker(database_url, job_id, tmp_path)
    try:
        for batch in (1, 2, 3):
            job = _poll_until(client, owner.headers, url, lambda j, n=batch: j["done"] >= 5 * n)
            assert (job["status"], job["stage"]) == ("running", "writing"), job
            assert (job["done"], job["total"]) == (5 * batch, 18)
            assert _total(client, owner.headers) == 0  # all or nothing: not committed yet
            (tmp_path / f"go-{batch + 1}").touch()
        job = _poll_until(client, owner.headers, url, lambda j: j["status"] == "done")
        assert job["report"]["created"] == 18 and job["done"] == job["total"] == 18
        assert worker.wait(timeout=120) == 0
    finally:
        worker.kill()
        worker.wait()
    assert _total(client, owner.headers) == 18
    assert not list((tmp_path / "wordkeep.db-jobs").glob("*.json"))  # SQLite: progress cleared


def test_a_job_whose_process_died_is_failed_and_can_run_again(
    client, session, owner, dictionary, database_url, engine, tmp_path, monkeypatch
):
    # The worker beats every 0.1 s; 8 s leaves room for a worker process that takes a few
    # seconds to start on a loaded machine (its job is still queued until then).
    monkeypatch.setattr(jobs, "STALE_AFTER", 8.0)
    job_id = _queued(session, dictionary)
    url = f"{JOBS}/{job_id}"
    worker = _worker(database_url, job_id, tmp_path)
    try:
        job = _poll_until(client, owner.headers, url, lambda j: j["done"] >= 5)
        assert job["status"] == "running" and job["heartbeat_at"]  # beating: alive
    finally:
        worker.kill()  # SIGKILL, inside the import's open write transaction
        worker.wait()
    job = _poll_until(client, owner.headers, url, lambda j: j["status"] == "failed")
    assert job["error"] == jobs.INTERRUPTED and job["finished_at"] and job["stage"] == "failed"
    assert "Nothing was written" in job["error"] and "run again" in job["error"]
    with Session(engine) as fresh:  # marked in the row, not only answered so
        row = fresh.get(jobs.ImportJob, job_id)
        assert (row.status, row.error) == ("failed", jobs.INTERRUPTED)
    assert client.get(url, headers=owner.headers).json()["status"] == "failed"
    assert _total(client, owner.headers) == 0
    res = _start(client, owner.headers, "Sena.lift", SENA.read_bytes(), format="lift")
    again = _wait(client, owner.headers, res.headers["location"])
    assert again["status"] == "done" and again["report"]["created"] == 18
    assert _total(client, owner.headers) == 18


def test_stale_jobs_are_failed_live_ones_and_finished_ones_kept(session, engine, dictionary):
    def poll(job_id: str) -> dict:
        with Session(engine) as other:
            return jobs.poll_job(session=other, dictionary=dictionary, job_id=job_id)

    long_ago = datetime.now(UTC) - timedelta(seconds=2 * jobs.STALE_AFTER)
    queued, running, done, fresh = (_queued(session, dictionary) for _ in range(4))
    jobs._update(engine, queued, heartbeat_at=long_ago, created_at=long_ago)
    jobs._update(engine, running, status="running", heartbeat_at=long_ago)
    jobs._update(engine, done, status="done", stage="done", heartbeat_at=long_ago)
    jobs._update(engine, fresh, status="running")
    for job_id in (queued, running):
        job = poll(job_id)
        assert (job["status"], job["error"]) == ("failed", jobs.INTERRUPTED)
        with Session(engine) as other:
            assert other.get(jobs.ImportJob, job_id).status == "failed"
    assert poll(done)["status"] == "done" and poll(done)["error"] is None
    assert poll(fresh)["status"] == "running"


def test_a_poll_does_not_wait_for_another_imports_lock(session, engine, dictionary, db_kind):
    """SQLite: while another import holds the write lock, a dead job is answered failed at
    once and marked by a later poll."""
    if db_kind != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database")
    job_id = _queued(session, dictionary)
    long_ago = datetime.now(UTC) - timedelta(seconds=2 * jobs.STALE_AFTER)
    jobs._update(engine, job_id, status="running", heartbeat_at=long_ago)
    with engine.connect() as writer:
        writer.execution_options(wordkeep_write=True).exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE
        with Session(engine) as other:
            job = jobs.poll_job(session=other, dictionary=dictionary, job_id=job_id)
        assert (job["status"], job["error"]) == ("failed", jobs.INTERRUPTED)
        with Session(engine) as other:
            assert other.get(jobs.ImportJob, job_id).status == "running"  # not marked yet
        writer.rollback()
    with Session(engine) as other:
        assert jobs.poll_job(session=other, dictionary=dictionary, job_id=job_id)["status"] == (
            "failed"
        )
    with Session(engine) as other:
        assert other.get(jobs.ImportJob, job_id).status == "failed"


def test_progress_channel(session, engine, dictionary, db_kind):
    """PostgreSQL: counts and heartbeat go to the job row. SQLite: to a file beside the
    database, so the row (and the write lock) is never needed while the import writes."""
    job_id = _queued(session, dictionary)
    jobs._update(engine, job_id, status="running")
    pulse = jobs._Pulse(engine, job_id)
    pulse.start()
    try:
        pulse.tick(500, 1200, "writing")
        deadline = time.monotonic() + 60
        while True:
            with Session(engine) as other:
                shown = jobs.poll_job(session=other, dictionary=dictionary, job_id=job_id)
                row = other.get(jobs.ImportJob, job_id)
            if shown["done"] == 500:
                break
            assert time.monotonic() < deadline, shown
            time.sleep(0.02)
    finally:
        pulse.stop()
    assert (shown["done"], shown["total"], shown["stage"]) == (500, 1200, "writing")
    live = engine.dialect.name == "sqlite"
    assert (row.done, row.total) == ((0, 0) if live else (500, 1200))
    assert (jobs._live_file(engine, job_id) is not None) == live
    if live:
        assert jobs._live_file(engine, job_id).parent == Path(
            engine.url.database
        ).resolve().with_name("wordkeep.db-jobs")
    jobs._forget_live(engine, job_id)


def test_other_work_runs_through_the_same_jobs(session, engine, dictionary):
    """`jobs.start` runs any work with progress as a job: polled, reported and failed like an
    import (the entry point for segmenting and alignment)."""
    job_id = _queued(session, dictionary)
    events: queue.Queue = queue.Queue()

    def work(_session, progress):
        progress(1, 2, "segmenting")
        progress(2, 2, "segmenting")
        return {"done": 2, "total": 2, "report": {"segments": 2}}

    jobs.start(engine=engine, job_id=job_id, kind="segment", work=work, events=events).join()
    seen = list(iter(events.get_nowait, None))
    assert seen == [
        {"stage": "segmenting", "done": 1, "total": 2},
        {"stage": "segmenting", "done": 2, "total": 2},
        {"report": {"segments": 2}},
    ]
    session.expire_all()
    job = jobs.poll_job(session=session, dictionary=dictionary, job_id=job_id)
    assert (job["status"], job["done"], job["report"]) == ("done", 2, {"segments": 2})

    def broken(_session, progress):
        raise ValueError("no text")

    failing = _queued(session, dictionary)
    events = queue.Queue()
    jobs.start(engine=engine, job_id=failing, kind="segment", work=broken, events=events).join()
    [outcome] = list(iter(events.get_nowait, None))
    assert isinstance(outcome["exception"], ValueError)
    session.expire_all()
    job = jobs.poll_job(session=session, dictionary=dictionary, job_id=failing)
    assert job["status"] == "failed" and job["error"] == "segment failed: ValueError: no text"
