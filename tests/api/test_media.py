"""Recordings through the API: upload, store once, web copy, ranges, refusals, access; on a local
folder and on a real S3-speaking server; and playback in Chromium."""

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lexicon import editing, entries
from lexicon.accounts.access import Viewer
from lexicon.media import audio
from lexicon.models import Media, Revision
from wordkeep.settings import Settings

FIXTURES = Path(__file__).parents[1] / "fixtures" / "lift-patani-audio"
TONE = 1.0  # tone seconds between 0.5 s of silence on each side
TRIMMED = TONE + 2 * audio.KEEP_SILENCE
ENTRY = {
    "headword": {"seh": "nyumba"},
    "senses": [{"glosses": {"en": "house"}, "examples": [{"text": {"seh": "Nyumba yanga"}}]}],
}
ADMIN = Viewer(is_admin=True)
ORIGINAL_MIME = {"wav": "audio/wav", "webm": "audio/webm", "mp3": "audio/mpeg"}


@pytest.fixture(params=["local", "s3"])
def backend(request):
    return request.param


@pytest.fixture
def settings(database_url, media_dir, backend, request):
    """The conftest settings, with media on the backend under test."""
    where = str(media_dir)
    if backend == "s3":
        where = request.getfixturevalue("s3_media_url")
    return Settings(
        database_url=database_url,
        media_dir=where,
        secret_key="test-secret-key-not-for-production",
        environment="development",
    )


@pytest.fixture
def storage(app):
    return app.state.storage


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("upload-clips")
    made = {}
    for name, muxer, codec, options in [
        ("wav", "wav", "pcm_s16le", None),
        ("webm", "webm", "libopus", {"live": "1"}),  # no container duration, like a browser's
        ("mp3", "mp3", "libmp3lame", None),
    ]:
        made[name] = folder / f"word.{name}"
        audio.write_tone(made[name], container=muxer, codec=codec, tone=TONE, options=options)
    return made


@pytest.fixture
def entry(session, dictionary, owner):
    return editing.create_entry(session=session, dictionary=dictionary, data=ENTRY, editor="owner")


def upload(client, auth, entry_id, path, name=None, **fields):
    with open(path, "rb") as fh:
        return client.post(
            f"/api/dictionaries/demo/entries/{entry_id}/pronunciations",
            files={"file": (name or path.name, fh, "application/octet-stream")},
            data=fields,
            headers=auth,
        )


def state(session, storage, entry_id):
    """Everything an upload could leave behind: stored files and database rows."""
    session.expire_all()
    demo = entries.get_dictionary(session=session, slug="demo")
    found = (
        sorted(storage.keys()),
        session.exec(select(func.count()).select_from(Media)).scalar_one(),
        session.exec(select(func.count()).select_from(Revision)).scalar_one(),
        entries.read_entry(session=session, dictionary=demo, entry_id=entry_id, viewer=ADMIN)[
            "version"
        ],
    )
    session.rollback()  # end the read: on SQLite it holds the write lock the app needs
    return found


@pytest.mark.parametrize("kind", ["webm", "wav", "mp3"])
def test_upload_stores_once_and_serves_web_copy(
    client, auth, entry, storage, session, clips, kind, tmp_path
):
    sent = clips[kind].read_bytes()
    sha = hashlib.sha256(sent).hexdigest()
    made = upload(client, auth, entry["id"], clips[kind], speaker="Ana", consent="CC-BY, 2024")
    assert made.status_code == 201, made.text
    pron = made.json()["pronunciations"][0]
    assert (pron["speaker"], pron["consent"]) == ("Ana", "CC-BY, 2024")
    assert pron["media"]["sha256"] == sha
    assert pron["media"]["mime"] == "audio/mpeg"
    # The original lasts 2 s; 0.5 s of silence is trimmed at each end, keeping KEEP_SILENCE.
    assert pron["media"]["duration"] == pytest.approx(TRIMMED, abs=0.1)
    assert made.json()["version"] == entry["version"] + 1

    web = client.get(pron["media"]["url"])
    assert web.status_code == 200 and web.headers["content-type"] == "audio/mpeg"
    (tmp_path / "web.mp3").write_bytes(web.content)
    assert audio.measure_duration(tmp_path / "web.mp3") == pytest.approx(TRIMMED, abs=0.1)
    original = client.get(pron["media"]["original_url"])
    assert original.content == sent  # byte-exact
    assert original.headers["content-type"] == ORIGINAL_MIME[kind]
    assert original.headers["etag"] == f'"{sha}"'

    keys = sorted(storage.keys())
    assert len(keys) == 2 and any(sha in k and k.endswith(".mp3") for k in keys)
    again = upload(client, auth, entry["id"], clips[kind], name="same-again.bin")
    assert again.status_code == 201, again.text
    assert [p["media"]["sha256"] for p in again.json()["pronunciations"]] == [sha, sha]
    assert sorted(storage.keys()) == keys  # stored once
    assert state(session, storage, entry["id"])[1] == 1  # one Media row
    history = client.get(f"/api/dictionaries/demo/entries/{entry['id']}/revisions").json()
    assert [r["comment"] for r in history["items"]][-2:] == ["added a recording"] * 2


@pytest.mark.parametrize("name", ["short.webm", "short.mp3"])
def test_upload_real_recordings(client, auth, entry, name):
    path = FIXTURES / name
    made = upload(client, auth, entry["id"], path)
    assert made.status_code == 201, made.text
    media = made.json()["pronunciations"][0]["media"]
    assert media["duration"] == pytest.approx(audio.probe_audio(path).duration, abs=0.1)
    assert media["original_name"] == name
    assert client.get(media["original_url"]).content == path.read_bytes()


def bad_inputs(tmp_path, clips):
    text = tmp_path / "word.wav"
    text.write_text("not a recording, only words about one\n" * 30)
    empty = tmp_path / "empty.webm"
    empty.write_bytes(b"")
    cut = tmp_path / "cut.mp3"
    whole = clips["mp3"].read_bytes()
    cut.write_bytes(whole[: len(whole) // 2])
    return {
        "text renamed .wav": (text, 415, "word.wav: not a recording"),
        "empty": (empty, 422, "empty.webm: the file is empty"),
        "truncated mp3": (cut, 422, "cut.mp3: the file seems truncated"),
    }


@pytest.mark.parametrize("case", ["text renamed .wav", "empty", "truncated mp3"])
def test_bad_upload_leaves_nothing(client, auth, entry, storage, session, clips, tmp_path, case):
    path, status, message = bad_inputs(tmp_path, clips)[case]
    upload(client, auth, entry["id"], clips["wav"])  # something stored already, to compare
    before = state(session, storage, entry["id"])
    refused = upload(client, auth, entry["id"], path)
    assert refused.status_code == status, refused.text
    assert message in refused.json()["detail"]
    assert state(session, storage, entry["id"]) == before


@pytest.mark.parametrize(
    ("limit", "seconds", "kind", "message"),
    [
        (
            1000,
            300,
            "mp3",
            "word.mp3: the file is bigger than the limit of 1,000 bytes",
        ),  # counted while reading
        (1000, 300, "wav", "the limit is 1,000 bytes"),  # refused by Content-Length
        (50_000_000, 1.5, "webm", "word.webm: the recording is longer than the limit of 1.50 s"),
    ],
)
def test_over_a_limit_leaves_nothing(
    client, app, auth, entry, storage, session, clips, limit, seconds, kind, message
):
    app.state.settings = app.state.settings.model_copy(
        update={"max_upload_bytes": limit, "max_audio_seconds": seconds}
    )
    before = state(session, storage, entry["id"])
    refused = upload(client, auth, entry["id"], clips[kind])
    assert refused.status_code == 413, refused.text
    assert message in refused.json()["detail"]
    assert state(session, storage, entry["id"]) == before


def test_refused_without_edit_rights(client, entry, storage, session, clips):
    before = state(session, storage, entry["id"])
    assert upload(client, {}, entry["id"], clips["wav"]).status_code == 401
    assert upload(client, {}, "no-such-entry", clips["wav"]).status_code == 401
    assert state(session, storage, entry["id"]) == before


def test_unknown_entry_or_field_leaves_nothing(client, auth, entry, storage, session, clips):
    before = state(session, storage, entry["id"])
    assert upload(client, auth, "no-such-entry", clips["wav"]).status_code == 404
    bad = upload(client, auth, entry["id"], clips["wav"], visibility="secret")
    assert bad.status_code == 422 and "visibility" in bad.text
    stale = upload(client, auth, entry["id"], clips["wav"], version=str(entry["version"] - 1))
    assert stale.status_code == 409 and stale.json()["current"]["version"] == entry["version"]
    assert state(session, storage, entry["id"]) == before


def test_ranges_etag_and_cache(client, auth, entry, clips):
    pron = upload(client, auth, entry["id"], clips["wav"]).json()["pronunciations"][0]
    url = pron["media"]["url"]
    whole = client.get(url)
    size = len(whole.content)
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["cache-control"] == "public, no-cache"  # revalidated: see below
    assert whole.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in whole.headers["content-security-policy"]

    part = client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert len(part.content) == 100 and part.content == whole.content[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{size}"
    assert part.headers["content-length"] == "100"
    assert client.get(url, headers={"Range": "bytes=-10"}).content == whole.content[-10:]
    tail = client.get(url, headers={"Range": f"bytes={size - 5}-"})
    assert tail.status_code == 206 and tail.content == whole.content[-5:]
    beyond = client.get(url, headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{size}"
    # If-Range with another validator: the whole file, not a piece of something else.
    assert client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"old"'}).status_code == 200

    etag = whole.headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and head.headers["content-length"] == str(size)
    assert head.content == b""
    original = client.get(pron["media"]["original_url"], headers={"Range": "bytes=0-99"})
    assert original.status_code == 206 and original.content == clips["wav"].read_bytes()[:100]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-99", (0, 100)),
        ("bytes=990-2000", (990, 10)),
        ("bytes=995-", (995, 5)),
        ("bytes=-3", (997, 3)),
        ("bytes=-5000", (0, 1000)),
        ("bytes=5-3", None),  # invalid: ignored
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
        ("items=0-1", None),
        ("bytes=x-1", None),
        ("bytes=1000-", ValueError),
        ("bytes=-0", ValueError),
    ],
)
def test_parse_range(header, expected):
    from api.routes.media import parse_range

    if expected is ValueError:
        with pytest.raises(ValueError):
            parse_range(header, 1000)
    else:
        assert parse_range(header, 1000) == expected


def test_media_follows_visibility(client, auth, entry, clips, session, dictionary, owner):
    restricted = upload(
        client, auth, entry["id"], clips["wav"], visibility="restricted", circle="elders"
    )
    assert restricted.status_code == 201, restricted.text
    media = restricted.json()["pronunciations"][0]["media"]
    # Outsiders: the entry is visible, its restricted recording is not, nor its files.
    seen = client.get(f"/api/dictionaries/demo/entries/{entry['id']}").json()
    assert seen["pronunciations"] == []
    assert client.get(media["url"]).status_code == 404
    assert client.get(media["original_url"]).status_code == 404
    # The owner hears it, and nothing is kept in shared caches.
    mine = client.get(media["url"], headers=auth)
    assert mine.status_code == 200
    assert mine.headers["cache-control"] == "private, no-cache"
    # A public recording of the same sound makes the file public.
    upload(client, auth, entry["id"], clips["wav"])
    assert client.get(media["url"]).status_code == 200


def test_a_protocol_change_reaches_recordings_already_served(client, auth, entry, clips):
    """Who may hear a recording is kept per worker (a player asks for range after range), until
    the next write: making the entry community-only hides its recording from the public at
    once, and opening it again brings it back."""
    made = upload(client, auth, entry["id"], clips["wav"])
    assert made.status_code == 201, made.text
    url = made.json()["pronunciations"][0]["media"]["url"]
    for _ in range(2):  # the second answer comes from the worker's cache
        heard = client.get(url, headers={"Range": "bytes=0-99"})
        assert heard.status_code == 206 and heard.headers["cache-control"].startswith("public")
    assert client.app.state.page_cache.hits >= 1

    current = client.get(f"/api/dictionaries/demo/entries/{entry['id']}", headers=auth).json()
    changed = client.put(f"/api/dictionaries/demo/entries/{entry['id']}", headers=auth,
                         json={**current, "visibility": "community"})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert client.get(url, headers={"Range": "bytes=0-99"}).status_code == 404
    mine = client.get(url, headers={**auth, "Range": "bytes=0-99"})
    assert mine.status_code == 206 and mine.headers["cache-control"] == "private, no-cache"

    reopened = client.put(f"/api/dictionaries/demo/entries/{entry['id']}", headers=auth,
                          json={**changed.json(), "visibility": "public"})  # fmt: skip
    assert reopened.status_code == 200, reopened.text
    assert client.get(url, headers={"Range": "bytes=0-99"}).status_code == 206


def test_example_audio(client, auth, entry, storage, session, clips):
    example = entry["senses"][0]["examples"][0]
    url = f"/api/dictionaries/demo/entries/{entry['id']}/examples/{example['id']}/audio"
    with open(clips["webm"], "rb") as fh:
        made = client.post(url, files={"file": ("ex.webm", fh)}, data={"speaker": "Ana"},
                           headers=auth)  # fmt: skip
    assert made.status_code == 201, made.text
    got = made.json()["senses"][0]["examples"][0]
    assert got["media"]["duration"] == pytest.approx(TRIMMED, abs=0.1)
    assert got["source"] == "Ana"
    assert client.get(got["media"]["url"], headers={"Range": "bytes=0-99"}).status_code == 206

    before = state(session, storage, entry["id"])
    with open(clips["webm"], "rb") as fh:
        missing = client.post(url.replace(example["id"], "nope"), files={"file": ("a.wav", fh)},
                              headers=auth)  # fmt: skip
    assert missing.status_code == 404 and "no example nope" in missing.text
    assert state(session, storage, entry["id"]) == before


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["local"])
def test_entry_page_plays_the_web_copy(live_server, page, auth, entry, clips, backend):
    import httpx

    made = httpx.post(
        f"{live_server.url}/api/dictionaries/demo/entries/{entry['id']}/pronunciations",
        files={"file": ("word.webm", clips["webm"].read_bytes())},
        headers=auth,
        timeout=30,
    )
    assert made.status_code == 201, made.text
    expected = made.json()["pronunciations"][0]["media"]["duration"]
    page.goto(f"{live_server.url}/d/demo/entries/{entry['id']}")
    player = page.locator("audio[controls]")
    assert player.count() == 1 and player.get_attribute("preload") == "none"
    duration = player.evaluate(
        """a => new Promise((done, fail) => {
            const t = setTimeout(() => fail(new Error('no metadata: ' + a.error?.code)), 10000);
            a.addEventListener('loadedmetadata', () => { clearTimeout(t); done(a.duration); });
            a.addEventListener('error', () => fail(new Error('error ' + a.error?.code)));
            a.preload = 'metadata';
            a.load();
        })"""
    )
    assert duration == pytest.approx(expected, abs=0.1)
    assert duration == pytest.approx(TRIMMED, abs=0.1)


@pytest.mark.parametrize("backend", ["local"])
def test_slow_download_does_not_block_edits(live_server, auth, entry, tmp_path, backend):
    """A phone still downloading a recording must not hold the database (SQLite write lock)."""
    import httpx

    long = tmp_path / "long.wav"
    audio.write_tone(long, container="wav", codec="pcm_s16le", tone=30.0)
    base = f"{live_server.url}/api/dictionaries/demo/entries/{entry['id']}"
    made = httpx.post(
        f"{base}/pronunciations", files={"file": ("long.wav", long.read_bytes())}, headers=auth,
        timeout=60,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    current = made.json()
    with httpx.stream("GET", live_server.url + current["pronunciations"][0]["media"]["original_url"],
                      timeout=30) as download:  # fmt: skip
        assert download.status_code == 200
        next(download.iter_bytes(64 * 1024))  # started, far from finished (2.9 MB)
        edited = httpx.put(base, json=dict(current, part_of_speech="n"), headers=auth, timeout=30)
        assert edited.status_code == 200, edited.text


RECORD_AND_UPLOAD = """async ([url, token, mime]) => {
    const stream = await navigator.mediaDevices.getUserMedia({audio: true});
    if (!MediaRecorder.isTypeSupported(mime)) return {status: 0, body: 'unsupported ' + mime};
    const rec = new MediaRecorder(stream, {mimeType: mime});
    const parts = [];
    rec.ondataavailable = e => parts.push(e.data);
    const stopped = new Promise(done => { rec.onstop = done; });
    rec.start(250);  // timeslices: the WebM gets no duration, as in real use
    await new Promise(done => setTimeout(done, 1500));
    rec.stop();
    stream.getTracks().forEach(t => t.stop());
    await stopped;
    const form = new FormData();
    form.append('file', new Blob(parts, {type: mime}), 'recording');
    form.append('speaker', 'Chromium');
    const response = await fetch(url, {method: 'POST', body: form,
                                       headers: {Authorization: 'Bearer ' + token}});
    return {status: response.status, body: await response.text()};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["local"])
@pytest.mark.parametrize(("mime", "stored"), [("audio/webm;codecs=opus", "audio/webm"),
                                              ("audio/mp4", "audio/mp4")])  # fmt: skip
def test_what_chromium_records_is_accepted(live_server, page, owner, entry, backend, mime, stored):
    """MediaRecorder's own output (fake microphone) goes through the upload unchanged."""
    import json

    page.goto(f"{live_server.url}/d/demo/entries/{entry['id']}")
    url = f"{live_server.url}/api/dictionaries/demo/entries/{entry['id']}/pronunciations"
    result = page.evaluate(RECORD_AND_UPLOAD, [url, owner.token, mime])
    assert result["status"] == 201, result["body"]
    media = json.loads(result["body"])["pronunciations"][0]["media"]
    assert 0.2 < media["duration"] <= 1.7
    import httpx

    original = httpx.get(live_server.url + media["original_url"], headers=owner.headers)
    assert original.headers["content-type"] == stored


def test_caches_revalidate_and_lose_a_recording_made_restricted(client, auth, entry, clips):
    """Issue #16, finding 12: no cache may keep serving a recording for a year after it is
    restricted. Every reuse is revalidated (`no-cache`), a revalidation with the ETag costs a
    304 without the file, and once the recording is hidden the revalidation gets 404."""
    made = upload(client, auth, entry["id"], clips["wav"])
    url = made.json()["pronunciations"][0]["media"]["url"]
    first = client.get(url)
    control = first.headers["cache-control"]
    assert "no-cache" in control and "immutable" not in control and "max-age" not in control
    etag = first.headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    ranged = client.get(url, headers={"If-None-Match": etag, "Range": "bytes=0-9"})
    assert ranged.status_code == 304

    current = client.get(f"/api/dictionaries/demo/entries/{entry['id']}", headers=auth).json()
    hidden = client.put(f"/api/dictionaries/demo/entries/{entry['id']}", headers=auth,
                        json={**current, "visibility": "restricted", "circle": "elders"})  # fmt: skip
    assert hidden.status_code == 200, hidden.text
    # A cache revalidating its copy for an anonymous listener is told it is gone, not 304.
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404
    mine = client.get(url, headers={**auth, "If-None-Match": etag})
    assert mine.status_code == 304 and mine.headers["cache-control"] == "private, no-cache"
