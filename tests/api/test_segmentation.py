"""Segmenting a text's recording through the API (issue 23): 202 and a job polled to its end,
the proposals saved as the text's segments, a silent recording failing the job with nothing
written, one job per text at a time; who may start it; the waveform's peaks, access-checked
like the recording."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lexicon.io import jobs
from lexicon.texts import segmenting
from tests.factories import make_user
from tests.lexicon.texts.audio_synth import build

STORY = (Path(__file__).parent.parent / "fixtures" / "texts" / "story.txt").read_bytes()
API = "/api/dictionaries/demo/texts"
PLAN = [("silence", 2.0), ("speech", 1.2), ("silence", 0.8), ("speech", 1.0), ("silence", 0.8)]


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("speech") / "speech.wav"
    build(PLAN, path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def silent(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("silent") / "silent.wav"
    build([("silence", 3.0)], path)
    return path.read_bytes()


@pytest.fixture
def people(session, dictionary):
    member = make_user(session, "member@example.org", "viewer", dictionary)
    elder = make_user(session, "elder@example.org", "viewer", dictionary, circles=["elders"])
    contributor = make_user(session, "c@example.org", "contributor", dictionary)
    outsider = make_user(session, "outsider@example.org")  # no role in this dictionary
    return {"anonymous": {}, "member": member.headers, "elder": elder.headers,
            "contributor": contributor.headers, "outsider": outsider.headers}  # fmt: skip


def post_text(client, auth, recording: bytes | None, **fields) -> dict:
    files = {"file": ("story.txt", STORY, "text/plain")}
    if recording is not None:
        files["audio"] = ("story.wav", recording, "audio/wav")
    answer = client.post(API, files=files, data={"status": "published", **fields}, headers=auth)
    assert answer.status_code == 201, answer.text
    return answer.json()


def wait(client, headers, url: str) -> dict:
    deadline = time.monotonic() + 120
    while True:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        job = answer.json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_segmentation_job_saves_the_proposals(client, auth, dictionary, speech):
    text = post_text(client, auth, speech)
    url = f"{API}/{text['id']}/segmentation"
    started = client.post(url, json={"min_pause": 0.2}, headers=auth)
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["status"] == "queued" and job["format"] == "segmentation"
    assert set(job) >= {"id", "status", "done", "total", "report", "error"}
    assert started.headers["location"] == f"{url}/{job['id']}"
    done = wait(client, auth, started.headers["location"])
    assert done["status"] == "done" and done["error"] is None, done
    report = done["report"]
    assert (report["kept"], report["added"], report["segments"]) == (2, 2, 4)
    assert report["parameters"]["min_pause"] == 0.2 and done["done"] == done["total"] == 4
    stored = client.get(f"{API}/{text['id']}", headers=auth).json()
    assert stored["version"] == 2 and len(stored["segments"]) == 4
    assert [s["text"] != {} for s in stored["segments"]] == [True, True, False, False]
    assert abs(stored["segments"][2]["start"] - 2.0) < 0.2  # the first burst of speech
    assert stored["extra"]["segmenting"]["min_pause"] == 0.2
    history = client.get(f"{API}/{text['id']}/revisions", headers=auth).json()["items"]
    assert history[0]["action"] == "segment"
    assert client.get(f"{url}/no-such-job", headers=auth).status_code == 404


def test_silence_fails_the_job_and_writes_nothing(client, auth, dictionary, silent):
    text = post_text(client, auth, silent)
    started = client.post(f"{API}/{text['id']}/segmentation", headers=auth)
    assert started.status_code == 202, started.text
    job = wait(client, auth, started.headers["location"])
    assert job["status"] == "failed" and "silent" in job["error"]
    assert client.get(f"{API}/{text['id']}", headers=auth).json()["version"] == 1
    # Failed is not forever: asking again starts a new job.
    again = client.post(f"{API}/{text['id']}/segmentation", headers=auth)
    assert again.status_code == 202 and again.json()["id"] != job["id"]
    wait(client, auth, again.headers["location"])


def test_refused_before_a_job_starts(client, auth, dictionary, speech):
    bare = post_text(client, auth, None)
    assert client.post(f"{API}/{bare['id']}/segmentation", headers=auth).status_code == 404
    text = post_text(client, auth, speech)
    url = f"{API}/{text['id']}/segmentation"
    assert client.post(url, json={"min_pause": -1}, headers=auth).status_code == 422
    assert client.post(url, json={"speed": 2}, headers=auth).status_code == 422
    assert client.post(f"{API}/no-such-text/segmentation", headers=auth).status_code == 404


def test_one_segmentation_per_text_at_a_time(client, auth, dictionary, speech, monkeypatch):
    text = post_text(client, auth, speech)
    url = f"{API}/{text['id']}/segmentation"
    release, real = threading.Event(), segmenting.propose

    def held(*args, **kwargs):
        release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(segmenting, "propose", held)
    first = client.post(url, headers=auth).json()
    second = client.post(url, headers=auth).json()
    assert second["id"] == first["id"]
    release.set()
    assert wait(client, auth, f"{url}/{first['id']}")["status"] == "done"


def test_only_editors_segment(client, auth, dictionary, people, speech):
    text = post_text(client, auth, speech)
    url = f"{API}/{text['id']}/segmentation"
    for who in ("anonymous", "outsider", "member", "contributor"):
        assert client.post(url, headers=people[who]).status_code in (401, 403, 404), who
    started = client.post(url, headers=auth)
    job_url = started.headers["location"]
    for who in ("anonymous", "outsider", "contributor"):
        assert client.get(job_url, headers=people[who]).status_code in (401, 403, 404), who
    assert wait(client, auth, job_url)["status"] == "done"


def test_peaks_are_access_checked(client, auth, dictionary, people, speech):
    public = post_text(client, auth, speech)
    answer = client.get(f"{API}/{public['id']}/peaks", headers=people["anonymous"])
    assert answer.status_code == 200, answer.text
    peaks = answer.json()
    assert peaks["per_second"] == 100 and peaks["length"] == len(peaks["data"]) // 2
    assert abs(peaks["duration"] - 5.8) < 0.01 and peaks["length"] == 580
    coarse = client.get(f"{API}/{public['id']}/peaks", params={"per_second": 10}).json()
    assert coarse["length"] == 58 and coarse["samples_per_pixel"] == 1600
    bad = client.get(f"{API}/{public['id']}/peaks", params={"per_second": 3})
    assert bad.status_code == 422
    secret = post_text(client, auth, speech, visibility="restricted", circle="elders")
    for who in ("anonymous", "outsider", "member"):
        hidden = client.get(f"{API}/{secret['id']}/peaks", headers=people[who])
        assert hidden.status_code == 404, who
    assert client.get(f"{API}/{secret['id']}/peaks", headers=people["elder"]).status_code == 200
    # A restricted sentence in a public text withholds the whole recording, and its waveform.
    mixed = client.get(f"{API}/{public['id']}", headers=auth).json()
    mixed["segments"][1].update(visibility="restricted", circle="elders")
    put = client.put(f"{API}/{public['id']}", json=mixed, headers={**auth, "If-Match": '"1"'})
    assert put.status_code == 200, put.text
    assert client.get(f"{API}/{public['id']}/peaks").status_code == 404
    assert client.get(f"{API}/{public['id']}/peaks", headers=people["elder"]).status_code == 200
    bare = post_text(client, auth, None)
    assert client.get(f"{API}/{bare['id']}/peaks", headers=auth).status_code == 404


def test_a_segmentation_whose_process_died_is_run_again(client, auth, session, dictionary, speech):
    text = post_text(client, auth, speech)
    url = f"{API}/{text['id']}/segmentation"
    dead = jobs.create_job(session=session, dictionary=dictionary, user_id=None,
                           format="segmentation", file_name=text["id"])  # fmt: skip
    dead.status = "running"
    dead.heartbeat_at = datetime.now(UTC) - timedelta(seconds=jobs.STALE_AFTER + 5)
    session.add(dead)
    session.commit()
    started = client.post(url, headers=auth)
    assert started.status_code == 202 and started.json()["id"] != dead.id
    old = client.get(f"{url}/{dead.id}", headers=auth).json()
    assert old["status"] == "failed" and old["error"] == jobs.INTERRUPTED_KIND["segmentation"]
    assert wait(client, auth, started.headers["location"])["status"] == "done"
    # A job of another text, or an import job, is not this text's segmentation.
    other = post_text(client, auth, speech)
    assert (
        client.get(f"{API}/{other['id']}/segmentation/{dead.id}", headers=auth).status_code == 404
    )
