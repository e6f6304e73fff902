"""Two keepers saving one text through the JSON API (`PUT .../texts/{id}`), as the editor's form
does: a change sent against an older version is merged with the saves made since (saved at
once, `merged`), a clash answers 409 naming each (base, mine, theirs) and saves nothing, and the
same text sent again with a choice per clash saves it, keeping mine in history; a keeper outside
a sentence's circle never sees it through any of it, and it stays as it is."""

from __future__ import annotations

import copy

import pytest

from lexicon import texts
from tests.api.test_text_conflicts import story
from tests.factories import make_user

API = "/api/dictionaries/demo/texts"


@pytest.fixture
def made(session, dictionary):
    return texts.create_text(session=session, dictionary=dictionary, data=story())


def put(client, auth, text: dict, version: int, **extra):
    body = dict(copy.deepcopy(text), **extra)
    return client.put(
        f"{API}/{text['id']}", json=body, headers={**auth, "If-Match": f'"{version}"'}
    )


def stored(session, dictionary, text_id) -> dict:
    session.rollback()  # a new snapshot: the app wrote through its own session
    return texts.read_text(session=session, dictionary=dictionary, text_id=text_id)


def history(client, auth, text_id) -> list[dict]:
    return client.get(f"{API}/{text_id}/revisions", headers=auth).json()["items"]


def test_changes_apart_are_merged_at_once(client, auth, session, dictionary, made):
    mine = client.get(f"{API}/{made['id']}", headers=auth).json()
    theirs = copy.deepcopy(mine)
    theirs["segments"][2]["translation"] = {"en": "to the farm"}
    assert put(client, auth, theirs, 1).json()["merged"] is False  # someone else, first
    mine["segments"][0]["text"] = {"seh": "Ndiye pa tsiku linango"}
    mine["segments"].append({"start": 3.0, "end": 3.5, "text": {"seh": "kuti"}})
    saved = put(client, auth, mine, 1)
    assert saved.status_code == 200, saved.text
    assert saved.json()["merged"] is True and saved.headers["ETag"] == '"3"'
    now = stored(session, dictionary, made["id"])
    assert [s["text"]["seh"] for s in now["segments"]] == [
        "Ndiye pa tsiku linango", "ndidapita", "kumunda", "kuti"]  # fmt: skip
    assert now["segments"][2]["translation"] == {"en": "to the farm"}
    assert history(client, auth, made["id"])[0]["comment"] == (
        "merged with a save made at the same time"
    )
    again = put(client, auth, mine, 1)  # sent twice (a retry): nothing new to save
    assert again.status_code == 200 and again.json()["version"] == 3
    assert len(stored(session, dictionary, made["id"])["segments"]) == 4


def _clash(client, auth, made) -> tuple[dict, object]:
    """Ben retitles the text and moves sentence 2; the keeper, from version 1, retitles it
    too, retypes sentence 2 and changes the genre (which Ben left alone)."""
    opened = client.get(f"{API}/{made['id']}", headers=auth).json()
    bens = copy.deepcopy(opened)
    bens["title"] = {"seh": "Nkhani ya Ben"}
    bens["segments"][1]["start"] = 1.2
    assert put(client, auth, bens, 1).status_code == 200
    mine = copy.deepcopy(opened)
    mine.update(title={"seh": "Nkhani yanga"}, genre="history")
    mine["segments"][1]["text"] = {"seh": "ndidapita kumunda"}
    return mine, put(client, auth, mine, 1)


def test_a_clash_is_named_and_nothing_is_saved(client, auth, session, dictionary, made):
    _, answer = _clash(client, auth, made)
    assert answer.status_code == 409
    body = answer.json()
    assert "since version 1" in body["detail"] and body["current"]["version"] == 2
    second = made["segments"][1]["id"]
    title, sentence = body["clashes"]
    assert title == {
        "key": "title", "field": "title", "segment_id": None, "number": None,
        "base": {"title": {"seh": "Nkhani"}}, "mine": {"title": {"seh": "Nkhani yanga"}},
        "theirs": {"title": {"seh": "Nkhani ya Ben"}},
    }  # fmt: skip
    assert (sentence["key"], sentence["segment_id"], sentence["number"]) == (
        f"segment:{second}", second, 2)  # fmt: skip
    assert sentence["base"]["text"] == {"seh": "ndidapita"} and sentence["base"]["start"] == 1.0
    assert sentence["mine"]["text"] == {"seh": "ndidapita kumunda"}
    assert sentence["theirs"]["start"] == 1.2 and sentence["theirs"]["text"] == {"seh": "ndidapita"}
    now = stored(session, dictionary, made["id"])
    assert now["version"] == 2 and now["genre"] == made["genre"]  # nothing of mine yet


@pytest.mark.parametrize(
    ("resolve", "title", "second", "kept_in_history"),
    [
        ({"choices": {"title": "mine", "segment": "theirs"}}, "Nkhani yanga", "ndidapita", True),
        ({"every": "mine"}, "Nkhani yanga", "ndidapita kumunda", False),
        ({"choices": {"title": "theirs"}}, "Nkhani ya Ben", "ndidapita", True),  # unnamed: theirs
    ],
)  # fmt: skip
def test_sent_again_with_a_choice(client, auth, session, dictionary, made, resolve, title,
                                  second, kept_in_history):  # fmt: skip
    mine, _ = _clash(client, auth, made)
    choices = {(f"segment:{made['segments'][1]['id']}" if k == "segment" else k): v
               for k, v in resolve.get("choices", {}).items()}  # fmt: skip
    answer = put(client, auth, mine, 1, resolve=dict(resolve, their_version=2, choices=choices))
    assert answer.status_code == 200, answer.text
    assert answer.json()["merged"] is True
    now = stored(session, dictionary, made["id"])
    assert now["title"] == {"seh": title} and now["segments"][1]["text"] == {"seh": second}
    assert now["genre"] == "history"  # mine alone: kept whichever side is chosen
    assert now["version"] == (4 if kept_in_history else 3)
    if kept_in_history:  # all of mine, as sent, is a revision of its own
        kept = history(client, auth, made["id"])[1]
        assert kept["comment"] == "edit made at the same time as another; kept in history"
        assert kept["data"]["title"] == {"seh": "Nkhani yanga"}
        assert kept["data"]["segments"][1]["text"] == {"seh": "ndidapita kumunda"}


def test_a_choice_made_on_an_old_comparison_compares_again(client, auth, session, dictionary,
                                                           made):  # fmt: skip
    mine, _ = _clash(client, auth, made)
    now = client.get(f"{API}/{made['id']}", headers=auth).json()
    now["segments"][1]["translation"] = {"en": "I walked"}
    assert put(client, auth, now, 2).status_code == 200  # a third save, while choosing
    again = put(client, auth, mine, 1, resolve={"their_version": 2, "every": "mine"})
    assert again.status_code == 409 and again.json()["current"]["version"] == 3
    assert stored(session, dictionary, made["id"])["version"] == 3
    for bad in ({"every": "mine"}, {"their_version": 3, "every": "all"},
                {"their_version": 3, "choices": {"title": "mien"}}, "mine"):  # fmt: skip
        refused = put(client, auth, mine, 1, resolve=bad)
        assert refused.status_code == 422 and "resolve" in refused.json()["detail"], bad
    done = put(client, auth, mine, 1, resolve={"their_version": 3, "every": "mine"})
    assert done.status_code == 200 and done.json()["version"] == 4


def test_the_version_edited_must_be_said(client, auth, made):
    text = client.get(f"{API}/{made['id']}", headers=auth).json()
    body = {k: v for k, v in text.items() if k != "version"}
    missing = client.put(f"{API}/{made['id']}", json=body, headers=auth)
    assert missing.status_code == 422 and "version" in missing.json()["detail"]
    wrong = client.put(f"{API}/{made['id']}", json=dict(body, version="one"), headers=auth)
    assert wrong.status_code == 422 and "version" in wrong.json()["detail"]
    assert client.put(f"{API}/{made['id']}", json=text).status_code in (401, 403)


def test_a_keeper_outside_the_circle(client, session, dictionary):
    """The outsider's merges and clashes never show the elders' sentence, which stays as the
    elders left it; their edit of a sentence the elders took into their circle meanwhile is
    kept as a sentence of its own."""
    data = story()
    data["segments"].append({"start": 3.0, "end": 3.5, "text": {"seh": "chinsinsi"},
                             "translation": {"en": "a secret"}, "visibility": "restricted",
                             "circle": "elders"})  # fmt: skip
    made = texts.create_text(session=session, dictionary=dictionary, data=data)
    outsider = make_user(session, "editor@example.org", "editor", dictionary).headers
    elder = make_user(session, "elder@example.org", "editor", dictionary, circles=["elders"])
    opened = client.get(f"{API}/{made['id']}", headers=outsider).json()
    assert len(opened["segments"]) == 3 and "chinsinsi" not in str(opened)

    elders = client.get(f"{API}/{made['id']}", headers=elder.headers).json()
    elders["segments"][0]["text"] = {"seh": "Ndiye"}
    elders["segments"][3]["text"] = {"seh": "chinsinsi chathu"}
    assert put(client, elder.headers, elders, 1).status_code == 200

    mine = copy.deepcopy(opened)
    mine["segments"][1]["translation"] = {"en": "I went off"}
    merged = put(client, outsider, mine, 1)
    assert merged.status_code == 200 and merged.json()["merged"] is True
    assert "chinsinsi" not in merged.text and "a secret" not in merged.text
    mine["segments"][0]["text"] = {"seh": "Ndiye pa tsiku linango"}  # the elder changed it too
    clash = put(client, outsider, mine, 1)
    assert clash.status_code == 409 and "chinsinsi" not in clash.text
    assert [c["number"] for c in clash.json()["clashes"]] == [1]
    done = put(client, outsider, mine, 1, resolve={"their_version": 3, "every": "mine"})
    assert done.status_code == 200 and "chinsinsi" not in done.text
    whole = stored(session, dictionary, made["id"])
    assert [s["text"]["seh"] for s in whole["segments"]] == [
        "Ndiye pa tsiku linango", "ndidapita", "kumunda", "chinsinsi chathu"]  # fmt: skip
    assert whole["segments"][3]["circle"] == "elders"
    assert whole["segments"][1]["translation"] == {"en": "I went off"}

    # The elder takes sentence 3 into the circle while the outsider changes it.
    elders = client.get(f"{API}/{made['id']}", headers=elder.headers).json()
    elders["segments"][2].update(visibility="restricted", circle="elders")
    assert put(client, elder.headers, elders, elders["version"]).status_code == 200
    mine = copy.deepcopy(done.json())  # the outsider's, from before the elder's save
    mine["segments"][2]["translation"] = {"en": "to our field"}
    clash = put(client, outsider, mine, mine["version"])
    assert clash.status_code == 409
    [removed] = clash.json()["clashes"]
    assert removed["theirs"] is None and removed["mine"]["translation"] == {"en": "to our field"}
    resolve = {"their_version": mine["version"] + 1, "choices": {removed["key"]: "mine"}}
    assert put(client, outsider, mine, mine["version"], resolve=resolve).status_code == 200
    whole = stored(session, dictionary, made["id"])
    hidden = [s for s in whole["segments"] if s["id"] == removed["segment_id"]]
    assert hidden[0]["circle"] == "elders" and hidden[0]["translation"] == {"en": "to the field"}
    hers = [s for s in whole["segments"] if s["translation"] == {"en": "to our field"}]
    assert len(hers) == 1 and hers[0]["id"] != removed["segment_id"]
    assert hers[0]["visibility"] == "public"


def test_a_text_deleted_or_hidden_meanwhile(client, auth, session, dictionary, made):
    """Nothing is saved and the answer says why: 410 for a text deleted meanwhile (restore it,
    then send the same change again: it is merged), 404 for one hidden from the sender."""
    mine = client.get(f"{API}/{made['id']}", headers=auth).json()
    mine["segments"][0]["translation"] = {"en": "Then, one day"}
    assert client.delete(f"{API}/{made['id']}", headers=auth).status_code == 204
    gone = put(client, auth, mine, 1)
    assert gone.status_code == 410
    assert "was deleted" in gone.json()["detail"] and "revision 1" in gone.json()["detail"]
    assert client.post(f"{API}/{made['id']}/revisions/1/restore", headers=auth).status_code == 200
    back = put(client, auth, mine, 1)
    assert back.status_code == 200 and back.json()["merged"] is True
    assert back.json()["segments"][0]["translation"] == {"en": "Then, one day"}

    outsider = make_user(session, "editor@example.org", "editor", dictionary).headers
    theirs = client.get(f"{API}/{made['id']}", headers=outsider).json()
    restricted = dict(back.json(), visibility="restricted", circle="elders", genre="secret")
    assert put(client, auth, restricted, back.json()["version"]).status_code == 200
    theirs["segments"][1]["translation"] = {"en": "I walked"}
    hidden = put(client, outsider, theirs, theirs["version"])
    assert hidden.status_code == 404 and "nothing was saved" in hidden.json()["detail"]
    assert "secret" not in hidden.text and "elders" not in hidden.text
    assert stored(session, dictionary, made["id"])["segments"][1]["translation"] == {"en": "I went"}
