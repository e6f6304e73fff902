"""Import jobs (start, poll, report, failure) through the real app, and the keepers' import page
in Chromium, with and without its script."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from lexicon import jobs
from tests.conftest import make_user

FIX = Path(__file__).parent / "fixtures"
SENA = FIX / "lift-sena" / "Sena.lift"
BIATAH = FIX / "lift-biatah" / "biatah.lift"
JOBS = "/api/dictionaries/demo/import-jobs"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
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


def test_progress_reaches_pollers(session, engine, dictionary):
    """PostgreSQL: the counts go to the job row; SQLite (whose lock the import holds): to this
    process's memory, shown while the job runs."""
    job = jobs.create_job(
        session=session, dictionary=dictionary, user_id=None, format="lift", file_name="a.lift"
    )
    jobs._update(engine, job.id, status="running")
    jobs._progress(engine, job.id)(500, 1200, "writing")
    with Session(engine) as other:
        row = jobs.get_job(session=other, dictionary=dictionary, job_id=job.id)
        shown = jobs.job_dict(row)
    assert (shown["done"], shown["total"], shown["stage"]) == (500, 1200, "writing")
    assert (row.done, row.total) == ((0, 0) if engine.dialect.name == "sqlite" else (500, 1200))
    jobs._LIVE.pop(job.id, None)
