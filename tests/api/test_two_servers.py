"""Scale-out: two uvicorn processes on different loopback ports share one database and one S3
store (moto's server on loopback). What one writes the other reads and finds; a login on one
is a login on the other (signed cookies, one WORDKEEP_SECRET_KEY); logs are JSON lines with the
request id. Runs on SQLite (one host, several workers) and on PostgreSQL (several hosts).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from lexicon import editing
from lexicon.media import audio
from tests.factories import S3_CREDENTIALS, free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "shared-secret-for-both-servers-0123456789"


def make_app():
    """The app as deployed, with the operational middleware (until create_app installs it)."""
    from api import middleware
    from api.app import create_app

    app = create_app()
    if not any(m.cls is middleware.RequestIdMiddleware for m in app.user_middleware):
        middleware.install(app)
    return app


def start_server(env: dict, log: Path, level: str = "warning") -> SimpleNamespace:
    """`uvicorn --factory` in its own process (call `wait_ready` before using it)."""
    port = free_port()
    handle = open(log, "w")  # noqa: SIM115 - closed in stop_server
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "tests.api.test_two_servers:make_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", level],
        cwd=ROOT, env={**os.environ, **env}, stdout=handle, stderr=subprocess.STDOUT,
    )  # fmt: skip
    return SimpleNamespace(url=f"http://127.0.0.1:{port}", proc=proc, log=log, handle=handle)


def wait_ready(server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.proc.poll() is not None or time.monotonic() > deadline:
            server.proc.kill()
            raise RuntimeError(f"server did not start: {server.log.read_text()[-2000:]}")
        time.sleep(0.1)


def stop_server(server) -> int:
    server.proc.send_signal(signal.SIGTERM)
    try:
        code = server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        code = server.proc.wait()
    server.handle.close()
    return code


@pytest.fixture
def servers(database_url, dictionary, owner, s3_media_url, tmp_path):
    from lexicon.media.storage import storage_from_url

    media = s3_media_url
    env = {
        **S3_CREDENTIALS,
        "WORDKEEP_DATABASE_URL": database_url,
        "WORDKEEP_MEDIA_DIR": media,
        "WORDKEEP_SECRET_KEY": SECRET,
        "WORDKEEP_ENVIRONMENT": "production",
    }
    both = [start_server(env, tmp_path / f"server-{n}.log") for n in "ab"]  # start in parallel
    for server in both:
        wait_ready(server)
    yield SimpleNamespace(a=both[0], b=both[1], storage=storage_from_url(media))
    for server in both:
        stop_server(server)


def test_what_one_server_writes_the_other_reads(servers, auth, tmp_path):
    a, b = httpx.Client(base_url=servers.a.url), httpx.Client(base_url=servers.b.url)
    made = a.post(
        "/api/dictionaries/demo/entries",
        json={"headword": {"seh": "mphepo"}, "senses": [{"glosses": {"en": "wind"}}]},
        headers=auth,
    )
    assert made.status_code == 201, made.text
    entry = made.json()
    assert b.get(f"/api/dictionaries/demo/entries/{entry['id']}").json()["headword"] == {
        "seh": "mphepo"
    }
    for q in ("mphepo", "wind"):
        found = b.get("/api/dictionaries/demo/search", params={"q": q}).json()
        assert [i["id"] for i in found["items"]] == [entry["id"]], q

    # An edit through B makes A's copy stale: optimistic concurrency spans the servers.
    entry["senses"][0]["glosses"]["pt"] = "vento"
    saved = b.put(f"/api/dictionaries/demo/entries/{entry['id']}", json=entry, headers=auth)
    assert saved.status_code == 200
    stale = a.put(f"/api/dictionaries/demo/entries/{entry['id']}", json=entry, headers=auth)
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 2

    # A recording uploaded through A is stored in S3 and streamed, in ranges, by B.
    clip = tmp_path / "wind.wav"
    audio.write_tone(clip, container="wav", codec="pcm_s16le")
    with open(clip, "rb") as fh:
        up = a.post(
            f"/api/dictionaries/demo/entries/{entry['id']}/pronunciations",
            files={"file": ("wind.wav", fh, "audio/wav")},
            headers=auth,
        )
    assert up.status_code == 201, up.text
    media = up.json()["pronunciations"][0]["media"]
    whole = b.get(media["original_url"])
    assert whole.status_code == 200 and whole.content == clip.read_bytes()
    part = b.get(media["original_url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == clip.read_bytes()[100:200]
    assert any(k.startswith("audio/original/") for k in servers.storage.keys("audio/"))


def test_sessions_and_logs_across_servers(servers, session, dictionary, owner):
    editing.create_entry(
        session=session, dictionary=dictionary,
        data={"headword": {"seh": "chinsinsi"}, "visibility": "restricted", "circle": "elders"},
    )  # fmt: skip
    a, b = httpx.Client(base_url=servers.a.url), httpx.Client(base_url=servers.b.url)
    form = a.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    done = a.post(
        "/login", data={"email": owner.email, "password": "password-123", "csrf_token": token}
    )
    assert done.status_code == 303, done.text
    cookie = a.cookies.get("wordkeep_session")
    assert cookie

    assert b.get("/api/tokens").status_code == 401  # B alone: nobody
    b.cookies.set("wordkeep_session", cookie)
    assert b.get("/api/tokens").status_code == 200  # with A's cookie: the owner
    assert b.get("/api/dictionaries/demo/search", params={"q": "chinsinsi"}).json()["total"] == 1
    # B's page hands out the CSRF token kept in the cookie; A accepts it: one session.
    page = b.get("/account")
    assert page.status_code == 200 and owner.email in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    made = a.post("/account/tokens", data={"name": "from b's form", "csrf_token": token})
    assert made.status_code == 200

    # Logs: JSON lines carrying the request id the caller sent (or one made up).
    rid = f"trace-{uuid.uuid4().hex[:8]}"
    answered = httpx.get(f"{servers.a.url}/healthz", headers={"X-Request-ID": rid})
    assert answered.headers["x-request-id"] == rid
    made_up = httpx.get(f"{servers.b.url}/api/dictionaries/nope")
    assert made_up.status_code == 404 and re.fullmatch(
        r"[0-9a-f]{32}", made_up.headers["x-request-id"]
    )
    for server in (servers.a, servers.b):
        server.handle.flush()
    deadline = time.monotonic() + 10
    while rid not in servers.a.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)  # the access line is written when the response has gone out
    lines = [
        json.loads(line) for line in servers.a.log.read_text().splitlines() if line.startswith("{")
    ]
    mine = [line for line in lines if line.get("request_id") == rid]
    assert mine and mine[0]["path"] == "/healthz" and mine[0]["status"] == 200
    assert {"ts", "level", "logger", "msg", "ms", "method"} <= set(mine[0])


def test_health_names_the_part_that_failed(session, media_dir, s3_endpoint, monkeypatch):
    """What /healthz answers (api.middleware.health_response): a load balancer takes a server
    whose database or media store is gone out of rotation."""
    from api.middleware import health_response
    from lexicon.media.storage import LocalStorage, storage_from_url

    ok = health_response(session, LocalStorage(media_dir))
    assert ok.status_code == 200 and json.loads(ok.body) == {
        "status": "ok", "database": "ok", "media": "ok"
    }  # fmt: skip
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    gone = storage_from_url(f"s3://no-such-bucket/m?endpoint={s3_endpoint}&region=us-east-1")
    down = health_response(session, gone)
    assert down.status_code == 503
    assert json.loads(down.body) == {
        "status": "unavailable", "database": "ok", "media": "failed: ClientError"
    }  # fmt: skip
    file_not_folder = media_dir / "file"
    file_not_folder.write_text("x")
    assert health_response(session, LocalStorage(file_not_folder)).status_code == 503
