"""Issue 16, finding 9: an upload route checks who asks before it reads the body, and a chunked
body (no Content-Length) is capped while it streams; against a live server, on every route
that takes a file."""

from __future__ import annotations

import os
import select
import socket
import tempfile
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy import select as sql_select

from api import uploads
from lexicon.io.jobs import ImportJob
from lexicon.media import audio
from lexicon.models import Media
from tests.conftest import make_user
from wordkeep.settings import Settings

MB = 1024 * 1024
ENTRY = {
    "headword": {"seh": "nyumba"},
    "senses": [{"glosses": {"en": "house"}, "examples": [{"text": {"seh": "Nyumba yanga"}}]}],
}


@pytest.fixture
def settings(database_url, media_dir):
    return Settings(
        database_url=database_url,
        media_dir=str(media_dir),
        secret_key="test-secret-key-not-for-production",
        max_upload_bytes=1 * MB,
        max_import_bytes=2 * MB,
        max_text_audio_bytes=3 * MB,
    )


@pytest.fixture
def spool(tmp_path, monkeypatch):
    """The server's temporary folder (it runs in this process): uploads spool here."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def left_in(folder) -> list[str]:
    """Files and folders under `folder`, and files open there (spooled files have no name)."""
    names = [str(p) for p in folder.rglob("*")]
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            names.append(target)
    return names


@pytest.fixture
def routes(live_server, dictionary, owner):
    """Every upload route's path, with a real entry, sense and example."""
    made = httpx.post(
        f"{live_server.url}/api/dictionaries/demo/entries", json=ENTRY, headers=owner.headers
    )
    assert made.status_code == 201, made.text
    entry = made.json()
    sense = entry["senses"][0]
    base = f"/api/dictionaries/demo/entries/{entry['id']}"
    return {
        "pronunciation": f"{base}/pronunciations",
        "example audio": f"{base}/examples/{sense['examples'][0]['id']}/audio",
        "picture": f"{base}/senses/{sense['id']}/pictures",
        "print font": "/api/dictionaries/demo/print/fonts",
        "import": "/api/dictionaries/demo/imports",
        "import job": "/api/dictionaries/demo/import-jobs",
        "editor audio": f"/d/demo/edit/entries/{entry['id']}/audio",
        "editor picture": f"/d/demo/edit/entries/{entry['id']}/senses/{sense['id']}/pictures",
        "editor example audio": f"/d/demo/edit/entries/{entry['id']}/examples/{sense['examples'][0]['id']}/audio",
        "editor import": "/d/demo/edit/import",
        "new dictionary": "/dictionaries/new",  # a site check: who may create dictionaries
        "text": "/api/dictionaries/demo/texts",
        "editor text": "/d/demo/edit/texts/import",
    }


def chunked_post(url: str, path: str, total: int, headers: dict | None = None):
    """POST a multipart body of `total` bytes in 256 KB chunks (Transfer-Encoding: chunked, no
    Content-Length), stopping as soon as the server answers. Returns (status, bytes sent)."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=15)
    boundary = "wordkeep-test-boundary"
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {parts.hostname}:{parts.port}",
        "Transfer-Encoding: chunked",
        f"Content-Type: multipart/form-data; boundary={boundary}",
        "Accept: application/json",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())

    def chunk(data: bytes) -> None:
        sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    chunk(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
    )
    piece, sent = b"\0" * (256 * 1024), 0
    try:
        while sent < total:
            if select.select([sock], [], [], 0.02)[0]:
                break  # answered while the body was still coming
            chunk(piece)
            sent += len(piece)
        else:
            chunk(f"\r\n--{boundary}--\r\n".encode())
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server closed the connection: read its answer
    answer = b""
    sock.settimeout(60)
    try:
        while b"\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split()[1]), sent


def test_every_upload_route_is_gated(app):
    """Found from the routes themselves: each takes a file and names the role it needs."""
    found = uploads.upload_routes(app)
    assert len(found) >= 8
    # create_dictionary: the new-dictionary wizard's file, outside any dictionary (a site check).
    assert {action for _, _, action in found} <= {"edit", "manage", "create_dictionary"}


@pytest.mark.parametrize(
    "route",
    ["pronunciation", "example audio", "picture", "print font", "import", "import job",
     "editor audio", "editor picture", "editor example audio", "editor import",
     "new dictionary"],
)  # fmt: skip
def test_an_anonymous_chunked_upload_is_refused_before_its_body_is_read(
    live_server, routes, spool, session, dictionary, route
):
    """64 MB offered without logging in: refused (401) after the first chunks, the rest never
    read, nothing spooled. Before, the server read the whole body to disk, then said 401."""
    status, sent = chunked_post(live_server.url, routes[route], 64 * MB)
    assert status == 401
    assert sent <= 8 * MB, f"the server read {sent:,} bytes before refusing"
    assert left_in(spool) == []
    # A member whose role does not allow it is refused the same way (403).
    viewer = make_user(session, f"viewer-{len(route)}@example.org", "viewer", dictionary)
    status, sent = chunked_post(live_server.url, routes[route], 64 * MB, viewer.headers)
    assert status == 403 and sent <= 8 * MB
    assert left_in(spool) == []


@pytest.mark.parametrize(
    "route, limit",
    [
        ("pronunciation", 1 * MB),
        ("picture", 1 * MB),
        ("import", 2 * MB),
        ("import job", 2 * MB),
        ("text", 3 * MB),
        ("editor text", 3 * MB),
    ],  # fmt: skip
)
def test_a_chunked_body_past_the_limit_gets_413_and_leaves_nothing(
    live_server, routes, spool, owner, media_dir, session, route, limit
):
    """The owner's chunked upload past WORDKEEP_MAX_UPLOAD_BYTES (media) or
    WORDKEEP_MAX_IMPORT_BYTES (imports): 413 while it streams; no file, no job, no media."""
    status, sent = chunked_post(live_server.url, routes[route], 24 * MB, owner.headers)
    assert status == 413
    assert sent <= 12 * MB, f"the server read {sent:,} bytes before refusing"
    assert left_in(spool) == []
    assert [p for p in media_dir.rglob("*") if p.is_file()] == []
    session.expire_all()
    assert session.exec(sql_select(func.count()).select_from(Media)).scalar_one() == 0
    assert session.exec(sql_select(func.count()).select_from(ImportJob)).scalar_one() == 0


def test_an_upload_within_the_limits_still_works(live_server, routes, owner):
    """The gate lets the owner through: a small CSV import is read and imported."""
    csv = b"headword,gloss_en\nmadzi,water\n"
    done = httpx.post(
        live_server.url + routes["import"],
        files={"file": ("words.csv", csv, "text/csv")},
        data={"format": "csv"},
        headers=owner.headers,
        timeout=60,
    )
    assert done.status_code == 201, done.text


def test_a_text_recording_may_be_longer_than_a_word_recording(live_server, routes, owner, tmp_path):
    """A story's recording (WORDKEEP_MAX_TEXT_AUDIO_BYTES, 3 MB here) over the limit of every
    other upload (1 MB here) is taken, with its text; a word's recording that size is not."""
    wav = tmp_path / "story.wav"
    audio.write_tone(wav, container="wav", codec="pcm_s16le", lead=0.2, tone=19.6, tail=0.2)
    body = wav.read_bytes()
    assert 1 * MB < len(body) < 3 * MB
    made = httpx.post(
        live_server.url + routes["text"],
        files={"file": ("story.txt", b"Nyumba yanga.\n\nMadzi.\n", "text/plain"),
               "audio": ("story.wav", body, "audio/wav")},
        headers=owner.headers, timeout=120,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["media"]["sha256"]
    word = httpx.post(
        live_server.url + routes["pronunciation"],
        files={"file": ("word.wav", body, "audio/wav")}, headers=owner.headers, timeout=60,
    )  # fmt: skip
    assert word.status_code == 413, word.text


def test_each_upload_path_has_its_limit():
    gate = uploads.UploadGate(None, max_upload_bytes=1, max_import_bytes=2, max_text_audio_bytes=3)
    limits = {
        "/api/dictionaries/d/entries/e/pronunciations": 1,
        "/api/dictionaries/d/imports": 2,
        "/d/d/edit/import": 2,
        "/api/dictionaries/d/texts": 3,
        "/api/dictionaries/d/texts/t1/audio": 3,
        "/d/d/edit/texts/import": 3,
        "/d/d/edit/texts/t1/audio": 3,
        "/api/dictionaries/d/texts/t1": 1,  # a text's JSON, not a recording
        "/api/dictionaries/d/texts/t1/segments/s1/clip": 1,
    }
    assert {path: gate.file_limit(path) for path in limits} == limits
