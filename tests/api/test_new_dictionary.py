"""A new dictionary from the browser (issue #18): the language lookup API, the wizard page as
plain form posts (with and without a file), who may create, and nothing half-made."""

from __future__ import annotations

import re
import shutil
import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from api.app import create_app
from api.routes import new_dictionary
from lexicon.models import Dictionary, Entry, Membership
from tests.conftest import make_user
from tests.lexicon.io.test_starting import PATANI, lift_zip

PASSWORD = "password-123"
ZIP = "application/zip"


def login(client, email: str) -> str:
    """Log in through the real form; returns this session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)


def form(csrf: str, **fields) -> dict:
    base = {
        "csrf_token": csrf,
        "title": "",
        "slug": "",
        "language_name": "",
        "language_code": "",
        "glottocode": "",
        "vernacular_ws": "",
        "analysis_ws": "en",
        "licence": "CC BY-SA 4.0",
        "visibility": "public",
        "letters": "",
    }
    return {**base, **fields}


def field(html: str, name: str) -> str:
    if name == "letters":
        return re.search(r'<textarea id="f-letters" name="letters"[^>]*>([^<]*)<', html).group(1)
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


@pytest.fixture
def creator(client, session):
    make_user(session, "admin@example.org", is_admin=True)
    return login(client, "admin@example.org")


def finish(client, response) -> dict:
    """Follow a `create` with a file to its job's progress page and poll the job (as the page's
    script does) until it ends; the job as JSON."""
    assert response.status_code == 303, response.text
    job_id = re.fullmatch(r"/dictionaries/new/jobs/([\w-]+)", response.headers["location"])[1]
    deadline = time.monotonic() + 120
    while True:
        job = client.get(f"/api/new-dictionary-jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job still {job['status']}"
        time.sleep(0.05)


def dictionaries(session) -> list[str]:
    session.rollback()  # a new read transaction: see what the app committed
    return [d.slug for d in session.exec(select(Dictionary))]


# ---------------------------------------------------------------- the language lookup


def test_language_lookup(client):
    r = client.get("/api/languages", params={"q": "sena"})
    assert r.status_code == 200
    first = r.json()["items"][0]
    assert (first["code"], first["name"], first["cldr"]) == ("seh", "Sena", True)
    assert client.get("/api/languages", params={"q": "patani"}).json()["items"][0]["code"] == "ptn"
    assert client.get("/api/languages", params={"q": ""}).json() == {"items": []}


def test_language_with_its_cldr_alphabet(client):
    spanish = client.get("/api/languages/spa").json()
    assert spanish["tag"] == "es"
    assert "ñ" in spanish["alphabet"] and "é" not in spanish["alphabet"]
    assert client.get("/api/languages/ptn").json()["alphabet"] is None
    assert client.get("/api/languages/zzz").status_code == 422


# ---------------------------------------------------------------- who may create


def test_site_admins_only_by_default(client, session, creator):
    assert "/dictionaries/new" in client.get("/").text
    client.cookies.clear()
    make_user(session, "someone@example.org")
    csrf = login(client, "someone@example.org")
    assert "/dictionaries/new" not in client.get("/").text
    assert client.get("/dictionaries/new").status_code == 403
    files = {"file": ("patani.lift", b"<lift/>", "text/xml")}
    r = client.post("/dictionaries/new", data=form(csrf, title="Mine"), files=files)
    assert r.status_code == 403  # refused before the file is read (api.uploads)
    r = client.post("/dictionaries/new", data=form(csrf, title="Mine", action="create"))
    assert r.status_code == 403
    assert dictionaries(session) == []


def test_anyone_when_the_setting_says_so(settings, engine, session):
    make_user(session, "someone@example.org")
    app = create_app(settings.model_copy(update={"dictionary_creators": "anyone"}), engine=engine)
    with TestClient(app) as client:
        csrf = login(client, "someone@example.org")
        assert "/dictionaries/new" in client.get("/").text
        r = client.post(
            "/dictionaries/new",
            data=form(csrf, title="Mine", action="create"),
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/d/mine/"
    session.rollback()
    owner = session.exec(select(Membership)).one()
    assert owner.role == "owner"


def test_anonymous_goes_to_log_in(client, session):
    r = client.get("/dictionaries/new", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.post("/dictionaries/new", data={"title": "x"}).status_code == 401


def test_the_form_needs_its_csrf_token(client, session, creator):
    r = client.post("/dictionaries/new", data=form("wrong", title="T", action="create"))
    assert r.status_code == 403
    assert dictionaries(session) == []


# ---------------------------------------------------------------- the wizard


def test_without_a_file(client, session, creator):
    page = client.get("/dictionaries/new")
    assert page.status_code == 200 and 'name="title"' in page.text
    # No script: the language picked by its name, the code, writing system and alphabet follow.
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Diccionario de prueba", language_name="Spanish", action="check"),
    )
    assert r.status_code == 200
    assert field(r.text, "slug") == "diccionario-de-prueba"
    assert field(r.text, "language_code") == "es"
    assert field(r.text, "vernacular_ws") == "es"
    assert "ñ" in field(r.text, "letters")
    values = {k: field(r.text, k) for k in ("slug", "language_code", "vernacular_ws", "letters")}
    r = client.post(
        "/dictionaries/new",
        data=form(
            creator,
            title="Diccionario de prueba",
            language_name="Spanish",
            visibility="private",
            action="create",
            **values,
        ),  # fmt: skip
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    session.rollback()
    d = session.exec(select(Dictionary)).one()
    assert (d.slug, d.language_code, d.visibility, d.licence) == (
        "diccionario-de-prueba",
        "es",
        "private",
        "CC BY-SA 4.0",
    )
    assert "ñ" in d.alphabet["letters"]


def test_propose_the_alphabet_without_scripts(client, creator):
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Geiriadur", language_code="cy", letters="a b", action="alphabet"),
    )
    assert r.status_code == 200
    assert " ch " in field(r.text, "letters")


def test_with_a_lift_zip_and_its_recordings(client, session, creator, tmp_path):
    package = lift_zip(tmp_path).read_bytes()
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Patani words", action="check"),
        files={"file": ("patani.zip", package, ZIP)},
    )
    assert r.status_code == 200, r.text
    assert 'data-count="entries_read">1<' in r.text
    assert 'data-count="media_added">2<' in r.text
    assert 'data-count="media_missing">0<' in r.text
    assert 'data-found="vernacular_ws">ptn<' in r.text
    assert 'data-found="analysis_ws">fr<' in r.text
    assert "Checked file: patani.zip" in r.text
    # What the file says prefills the form; nothing exists yet.
    assert (field(r.text, "language_name"), field(r.text, "language_code")) == ("Patani", "ptn")
    assert field(r.text, "slug") == "patani-words"
    assert dictionaries(session) == []
    # Confirm: the file checked is the one imported (not sent again).
    values = {
        k: field(r.text, k)
        for k in ("slug", "language_name", "language_code", "vernacular_ws", "analysis_ws")
    }
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Patani words", action="create", **values),
        follow_redirects=False,
    )
    job = finish(client, r)  # imported in the background (tests/api/test_new_dictionary_jobs.py)
    assert (job["status"], job["dictionary"], job["url"]) == (
        "done",
        "patani-words",
        "/d/patani-words/",
    )
    session.rollback()
    d = session.exec(select(Dictionary)).one()
    assert (d.vernacular_ws, d.analysis_ws) == (["ptn"], ["fr"])
    entry = session.exec(select(Entry).where(Entry.dictionary_id == d.id)).one()
    assert entry.has_audio
    r = client.get(r.headers["location"], follow_redirects=False)  # the job's page, once done
    assert (r.status_code, r.headers["location"]) == (303, "/d/patani-words/")
    learner = client.get(r.headers["location"])
    assert learner.status_code == 200 and entry.headword_text in learner.text


def test_a_duplicate_slug_creates_nothing(client, session, creator, dictionary, tmp_path):
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Another", slug=dictionary.slug, action="create"),
        files={"file": ("patani.zip", lift_zip(tmp_path).read_bytes(), ZIP)},
    )
    assert r.status_code == 409
    assert "exists already" in r.text
    assert dictionaries(session) == [dictionary.slug]
    assert session.exec(select(Entry)).all() == []


def test_a_file_that_fails_its_dry_run_creates_nothing(client, session, creator, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("headword,gloss:en\n,no headword here\n", "utf-8")
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Bad", action="check"),
        files={"file": ("bad.csv", bad.read_bytes(), "text/csv")},
    )
    assert r.status_code == 200
    assert "data-report-errors" in r.text
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Bad", action="create"),
        follow_redirects=False,
    )
    job = finish(client, r)  # the import is the check: refused in its job, by line
    assert job["status"] == "failed" and job["dictionary"] is None
    assert job["report"]["errors"] and "nothing" in job["error"]
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and "was not created" in page.text
    assert "data-report-errors" in page.text and "line 2" in page.text
    assert dictionaries(session) == []


def test_a_file_that_cannot_be_read_creates_nothing(client, session, creator, tmp_path):
    broken = tmp_path / "broken.lift"
    shutil.copy(PATANI / "SingleEntryLiftWithSound.lift", broken)
    broken.write_text(broken.read_text("utf-8").replace("</lift>", "<entry"), "utf-8")
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Broken", action="create"),
        files={"file": ("broken.lift", broken.read_bytes(), "text/xml")},
    )
    assert r.status_code == 422
    assert "nothing was created" in r.text
    assert dictionaries(session) == []


def test_a_title_is_needed(client, session, creator):
    r = client.post("/dictionaries/new", data=form(creator, action="create"))
    assert r.status_code == 422
    assert "needs a title" in r.text
    assert dictionaries(session) == []


def test_languages_to_pick_from_without_scripts(client, session, creator):
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Gondi words", language_name="gond", action="check"),
    )
    assert r.status_code == 200
    assert 'name="pick_language" value="wsg"' in r.text  # Adilabad Gondi
    assert dictionaries(session) == []
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Gondi words", language_name="gond", pick_language="wsg"),
    )
    assert r.status_code == 200
    assert (field(r.text, "language_name"), field(r.text, "language_code")) == (
        "Adilabad Gondi",
        "wsg",
    )
    assert field(r.text, "vernacular_ws") == "wsg"
    assert "pick_language" not in r.text
    assert dictionaries(session) == []


def test_a_checked_file_gone_meanwhile_is_asked_for_again(
    client, session, creator, tmp_path, monkeypatch
):
    monkeypatch.setattr(new_dictionary, "STAGE_DIR", tmp_path / "staged")
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Patani words", action="check"),
        files={"file": ("patani.zip", lift_zip(tmp_path).read_bytes(), ZIP)},
    )
    assert 'name="checked_file" value="patani.zip"' in r.text
    shutil.rmtree(tmp_path / "staged")  # swept, or checked on another app server
    r = client.post(
        "/dictionaries/new",
        data=form(creator, title="Patani words", action="create", checked_file="patani.zip"),
    )
    assert r.status_code == 422
    assert "choose it again" in r.text
    assert dictionaries(session) == []
