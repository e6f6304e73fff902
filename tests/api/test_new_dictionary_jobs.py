"""The wizard's `create` with a file runs its import as a background job (lexicon.io.starting,
through lexicon.io.jobs): the browser goes at once to a progress page that refreshes itself
without scripts and leads to the dictionary once it exists; only its creator sees it; and a job
that fails, even half-way through the writing, leaves no dictionary, no entries, no media files
and no staged file behind."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from api.routes import new_dictionary
from lexicon.io import jobs, starting, textpack
from lexicon.media.storage import LocalStorage
from lexicon.media.sweep import check_media
from lexicon.models import Dictionary, Entry, Media, Membership, User
from tests.api.test_new_dictionary import ZIP, dictionaries, finish, form, login
from tests.conftest import make_user
from tests.lexicon.io.test_starting import lift_zip


@pytest.fixture
def creator(client, session):
    make_user(session, "admin@example.org", is_admin=True)
    return login(client, "admin@example.org")


@pytest.fixture
def staged(tmp_path, monkeypatch):
    """Where the wizard keeps checked files, empty at the start."""
    folder = tmp_path / "staged"
    monkeypatch.setattr(new_dictionary, "STAGE_DIR", folder)
    return folder


def create(client, csrf, tmp_path, slug="patani-words"):
    """The wizard's form sent once, with the Patani LIFT zip (two recordings): create."""
    return client.post(
        "/dictionaries/new",
        data=form(csrf, title="Patani words", slug=slug, action="create"),
        files={"file": ("patani.zip", lift_zip(tmp_path).read_bytes(), ZIP)},
        follow_redirects=False,
    )


def job_id(response) -> str:
    return re.fullmatch(r"/dictionaries/new/jobs/([\w-]+)", response.headers["location"])[1]


def left_in(folder) -> list:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_the_progress_page_then_the_dictionary(client, session, creator, staged, tmp_path,
                                               monkeypatch):  # fmt: skip
    started, go_on = threading.Event(), threading.Event()
    real = starting.write_import

    def held(**kwargs):  # the import waits until the page has been looked at
        started.set()
        assert go_on.wait(60)
        return real(**kwargs)

    monkeypatch.setattr(starting, "write_import", held)
    r = create(client, creator, tmp_path)
    assert r.status_code == 303  # at once: the import has not even started
    url = r.headers["location"]
    assert started.wait(30)

    job = client.get(f"/api/new-dictionary-jobs/{job_id(r)}").json()
    assert job["status"] in ("queued", "running") and job["file_name"] == "patani.zip"
    assert (job["dictionary"], job["url"]) == (None, None)
    page = client.get(url)
    assert page.status_code == 200
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', page.text)
    assert "<progress" in page.text and "new-dictionary-job.js" in page.text
    assert "patani.zip" in page.text
    assert dictionaries(session) == []  # not until its import has finished
    assert left_in(staged)  # the job reads the staged file

    go_on.set()
    job = finish(client, r)
    assert (job["status"], job["dictionary"], job["url"]) == (
        "done",
        "patani-words",
        "/d/patani-words/",
    )
    assert job["report"]["entries_read"] == 1 and job["report"]["media_added"] == 2
    page = client.get(url, follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/d/patani-words/")
    session.rollback()
    d = session.exec(select(Dictionary)).one()
    assert (
        session.exec(select(Membership.role).where(Membership.dictionary_id == d.id)).one()
        == "owner"
    )
    assert session.exec(select(Entry).where(Entry.dictionary_id == d.id)).one().has_audio
    assert session.get(jobs.ImportJob, job_id(r)).dictionary_id == d.id
    assert left_in(staged) == []  # the staged file went with the job


def test_only_its_creator_sees_the_job(app, client, session, creator, staged, tmp_path):
    r = create(client, creator, tmp_path)
    assert finish(client, r)["status"] == "done"
    url, api = r.headers["location"], f"/api/new-dictionary-jobs/{job_id(r)}"
    client.cookies.clear()
    assert client.get(api).status_code == 404
    anonymous = client.get(url, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    make_user(session, "other@example.org", is_admin=True)  # even a site admin
    login(client, "other@example.org")
    assert client.get(api).status_code == 404
    assert client.get(url).status_code == 404
    # An import job of a dictionary is not a new dictionary's job, even to its starter.
    session.rollback()
    d = session.exec(select(Dictionary)).one()
    other = session.exec(select(jobs.ImportJob.user_id).where(jobs.ImportJob.id == job_id(r))).one()
    row = jobs.create_job(
        session=session, dictionary=d, user_id=other, format="lift", file_name="x"
    )
    client.cookies.clear()
    login(client, "admin@example.org")
    assert client.get(f"/api/new-dictionary-jobs/{row.id}").status_code == 404


def media_files(settings) -> list[str]:
    return sorted(LocalStorage(settings.media_dir).keys())


def test_a_failure_half_way_through_the_writing_leaves_nothing(
    client, session, settings, creator, staged, tmp_path, monkeypatch
):
    def broken(**kwargs):  # after the media files and the entries were written
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(textpack, "write_texts", broken)
    r = create(client, creator, tmp_path)
    job = finish(client, r)
    assert job["status"] == "failed" and "the disk is full" in job["error"]
    assert job["dictionary"] is None
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert "was not created" in page.text and "the disk is full" in page.text
    assert 'href="/dictionaries/new"' in page.text and "<noscript><meta" not in page.text
    assert dictionaries(session) == []
    assert session.exec(select(Entry)).all() == [] and session.exec(select(Media)).all() == []
    assert media_files(settings) == []  # the recording and its web copy, stored, went too
    assert left_in(staged) == []
    assert session.get(jobs.ImportJob, job_id(r)).dictionary_id is None


def test_a_failure_keeps_the_same_files_another_dictionary_holds(
    client, session, settings, creator, staged, tmp_path, monkeypatch
):
    """Media are stored by content: the failed import wrote the same keys another dictionary
    names, and those stay."""
    assert finish(client, create(client, creator, tmp_path, slug="first"))["status"] == "done"
    kept = media_files(settings)
    assert kept and any(k.startswith("audio/web/") for k in kept)  # a recording, its web copy

    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(textpack, "write_texts", broken)
    assert finish(client, create(client, creator, tmp_path, slug="second"))["status"] == "failed"
    assert dictionaries(session) == ["first"]
    assert media_files(settings) == kept
    found = check_media(session=session, storage=LocalStorage(settings.media_dir))
    assert found["missing"] == [] and found["orphans"] == []


def test_a_refused_file_lists_its_problems_by_line(client, session, creator, staged, tmp_path):
    bad = "headword,gloss:en\nfine,good\n,no headword here\n"
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Bad", action="create"),
        files={"file": ("bad.csv", bad.encode(), "text/csv")},
        follow_redirects=False,
    )
    job = finish(client, r)
    assert job["status"] == "failed"
    assert [e["line"] for e in job["report"]["errors"]] == [3]
    page = client.get(r.headers["location"])
    assert "line 3:" in page.text and "data-report-errors" in page.text
    assert dictionaries(session) == [] and left_in(staged) == []


def test_a_job_whose_process_died_says_nothing_was_created(client, session, creator):
    me = session.exec(select(User.id).where(User.email == "admin@example.org")).one()
    row = jobs.create_job(session=session, dictionary=None, user_id=me,
                          format=starting.NEW_DICTIONARY, file_name="big.lift")  # fmt: skip
    row.status = "running"
    row.heartbeat_at = datetime.now(UTC) - timedelta(seconds=jobs.STALE_AFTER + 5)
    session.add(row)
    session.commit()
    job = client.get(f"/api/new-dictionary-jobs/{row.id}").json()
    assert job["status"] == "failed" and "was not created" in job["error"]
    page = client.get(f"/dictionaries/new/jobs/{row.id}")
    assert "was not created" in page.text and "<noscript><meta" not in page.text


def test_the_file_checked_is_read_once_for_what_it_says(
    client, session, creator, staged, tmp_path, monkeypatch
):
    """A check reads what the file says (its writing systems, language, alphabet) and keeps
    it beside the staged file: the create that follows goes to its job without reading the
    whole file again."""
    reads = []
    real = new_dictionary.read_findings

    def counted(path, fmt=None):
        reads.append(fmt)
        return real(path, fmt)

    monkeypatch.setattr(new_dictionary, "read_findings", counted)
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Patani words", action="check"),
        files={"file": ("patani.zip", lift_zip(tmp_path).read_bytes(), ZIP)},
    )
    assert r.status_code == 200 and 'data-found="vernacular_ws">ptn<' in r.text
    r = client.post("/dictionaries/new", data=form(creator, title="Patani words", action="check"))
    assert r.status_code == 200 and reads == [None]
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Patani words", action="create"),
        follow_redirects=False,
    )
    assert finish(client, r)["status"] == "done" and reads == [None]
    session.rollback()
    d = session.exec(select(Dictionary)).one()
    assert (d.slug, d.language_code, d.vernacular_ws, d.analysis_ws) == (
        "patani-words", "ptn", ["ptn"], ["fr"],
    )  # fmt: skip


def test_one_short_name_asked_twice_at_once_makes_one_dictionary(
    client, session, db_kind, creator, staged, tmp_path, monkeypatch
):
    """PostgreSQL: two creations of one short name pass the form's check together (neither
    dictionary is committed yet); the second waits on the first at the unique index, then fails
    as a taken name. (SQLite: the first holds the one write lock, so the second only ever sees
    the name taken.)"""
    if db_kind != "postgresql":
        pytest.skip("the race needs two writers at once")
    first_in, go_on = threading.Event(), threading.Event()
    real = starting.write_import

    def first_held(**kwargs):
        if not first_in.is_set():
            first_in.set()
            assert go_on.wait(60)
        return real(**kwargs)

    monkeypatch.setattr(starting, "write_import", first_held)
    a = create(client, creator, tmp_path)
    assert first_in.wait(30)
    b = create(client, creator, tmp_path)
    assert b.status_code == 303  # the name looks free: the first is not committed
    time.sleep(0.5)  # the second job reaches its insert and waits there
    go_on.set()
    assert finish(client, a)["status"] == "done"
    second = finish(client, b)
    assert second["status"] == "failed" and "exists already" in second["error"]
    assert dictionaries(session) == ["patani-words"]
