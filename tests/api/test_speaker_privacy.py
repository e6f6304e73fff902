"""A speaker who did not agree to be named (`speaker_named` false) is named only to those who
manage the recordings: editors, owners, site admins. The consent notes (free text that can name
people) likewise. Every read path asks lexicon.accounts.access, so each is walked here as anonymous,
viewer, contributor and editor: API entry JSON, pages, exports, history; and a contributor's
proposal, accepted by an editor, keeps the name they never saw (issue 24, issue 16's rule)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from lexicon import editing, entries
from lexicon.accounts.access import Viewer
from tests.api.test_recording_consent import recorded, storage  # noqa: F401 (fixtures)
from tests.conftest import make_user

ADMIN = Viewer(is_admin=True)
SPEAKER, EX_SPEAKER = "Maria Tembo", "João Banda"
CONSENT = "oral, recorded at the start of the session"
PRIVATE = (SPEAKER, EX_SPEAKER, CONSENT)
OUTSIDERS = ("anonymous", "viewer", "contributor")


def _stored(session, dictionary, entry_id) -> dict:
    session.expire_all()
    return entries.read_entry(
        session=session, dictionary=dictionary, entry_id=entry_id, viewer=ADMIN
    )


@pytest.fixture
def unnamed(session, dictionary, recorded):  # noqa: F811
    """The recorded entry after its two speakers withdrew their agreement to be named."""
    entry = _stored(session, dictionary, recorded["id"])
    assert entry["senses"][0]["examples"][0]["source"] == EX_SPEAKER  # the upload filled it
    entry["pronunciations"][0]["speaker_named"] = False
    entry["senses"][0]["examples"][0]["recording"]["speaker_named"] = False
    return editing.update_entry(
        session=session, dictionary=dictionary, entry_id=entry["id"], data=entry,
        version=entry["version"], editor="owner@example.org",
    )  # fmt: skip


@pytest.fixture
def people(session, dictionary, owner):
    return {
        "anonymous": {},
        "viewer": make_user(session, "viewer@example.org", "viewer", dictionary).headers,
        "contributor": make_user(session, "contrib@example.org", "contributor", dictionary).headers,
        "editor": make_user(session, "editor@example.org", "editor", dictionary).headers,
        "owner": owner.headers,
    }


def _get(client, url, headers, **params) -> str:
    answer = client.get(url, headers=headers, params=params)
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    return answer.text


def _zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(
            z.read(n).decode("utf-8", "replace")
            for n in z.namelist()
            if n.endswith((".json", ".lift", ".txt", ".csv", ".sfm"))
        )


@pytest.mark.parametrize("person", OUTSIDERS)
def test_the_api_entry_hides_an_unnamed_speaker_and_the_consent_notes(
    client, people, unnamed, person
):
    text = _get(client, f"/api/dictionaries/demo/entries/{unnamed['id']}", people[person])
    for secret in PRIVATE:
        assert secret not in text, (person, secret)
    entry = json.loads(text)
    [pron] = entry["pronunciations"]
    assert (pron["speaker"], pron["consent"], pron["speaker_named"]) == ("", "", False)
    assert (pron["consent_publish"], pron["dialect"], pron["place"]) == (True, "Podzo", "Caia")
    example = entry["senses"][0]["examples"][0]
    assert example["recording"]["speaker"] == "" and example["source"] == ""
    # The list of entries reads through the same rule.
    listing = _get(client, "/api/dictionaries/demo/entries", people[person])
    assert not any(secret in listing for secret in PRIVATE)


@pytest.mark.parametrize("person", ["editor", "owner"])
def test_those_who_manage_the_recordings_see_the_speaker_and_the_notes(
    client, people, unnamed, person
):
    entry = json.loads(
        _get(client, f"/api/dictionaries/demo/entries/{unnamed['id']}", people[person])
    )
    assert (entry["pronunciations"][0]["speaker"], entry["pronunciations"][0]["consent"]) == (
        SPEAKER, CONSENT,
    )  # fmt: skip
    example = entry["senses"][0]["examples"][0]
    assert example["recording"]["speaker"] == EX_SPEAKER and example["source"] == EX_SPEAKER
    form = _get(client, f"/d/demo/edit/entries/{unnamed['id']}", people[person])
    assert SPEAKER in form and CONSENT in form


def test_a_named_speaker_is_named_to_everyone_but_the_notes_are_not(client, people, recorded):  # noqa: F811
    for person in OUTSIDERS:
        entry = json.loads(
            _get(client, f"/api/dictionaries/demo/entries/{recorded['id']}", people[person])
        )
        pron = entry["pronunciations"][0]
        assert (pron["speaker"], pron["consent"]) == (SPEAKER, ""), person
        assert entry["senses"][0]["examples"][0]["source"] == EX_SPEAKER


@pytest.mark.parametrize("person", OUTSIDERS)
def test_pages_do_not_name_an_unnamed_speaker(client, people, unnamed, person):
    page = _get(client, f"/d/demo/entries/{unnamed['id']}", people[person])
    assert not any(secret in page for secret in PRIVATE) and "<audio" in page
    if person == "contributor":  # the editor's form a contributor proposes from
        form = _get(client, f"/d/demo/edit/entries/{unnamed['id']}", people[person])
        assert 'name="pron.0.ipa"' in form or "ɲumba" in form
        assert not any(secret in form for secret in PRIVATE)


@pytest.mark.parametrize("fmt", ["json", "lift", "cldf", "mdf", "csv"])
@pytest.mark.parametrize("person", ["anonymous", "viewer", "owner"])
def test_exports_carry_an_unnamed_speaker_only_for_those_who_manage_recordings(
    client, people, unnamed, fmt, person
):
    answer = client.get(
        "/api/dictionaries/demo/export", params={"format": fmt}, headers=people[person]
    )
    assert answer.status_code == 200, answer.text[:300]
    text = _zip_text(answer.content)
    assert "ɲumba" in text  # the entry and its recording are there
    for secret in PRIVATE:  # (the CSV export has no columns for recording notes at all)
        assert (secret in text) == (person == "owner" and fmt != "csv"), (person, secret)


@pytest.mark.parametrize("person", OUTSIDERS)
def test_history_does_not_name_a_speaker_who_withdrew(client, people, unnamed, person):
    """Revisions 2 and 3 named the speakers (they had agreed then); now they have not."""
    text = _get(client, f"/api/dictionaries/demo/entries/{unnamed['id']}/revisions", people[person])
    items = json.loads(text)["items"]
    assert len(items) == 4 and items[1]["data"]["pronunciations"][0]["media"]
    for secret in PRIVATE:
        assert secret not in text, (person, secret)


def test_history_names_the_speaker_to_an_editor(client, people, unnamed):
    text = _get(
        client, f"/api/dictionaries/demo/entries/{unnamed['id']}/revisions", people["editor"]
    )
    assert SPEAKER in text and CONSENT in text


def test_a_contributors_accepted_proposal_keeps_the_name_they_never_saw(
    client, session, dictionary, people, unnamed
):
    url = f"/api/dictionaries/demo/entries/{unnamed['id']}"
    seen = json.loads(_get(client, url, people["contributor"]))
    assert seen["pronunciations"][0]["speaker"] == ""  # the old code showed them the name
    seen["senses"][0]["glosses"]["en"] = "home"
    seen["pronunciations"][0]["speaker"] = "Someone Else"  # not theirs to write: kept as is
    seen["pronunciations"][0]["consent"] = "forged"
    seen["pronunciations"][0]["dialect"] = "Sena"  # what they saw, they may change
    proposed = client.put(url, json=seen, headers=people["contributor"])
    assert proposed.status_code == 202, proposed.text[:300]
    accepted = client.post(
        f"/api/dictionaries/demo/proposals/{proposed.json()['id']}/accept",
        json={}, headers=people["editor"],
    )  # fmt: skip
    assert accepted.status_code == 200, accepted.text[:300]
    entry = _stored(session, dictionary, unnamed["id"])
    assert entry["senses"][0]["glosses"]["en"] == "home"
    pron = entry["pronunciations"][0]
    assert (pron["speaker"], pron["consent"], pron["dialect"]) == (SPEAKER, CONSENT, "Sena")
    example = entry["senses"][0]["examples"][0]
    assert example["recording"]["speaker"] == EX_SPEAKER and example["source"] == EX_SPEAKER
    assert example["recording"]["consent"] == CONSENT


def test_a_contributor_may_give_a_new_recording_its_speaker(session, dictionary, unnamed):
    """Fields the writer could not see are kept by id; a new part keeps what they wrote."""
    from lexicon.accounts import access

    contributor = Viewer(user_id=99, roles={dictionary.id: "contributor"})
    current = _stored(session, dictionary, unnamed["id"])
    seen = access.filter_entry(contributor, dictionary, current)
    seen["pronunciations"].append({"id": "new", "ipa": "x", "speaker": "Ana", "consent": "ok"})
    merged = access.keep_hidden(contributor, dictionary, current, seen)
    old, new = merged["pronunciations"]
    assert (old["speaker"], old["consent"]) == (SPEAKER, CONSENT)
    assert (new["speaker"], new["consent"]) == ("Ana", "ok")
