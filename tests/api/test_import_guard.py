"""An editor's import changes only what that editor may see (lexicon.io.import_guard), on the
protocol cases (tests/protocol_cases.py): "restricted" is an entry of circle alpha, "nested" a
public entry with a sense of circle alpha, "soundless" a public entry whose recording is
alpha's. The editor is outside alpha; the owner sees everything."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from lexicon import texts
from tests.protocol_cases import ALPHA

API = "/api/dictionaries/demo"


def _import(client, headers, document: dict, name="mine.json", data=None):
    body = json.dumps(document).encode()
    return client.post(f"{API}/imports", files={"file": (name, body)}, data=data or {},
                       headers=headers)  # fmt: skip


def _entry(client, protocol, name: str, person="owner") -> dict:
    answer = client.get(f"{API}/entries/{protocol.ids[name]}", headers=protocol.headers(person))
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("route", ["sync", "job"])
def test_an_entry_hidden_from_the_editor_is_not_theirs_to_import(client, protocol, route):
    before = _entry(client, protocol, "restricted")
    forged = {"id": before["id"], "headword": {"seh": "overwritten"},
              "senses": [{"glosses": {"en": "gone"}}]}  # fmt: skip
    editor = protocol.headers("editor_outside")
    if route == "sync":
        answer = _import(client, editor, {"entries": [forged]})
        assert answer.status_code == 422, answer.text
        message = answer.json()["detail"]
    else:
        answer = _import(client, editor, {"entries": [forged]}, data={"stream": "true"})
        assert answer.status_code == 200
        last = json.loads(answer.text.strip().splitlines()[-1])
        message = last["error"]["detail"]
    assert before["id"] in message and "may not change" in message
    assert _entry(client, protocol, "restricted") == before  # nothing written
    dry = _import(client, editor, {"entries": [forged]}, data={"dry_run": "true"})
    assert dry.status_code == 200, dry.text
    assert [before["id"] in e["message"] for e in dry.json()["errors"]] == [True]
    assert (dry.json()["updated"], dry.json()["created"]) == (0, 0)  # refused, not counted


def test_parts_hidden_from_the_editor_stay_as_they_are(client, protocol):
    """The editor exports what they see, corrects a gloss, imports it back: the gloss changes,
    the alpha sense (with its example and subsense) and the alpha recording stay."""
    editor = protocol.headers("editor_outside")
    nested_before = _entry(client, protocol, "nested")
    soundless_before = _entry(client, protocol, "soundless")
    seen = [_entry(client, protocol, name, "editor_outside") for name in ("nested", "soundless")]
    assert len(seen[0]["senses"]) == 1 and seen[1]["pronunciations"] == []
    seen[0]["senses"][0]["glosses"]["en"] = "corrected gloss"
    seen[1]["senses"][0]["glosses"]["en"] = "corrected too"
    answer = _import(client, editor, {"entries": seen})
    assert answer.status_code == 201, answer.text
    assert answer.json()["updated"] == 2
    nested = _entry(client, protocol, "nested")
    assert nested["senses"][0]["glosses"]["en"] == "corrected gloss"
    assert nested["senses"][1] == nested_before["senses"][1]  # alpha's sense, whole
    soundless = _entry(client, protocol, "soundless")
    assert soundless["senses"][0]["glosses"]["en"] == "corrected too"
    assert soundless["pronunciations"] == soundless_before["pronunciations"]
    assert client.get(f"/media/demo/{protocol.shas['recording']}").status_code == 404


def test_a_file_the_editor_may_not_hear_is_not_named_by_an_import(client, protocol):
    sha = protocol.shas["recording"]
    audio = {"glosses": {"en-Zxxx-x-audio": {"audio_href": "g.wav", "sha256": sha}}}
    document = {"entries": [{
        "headword": {"seh": "kamwe"}, "pronunciations": [{"media": {"sha256": sha}}],
        "senses": [{"glosses": {"en": "thing"}, "extra": {"lift": {"audio": audio}}}],
    }]}  # fmt: skip
    answer = _import(client, protocol.headers("editor_outside"), document)
    assert answer.status_code == 201, answer.text
    found = client.get(f"{API}/entries", params={"letter": "k"}, headers=protocol.owner.headers)
    entry = next(e for e in found.json()["items"] if e["headword"]["seh"] == "kamwe")
    assert sha not in json.dumps(entry)  # as a file the dictionary does not have
    assert client.get(f"/media/demo/{sha}").status_code == 404
    # The owner may hear it, so the owner's import names it.
    answer = _import(client, protocol.owner.headers, document)
    assert answer.status_code == 201, answer.text
    found = client.get(f"{API}/entries", params={"letter": "k"}, headers=protocol.owner.headers)
    assert sum(sha in json.dumps(e) for e in found.json()["items"]) == 1


def test_a_lift_deletion_of_a_hidden_entry_is_refused(client, protocol):
    lift = client.get(f"{API}/export", params={"format": "lift"}, headers=protocol.owner.headers)
    assert lift.status_code == 200, lift.text
    with zipfile.ZipFile(io.BytesIO(lift.content)) as package:
        name = next(n for n in package.namelist() if n.endswith(".lift"))
        body = package.read(name).decode()
    restricted = protocol.ids["restricted"]
    entries = re.findall(r"<entry\b.*?</entry>", body, flags=re.S)
    hidden = next(e for e in entries if f'guid="{restricted}"' in e.split(">", 1)[0])
    deleted = re.sub(r"<entry\b", '<entry dateDeleted="2026-12-01T00:00:00Z"', hidden, count=1)
    document = body[: body.index("<entry")] + deleted + "</lift>\n"
    answer = client.post(f"{API}/imports", files={"file": ("d.lift", document.encode())},
                         headers=protocol.headers("editor_outside"))  # fmt: skip
    assert answer.status_code == 422, answer.text
    assert restricted in answer.json()["detail"]
    assert _entry(client, protocol, "restricted")["deleted"] is False


def test_a_text_hidden_from_the_editor_is_not_theirs_to_import(
    client, session, dictionary, protocol
):
    data = {"title": {"seh": "Elders' story"}, "visibility": "restricted", "circle": ALPHA,
            "segments": [{"start": 0, "end": 1, "text": {"seh": "mawu akale"}}]}  # fmt: skip
    text = texts.import_text(session=session, storage=None, dictionary=dictionary, data=data)
    forged = {"id": text["id"], "title": {"seh": "Mine now"},
              "segments": [{"start": 0, "end": 1, "text": {"seh": "zanga"}}]}  # fmt: skip
    answer = _import(client, protocol.headers("editor_outside"), {"entries": [], "texts": [forged]})
    assert answer.status_code == 422, answer.text
    assert text["id"] in answer.json()["detail"]
    kept = texts.read_text(session=session, dictionary=dictionary, text_id=text["id"])
    assert kept["title"] == {"seh": "Elders' story"} and kept["version"] == 1
