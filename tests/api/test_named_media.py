"""A write may name a stored file by its sha256 only if its writer may hear or see that file:
otherwise knowing a restricted recording's sha256 would be enough to put it on a public entry,
where every visitor could then play it (a file is served to whoever sees one part using it).

The protocol cases (tests/protocol_cases.py): "soundless" is a public entry whose recording is
restricted to circle alpha; "pictured" has a picture in a sense of circle alpha. The editor and
the contributor are outside alpha, the insider is in it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lexicon.models import Pronunciation, Proposal
from tests.factories import make_user
from tests.protocol_cases import ALPHA, PICTURE

API = "/api/dictionaries/demo"
REFUSED = "no stored file with sha256"


def _heard_by_anyone(client, sha: str) -> bool:
    return client.get(f"/media/demo/{sha}").status_code == 200


def _with_recording(sha: str, word: str = "kamwe") -> dict:
    return {"headword": {"seh": word}, "senses": [{"glosses": {"en": "thing"}}],
            "pronunciations": [{"ipa": "kamwe", "media": {"sha256": sha}}]}  # fmt: skip


@pytest.mark.parametrize("what", ["recording", "picture"])
def test_an_editor_outside_the_circle_cannot_name_its_file(client, protocol, what):
    sha = protocol.shas[what]
    editor = protocol.headers("editor_outside")
    data = _with_recording(sha)
    if what == "picture":
        data = {"headword": {"seh": "kamwe"},
                "senses": [{"glosses": {"en": "thing"}, "pictures": [{"media": {"sha256": sha}}]}]}  # fmt: skip
    answer = client.post(f"{API}/entries", json=data, headers=editor)
    assert answer.status_code == 422, answer.text
    assert REFUSED in answer.text and sha in answer.text  # as for a file that is not there
    assert not _heard_by_anyone(client, sha)
    # Into an entry that exists, public, as an edit.
    entry = client.get(f"{API}/entries/{protocol.ids['voiced']}", headers=editor).json()
    entry["pronunciations"].append({"media": {"sha256": sha}})
    answer = client.put(f"{API}/entries/{entry['id']}", json=entry, headers=editor)
    assert answer.status_code == 422 and REFUSED in answer.text
    assert not _heard_by_anyone(client, sha)


def test_nor_in_an_audio_form_nor_in_a_proposal(client, session, protocol):
    sha = protocol.shas["recording"]
    editor = protocol.headers("editor_outside")
    entry = client.get(f"{API}/entries/{protocol.ids['voiced']}", headers=editor).json()
    audio = {"glosses": {"en-Zxxx-x-audio": {"audio_href": "g.wav", "sha256": sha}}}
    entry["senses"][0]["extra"] = {"lift": {"audio": audio}}
    answer = client.put(f"{API}/entries/{entry['id']}", json=entry, headers=editor)
    assert answer.status_code == 422 and REFUSED in answer.text
    assert not _heard_by_anyone(client, sha)
    # A contributor's proposal is refused when it is made, not when a reviewer accepts it.
    answer = client.post(f"{API}/entries", json=_with_recording(sha),
                         headers=protocol.headers("contributor"))  # fmt: skip
    assert answer.status_code == 422 and REFUSED in answer.text
    assert session.exec(select(func.count()).select_from(Proposal)).scalar_one() == 0


def test_a_member_of_the_circle_may_reuse_it_and_hidden_parts_stay(
    client, session, dictionary, protocol
):
    sha = protocol.shas["recording"]
    # An editor in the circle hears it: naming it is theirs to decide (on a restricted part).
    insider = make_user(session, "keeper@example.org", "editor", dictionary, [ALPHA]).headers
    data = _with_recording(sha, "kamwe")
    data["pronunciations"][0].update(visibility="restricted", circle=ALPHA)
    answer = client.post(f"{API}/entries", json=data, headers=insider)
    assert answer.status_code == 201, answer.text
    # The editor outside saves the entry holding the hidden recording, as they see it: the
    # recording is put back where it was, and the save is not refused for it.
    editor = protocol.headers("editor_outside")
    entry = client.get(f"{API}/entries/{protocol.ids['soundless']}", headers=editor).json()
    assert entry["pronunciations"] == []
    entry["senses"][0]["glosses"]["en"] = "hushmarten, quiet"
    answer = client.put(f"{API}/entries/{entry['id']}", json=entry, headers=editor)
    assert answer.status_code == 200, answer.text
    held = session.exec(
        select(func.count()).select_from(Pronunciation).where(Pronunciation.media_sha256 == sha)
    ).scalar_one()
    assert held == 2  # the soundless entry's, kept, and the insider's
    assert not _heard_by_anyone(client, sha)


def test_uploading_the_same_bytes_is_not_naming(client, protocol):
    """An editor who holds the picture's bytes may upload them to a public sense: the file is
    theirs to share, and the upload names it by what was sent."""
    editor = protocol.headers("editor_outside")
    entry = client.get(f"{API}/entries/{protocol.ids['voiced']}", headers=editor).json()
    answer = client.post(
        f"{API}/entries/{entry['id']}/senses/{entry['senses'][0]['id']}/pictures",
        files={"file": ("basket.png", PICTURE.read_bytes())}, data={"visibility": "public"},
        headers=editor,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert answer.json()["senses"][0]["pictures"][0]["media"]["sha256"] == protocol.shas["picture"]


def test_restoring_a_revision_does_not_bring_back_a_file_out_of_sight(client, protocol):
    """Revision 1 had alpha's recording on a public pronunciation (the owner's choice then);
    revision 2 took it off. The editor outside alpha may not put it back by a restore."""
    sha = protocol.shas["recording"]
    owner, editor = protocol.owner.headers, protocol.headers("editor_outside")
    made = client.post(f"{API}/entries", json=_with_recording(sha), headers=owner).json()
    made["pronunciations"] = []
    assert client.put(f"{API}/entries/{made['id']}", json=made, headers=owner).status_code == 200
    answer = client.post(f"{API}/entries/{made['id']}/revisions/1/restore", headers=editor)
    assert answer.status_code == 422, answer.text
    assert "revision 1 names a recording or picture you may not hear" in answer.text
    assert not _heard_by_anyone(client, sha)
    assert client.get(f"{API}/entries/{made['id']}").json()["version"] == 2  # nothing saved
