"""A dictionary saved for offline use (issue 21): the data a phone saves, its sizes, its
changes since a generation, the manifest and the service worker; and the cultural protocols:
what a visitor may not see is never in what their phone saves."""

from __future__ import annotations

import json

import pytest

from lexicon import editing
from tests.factories import add_entry
from tests.protocol_cases import ALPHA, protocol  # noqa: F401  (the fixture)

OUTSIDERS = ("anonymous", "viewer", "beta_only", "editor_outside")


def _data(client, headers=None) -> dict:
    answer = client.get("/api/dictionaries/demo/offline", headers=headers or {})
    assert answer.status_code == 200, answer.text
    assert "no-store" in answer.headers["cache-control"]
    return answer.json()


def test_the_data_holds_entries_their_search_rows_and_the_folding(client, session, dictionary):
    saved = add_entry(session, dictionary, "ŋ̀gàmà", "drum")
    data = _data(client)
    assert data["generation"] == dictionary.generation and data["account"] == "public"
    (record,) = [r for r in data["entries"] if r[0] == saved["id"]]
    assert record[1] == "ŋ̀gàmà" and record[5] == {"en": "drum"}
    hw, gl = record[7], record[8]
    assert ["ŋ̀gàmà", "ngama"] in hw and gl == ["drum"]
    assert ["ŋ", "ng"] in data["fold"]["confusables"]
    assert "drum" in data["vocab"] and "ngama" in data["vocab"]
    assert data["full"][data["entries"].index(record)]["id"] == saved["id"]


def test_the_plan_says_what_saving_takes(client, session, dictionary):
    add_entry(session, dictionary, "nyumba", "house")
    plan = client.get("/api/dictionaries/demo/offline/plan").json()
    assert plan["entries"] == 1 and 0 < plan["text"]["bytes"] <= plan["text"]["raw_bytes"]
    assert plan["audio"] == {"count": 0, "bytes": 0} and plan["pictures"]["count"] == 0


def test_changes_since_a_generation_include_writes_and_deletions(client, session, dictionary):
    kept = add_entry(session, dictionary, "nyumba", "house")
    gone = add_entry(session, dictionary, "madzi", "water")
    data = _data(client)
    params = {"since": data["generation"], "as_of": data["as_of"], "access": data["access"]}
    same = client.get("/api/dictionaries/demo/offline/changes", params=params).json()
    assert same["unchanged"] and same["entries"] == []
    fresh = add_entry(session, dictionary, "mbalame", "bird")
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=gone["id"])
    delta = client.get("/api/dictionaries/demo/offline/changes", params=params).json()
    assert not delta["full"] and delta["generation"] > data["generation"]
    assert fresh["id"] in [r[0] for r in delta["entries"]]
    assert gone["id"] not in delta["order"] and kept["id"] in delta["order"]
    other = {**params, "access": "another"}
    assert client.get("/api/dictionaries/demo/offline/changes", params=other).json()["full"]


def test_manifest_and_service_worker(client, dictionary):
    manifest = client.get("/d/demo/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["name"] == "Demo Dictionary" and body["start_url"] == "/d/demo/"
    assert any(i["sizes"] == "192x192" for i in body["icons"])
    worker = client.get("/sw.js")
    assert worker.headers["service-worker-allowed"] == "/"
    assert "javascript" in worker.headers["content-type"]
    page = client.get("/d/demo/").text
    assert 'rel="manifest" href="/d/demo/manifest.webmanifest"' in page
    assert "data-offline-save" in page
    assert client.get("/d/demo/offline").status_code == 200
    assert client.get("/offline").status_code == 200


@pytest.mark.parametrize("person", OUTSIDERS)
def test_an_outsider_saves_nothing_hidden(client, protocol, person):  # noqa: F811
    headers = protocol.headers(person)
    text = client.get("/api/dictionaries/demo/offline", headers=headers).text
    for word in protocol.hidden_from(person):
        assert word not in text, word
    for hidden in protocol.hidden_ids(person):
        assert hidden not in text, hidden
    assert protocol.shas["recording"] not in text
    for word in protocol.seen_by(person):
        assert word in text, word
    plan = client.get("/api/dictionaries/demo/offline/plan", headers=headers).json()
    data = json.loads(text)
    assert plan["entries"] == len(data["entries"])
    delta = client.get(
        "/api/dictionaries/demo/offline/changes",
        params={"since": 0, "as_of": "2000-01-01T00:00:00Z", "access": data["access"]},
        headers=headers,
    ).text
    for word in protocol.hidden_from(person) | protocol.hidden_ids(person):
        assert word not in delta, word


def test_a_member_of_the_circles_saves_them_under_their_account(client, protocol):  # noqa: F811
    data = _data(client, protocol.headers("insider"))
    text = json.dumps(data, ensure_ascii=False)
    for word in protocol.seen_by("insider"):
        assert word in text, word
    assert data["account"].startswith("u")
    assert data["access"] != _data(client)["access"]


def test_a_protocol_change_makes_the_phone_save_again(client, protocol):  # noqa: F811
    headers = protocol.headers("insider")
    data = _data(client, headers)
    params = {"since": data["generation"], "as_of": data["as_of"], "access": data["access"]}
    gone = client.delete(f"/api/dictionaries/demo/circles/{ALPHA}/members/insider@example.org",
                         headers=protocol.owner.headers)  # fmt: skip
    assert gone.status_code == 200, gone.text
    delta = client.get("/api/dictionaries/demo/offline/changes", params=params, headers=headers)
    assert delta.json()["full"]
    again = client.get("/api/dictionaries/demo/offline", headers=headers).text
    assert protocol.words["restricted_hw"] not in again
