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
    assert protocol.shas["recording"] not in text and protocol.shas["picture"] not in text
    assert protocol.shas["public_recording"] in text
    for word in protocol.seen_by(person):
        assert word in text, word
    plan = client.get("/api/dictionaries/demo/offline/plan", headers=headers).json()
    data = json.loads(text)
    assert plan["entries"] == len(data["entries"])
    owner = protocol.owner.headers
    for entry_id in protocol.ids.values():  # every case written again after the save
        entry = client.get(f"/api/dictionaries/demo/entries/{entry_id}", headers=owner).json()
        entry["citation"] = {"seh": "again"}
        done = client.put(f"/api/dictionaries/demo/entries/{entry_id}", json=entry, headers=owner)
        assert done.status_code == 200, done.text
    params = {"since": data["generation"], "as_of": data["as_of"], "access": data["access"]}
    answer = client.get("/api/dictionaries/demo/offline/changes", params=params, headers=headers)
    delta = answer.json()
    assert not delta["full"] and protocol.ids["nested"] in {r[0] for r in delta["entries"]}
    for word in protocol.hidden_from(person) | protocol.hidden_ids(person):
        assert word not in answer.text, word
    assert protocol.shas["recording"] not in answer.text
    assert protocol.shas["picture"] not in answer.text
    for word in protocol.seen_by(person):  # the delta is not empty: its words are there
        assert word in answer.text, word


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


def test_records_carry_domains_parts_of_speech_and_status_media_their_places(
    client, session, dictionary, auth
):
    from tests.api.test_leaks import tone_wav

    built = add_entry(session, dictionary, "nyumba", "house", part_of_speech="n",
                      semantic_domains=["6.5.1 Building"])  # fmt: skip
    draft = add_entry(session, dictionary, "mbalame", "bird", fields={"status": "draft"},
                      semantic_domains=["1.6 Animal"])  # fmt: skip
    done = client.post(
        f"/api/dictionaries/demo/entries/{built['id']}/pronunciations",
        files={"file": ("n.wav", tone_wav(0.5, hz=440.0))}, headers=auth,
    )  # fmt: skip
    assert done.status_code == 201, done.text
    data = _data(client, auth)  # the owner sees the draft too
    records = {r[0]: r for r in data["entries"]}
    assert records[built["id"]][11] == [["6.5.1 Building", "6.5.1"]]
    assert records[built["id"]][12] == ["n"] and records[built["id"]][13] == 1
    assert records[draft["id"]][13] == 0  # never the word of the day
    (media,) = data["media"]
    assert media[3:] == [["n"], ["6.5.1 Building"]]
    plan = client.get("/api/dictionaries/demo/offline/plan", headers=auth).json()
    assert plan["audio_by_letter"] == [{"letter": "n", "count": 1, "bytes": media[2]}]
    assert plan["audio_by_domain"] == [{"domain": "6.5.1 Building", "count": 1, "bytes": media[2]}]
    # anonymous: no draft, and the plan and data agree
    public = _data(client)
    assert draft["id"] not in {r[0] for r in public["entries"]}


@pytest.mark.parametrize("person", (*OUTSIDERS, "contributor"))
def test_an_outsiders_plan_counts_no_hidden_recording_letter_or_domain(
    client,
    session,
    dictionary,
    protocol,  # noqa: F811
    person,
):
    entry = client.get(f"/api/dictionaries/demo/entries/{protocol.ids['soundless']}",
                       headers=protocol.owner.headers).json()  # fmt: skip
    entry["senses"][0]["semantic_domains"] = ["9.9 Secretgrove"]
    entry["senses"][0]["visibility"], entry["senses"][0]["circle"] = "restricted", ALPHA
    done = client.put(f"/api/dictionaries/demo/entries/{entry['id']}", json=entry,
                      headers=protocol.owner.headers)  # fmt: skip
    assert done.status_code == 200, done.text
    headers = protocol.headers(person)
    plan = client.get("/api/dictionaries/demo/offline/plan", headers=headers).json()
    assert plan["audio"]["count"] == 1  # the public recording only
    assert [x["letter"] for x in plan["audio_by_letter"]] == ["l"]
    text = client.get("/api/dictionaries/demo/offline", headers=headers).text
    assert "Secretgrove" not in text and "Secretgrove" not in json.dumps(plan)
    insider = client.get("/api/dictionaries/demo/offline/plan", headers=protocol.headers("insider"))
    assert {x["domain"] for x in insider.json()["audio_by_domain"]} == {"9.9 Secretgrove"}


def test_community_entries_only_for_members(client, session, dictionary, protocol):  # noqa: F811
    shared = add_entry(session, dictionary, "chingolo", "riverhorse",
                       fields={"visibility": "community"}, semantic_domains=["4.1 Kin"])  # fmt: skip
    related = add_entry(session, dictionary, "kuonana", "meet",
                        fields={"relations": [{"type": "synonym", "target_id": shared["id"],
                                               "target_headword": "chingolo"}]})  # fmt: skip
    people = (("anonymous", False), ("viewer", True), ("contributor", True))
    saved = {}
    for person, sees in people:
        data = saved[person] = _data(client, protocol.headers(person))
        text = json.dumps(data, ensure_ascii=False)
        for hidden in ("chingolo", "riverhorse", shared["id"], "4.1 Kin"):
            assert (hidden in text) is sees, (person, hidden)
    for entry in (shared, related):  # both written after the save: both in the delta
        entry["senses"][0]["glosses"]["en"] += "s"
        editing.update_entry(session=session, dictionary=dictionary, entry_id=entry["id"],
                             data=entry, version=entry["version"])  # fmt: skip
    for person, sees in people:
        data = saved[person]
        delta = client.get(
            "/api/dictionaries/demo/offline/changes",
            params={"since": data["generation"], "as_of": data["as_of"], "access": data["access"]},
            headers=protocol.headers(person),
        )  # fmt: skip
        assert delta.status_code == 200 and not delta.json()["full"], delta.text
        assert ("riverhorse" in delta.text) is sees and (shared["id"] in delta.text) is sees
        assert "meets" in delta.text


def test_a_dictionary_hidden_from_the_visitor_saves_nothing(client, session, dictionary, auth):
    add_entry(session, dictionary, "nyumba", "house")
    done = client.patch("/api/dictionaries/demo", json={"visibility": "private"}, headers=auth)
    assert done.status_code == 200, done.text
    for path in ("offline", "offline/plan", "offline/changes?since=0"):
        answer = client.get(f"/api/dictionaries/demo/{path}")
        assert answer.status_code in (401, 403, 404), (path, answer.status_code)
        assert "nyumba" not in answer.text
    manifest = client.get("/d/demo/manifest.webmanifest")
    assert manifest.status_code in (401, 403, 404) and "Demo Dictionary" not in manifest.text


@pytest.mark.parametrize("bad", ("-1", "x", ""))
def test_a_bad_generation_is_refused_naming_it(client, dictionary, bad):
    answer = client.get("/api/dictionaries/demo/offline/changes", params={"since": bad})
    assert answer.status_code == 422 and "since" in answer.text


@pytest.mark.parametrize("as_of", ("0001-01-01T00:00:00+00:00", "0001-01-01", "yesterday", ""))
def test_a_saved_time_that_cannot_be_used_asks_for_a_full_save(client, dictionary, as_of):
    data = _data(client)
    params = {"since": data["generation"] + 1, "as_of": as_of, "access": data["access"]}
    answer = client.get("/api/dictionaries/demo/offline/changes", params=params)
    assert answer.status_code == 200 and answer.json()["full"], answer.text
