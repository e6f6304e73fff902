"""Contributors propose, editors accept or reject; saving an entry never loses what the saver
could not see; answers to writes never show it either."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lexicon.models import Proposal, Revision
from tests.conftest import make_user

URL = "/api/dictionaries/demo"
ENTRY = {"headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}}]}


@pytest.fixture
def people(session, dictionary):
    return {
        "contributor": make_user(session, "contrib@example.org", "contributor", dictionary),
        "other": make_user(session, "other@example.org", "contributor", dictionary),
        "editor": make_user(session, "editor@example.org", "editor", dictionary),
        "viewer": make_user(session, "viewer@example.org", "viewer", dictionary),
        "elder": make_user(session, "elder@example.org", "editor", dictionary, ["elders"]),
    }


@pytest.fixture
def entry(client, dictionary, auth):
    made = client.post(f"{URL}/entries", json=ENTRY, headers=auth)
    assert made.status_code == 201
    return made.json()


def decide(client, people, proposal_id, verdict, **body):
    return client.post(
        f"{URL}/proposals/{proposal_id}/{verdict}", json=body, headers=people["editor"].headers
    )


def test_a_proposed_new_entry_waits_until_accepted(client, session, people):
    made = client.post(
        f"{URL}/entries",
        json={"headword": {"seh": "mtsinje"}, "senses": [{"glosses": {"en": "river"}}]},
        headers=people["contributor"].headers,
    )
    assert made.status_code == 202, made.text
    proposal = made.json()
    assert proposal["status"] == "pending" and proposal["action"] == "create"
    assert proposal["author"] == "contrib@example.org"
    assert client.get(f"{URL}/entries").json()["total"] == 0
    assert client.get(f"{URL}/entries", headers=people["editor"].headers).json()["total"] == 0

    queue = client.get(f"{URL}/proposals", headers=people["editor"].headers).json()
    assert [p["id"] for p in queue["items"]] == [proposal["id"]]
    assert queue["items"][0]["data"]["headword"] == {"seh": "mtsinje"}

    accepted = decide(client, people, proposal["id"], "accept", comment="welcome")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["comment"] == "welcome"
    assert accepted.json()["reviewed_by"] == "editor@example.org"
    entry_id = accepted.json()["entry_id"]
    public = client.get(f"{URL}/entries/{entry_id}").json()
    assert (
        public["headword"] == {"seh": "mtsinje"} and public["created_by"] == "contrib@example.org"
    )
    revisions = client.get(f"{URL}/entries/{entry_id}/revisions").json()["items"]
    assert revisions[0]["action"] == "accept" and "welcome" in revisions[0]["comment"]
    # Decided once only.
    assert decide(client, people, proposal["id"], "reject").status_code == 409


def test_a_rejected_change_leaves_nothing_in_the_entry_but_stays_listed(
    client, session, people, entry
):
    changed = dict(entry, senses=[{"glosses": {"en": "hut"}}])
    made = client.put(
        f"{URL}/entries/{entry['id']}", json=changed, headers=people["contributor"].headers
    )
    assert made.status_code == 202 and made.json()["base_version"] == 1
    assert client.get(f"{URL}/entries/{entry['id']}").json()["senses"][0]["glosses"] == {
        "en": "house"
    }
    rejected = decide(client, people, made.json()["id"], "reject", comment="not a hut")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    after = client.get(f"{URL}/entries/{entry['id']}").json()
    assert after["version"] == 1 and "hut" not in str(after)
    assert session.exec(select(Revision).where(Revision.entry_id == entry["id"])).all()[1:] == []
    history = client.get(
        f"{URL}/proposals", params={"status": "rejected"}, headers=people["editor"].headers
    ).json()["items"]
    assert history[0]["comment"] == "not a hut" and history[0]["data"]["senses"][0]["glosses"] == {
        "en": "hut"
    }
    assert client.get(f"{URL}/proposals").status_code == 401  # the public sees no queue
    assert client.get(f"{URL}/proposals", headers=people["viewer"].headers).status_code == 403


def test_accepting_an_update_and_a_delete(client, people, entry):
    changed = dict(entry, senses=[{"glosses": {"en": "home"}}])
    proposal = client.put(
        f"{URL}/entries/{entry['id']}", json=changed, headers=people["contributor"].headers
    ).json()
    assert decide(client, people, proposal["id"], "accept").status_code == 200
    now = client.get(f"{URL}/entries/{entry['id']}").json()
    assert now["version"] == 2 and now["senses"][0]["glosses"] == {"en": "home"}

    gone = client.delete(
        f"{URL}/entries/{entry['id']}", headers=people["contributor"].headers
    ).json()
    assert gone["action"] == "delete"
    assert client.get(f"{URL}/entries/{entry['id']}").status_code == 200
    assert decide(client, people, gone["id"], "accept").status_code == 200
    assert client.get(f"{URL}/entries/{entry['id']}").status_code == 404


def test_a_proposal_overtaken_by_an_edit_needs_force(client, people, entry, auth):
    proposal = client.put(
        f"{URL}/entries/{entry['id']}",
        json=dict(entry, part_of_speech="v"),
        headers=people["contributor"].headers,
    ).json()
    client.put(f"{URL}/entries/{entry['id']}", json=dict(entry, part_of_speech="n"), headers=auth)
    stale = decide(client, people, proposal["id"], "accept")
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 2
    forced = decide(client, people, proposal["id"], "accept", force=True)
    assert forced.status_code == 200
    assert client.get(f"{URL}/entries/{entry['id']}").json()["part_of_speech"] == "v"


def test_who_may_do_what_in_the_queue(client, people, entry):
    mine = client.put(
        f"{URL}/entries/{entry['id']}", json=entry, headers=people["contributor"].headers
    ).json()
    own = client.get(f"{URL}/proposals", headers=people["contributor"].headers).json()
    assert [p["id"] for p in own["items"]] == [mine["id"]]
    assert client.get(f"{URL}/proposals", headers=people["other"].headers).json()["items"] == []
    contributor = people["contributor"].headers
    assert (
        client.post(f"{URL}/proposals/{mine['id']}/accept", headers=contributor).status_code == 403
    )
    assert (
        client.post(f"{URL}/entries", json=ENTRY, headers=people["viewer"].headers).status_code
        == 403
    )
    assert client.post(f"{URL}/entries", json=ENTRY).status_code == 401
    assert decide(client, people, 9999, "accept").status_code == 404
    # A stale proposal is refused when made.
    stale = client.put(
        f"{URL}/entries/{entry['id']}", json=dict(entry, version=7), headers=contributor
    )
    assert stale.status_code == 409


RESTRICTED_MIX = {
    "headword": {"seh": "mbatata"},
    "pronunciations": [
        {"ipa": "mbatata"},
        {"ipa": "secretipa", "visibility": "restricted", "circle": "elders"},
    ],
    "senses": [
        {
            "glosses": {"en": "potato"},
            "examples": [
                {"text": {"seh": "secretexample"}, "visibility": "restricted", "circle": "elders"},
                {"text": {"seh": "open example"}},
            ],
        },
        {"glosses": {"en": "secretgloss"}, "visibility": "restricted", "circle": "elders"},
    ],
}


def test_saving_what_one_sees_keeps_what_one_cannot_see(client, people, auth):
    made = client.post(f"{URL}/entries", json=RESTRICTED_MIX, headers=auth).json()
    editor = people["editor"].headers
    seen = client.get(f"{URL}/entries/{made['id']}", headers=editor).json()
    assert "secret" not in str(seen)
    seen["senses"][0]["glosses"] = {"en": "sweet potato"}
    saved = client.put(f"{URL}/entries/{made['id']}", json=seen, headers=editor)
    assert saved.status_code == 200, saved.text
    assert "secret" not in saved.text  # the answer is filtered too
    full = client.get(f"{URL}/entries/{made['id']}", headers=people["elder"].headers).json()
    assert full["senses"][0]["glosses"] == {"en": "sweet potato"}
    assert [p["ipa"] for p in full["pronunciations"]] == ["mbatata", "secretipa"]
    assert [e["text"]["seh"] for e in full["senses"][0]["examples"]] == [
        "secretexample",
        "open example",
    ]
    assert full["senses"][1]["glosses"] == {"en": "secretgloss"}

    # A stale save answers with the current entry, filtered.
    stale = client.put(f"{URL}/entries/{made['id']}", json=seen, headers=editor)
    assert stale.status_code == 409 and "secret" not in stale.text

    # A contributor's accepted proposal keeps them as well.
    contributor = people["contributor"].headers
    theirs = client.get(f"{URL}/entries/{made['id']}", headers=contributor).json()
    theirs["senses"] = theirs["senses"][:1]
    proposal = client.put(f"{URL}/entries/{made['id']}", json=theirs, headers=contributor).json()
    assert "secret" not in str(proposal)
    assert decide(client, people, proposal["id"], "accept").status_code == 200
    full = client.get(f"{URL}/entries/{made['id']}", headers=people["elder"].headers).json()
    assert "secretgloss" in str(full) and "secretexample" in str(full)


def test_editors_outside_the_circle_cannot_touch_a_restricted_entry(client, people, auth, session):
    hidden = dict(ENTRY, visibility="restricted", circle="elders")
    made = client.post(f"{URL}/entries", json=hidden, headers=auth).json()
    editor = people["editor"].headers
    url = f"{URL}/entries/{made['id']}"
    assert client.put(url, json=made, headers=editor).status_code == 404
    assert client.delete(url, headers=editor).status_code == 404
    assert client.post(f"{url}/revisions/1/restore", headers=editor).status_code == 404
    assert client.get(f"{url}/revisions", headers=editor).status_code == 404
    assert client.put(url, json=made, headers=people["contributor"].headers).status_code == 404
    assert session.exec(select(Proposal)).all() == []
    assert client.put(url, json=made, headers=people["elder"].headers).status_code == 200


def test_history_hides_what_was_restricted_later(client, people, auth):
    open_entry = {
        "headword": {"seh": "madzi"},
        "senses": [{"glosses": {"en": "water"}, "examples": [{"text": {"seh": "sacredline"}}]}],
    }
    made = client.post(f"{URL}/entries", json=open_entry, headers=auth).json()
    made["senses"][0]["examples"][0].update(visibility="restricted", circle="elders")
    assert client.put(f"{URL}/entries/{made['id']}", json=made, headers=auth).status_code == 200
    history = client.get(f"{URL}/entries/{made['id']}/revisions")
    assert history.status_code == 200 and history.json()["total"] == 2
    assert "sacredline" not in history.text
    elder = client.get(f"{URL}/entries/{made['id']}/revisions", headers=people["elder"].headers)
    assert "sacredline" in elder.text
