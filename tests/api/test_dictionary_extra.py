"""Issue #16, finding 7: server-owned parts of a dictionary's `extra` (the print fonts, whose
hash and key become paths) are written by no client path, and are checked where they are used;
who may create a dictionary (and so own one) is a site setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from lexicon import entries
from lexicon.errors import InvalidInput
from lexicon.media.storage import storage_from_url
from lexicon.printing.uploads import print_font_dirs
from lexicon.shape.extra import SERVER_OWNED

FONT = (Path(__file__).parents[1] / "fixtures" / "fonts" / "codicon.ttf").read_bytes()
FONTS_URL = "/api/dictionaries/demo/print/fonts"
EVIL = [{"family": "x", "sha256": "../../../../tmp/evil", "key": "../../../etc/passwd"}]


def test_server_owned_keys_are_named_in_one_place():
    assert {"print_fonts", "lift", "ws_map"} <= set(SERVER_OWNED)


def test_patch_cannot_write_print_fonts(client, dictionary, auth, session):
    for fonts in (EVIL, [{"family": "x", "sha256": "a" * 64, "key": "audio/original/aa/x"}]):
        answer = client.patch(
            "/api/dictionaries/demo", json={"extra": {"print_fonts": fonts}}, headers=auth
        )
        assert answer.status_code == 422, answer.text
        assert "extra.print_fonts" in answer.json()["detail"]
    for key in ("lift", "ws_map"):
        answer = client.patch("/api/dictionaries/demo", json={"extra": {key: {}}}, headers=auth)
        assert answer.status_code == 422 and f"extra.{key}" in answer.json()["detail"]
    session.expire_all()
    assert "print_fonts" not in (entries.get_dictionary(session=session, slug="demo").extra or {})


def test_post_cannot_write_print_fonts(client, admin, session):
    answer = client.post(
        "/api/dictionaries",
        json={"slug": "evil", "title": "Evil", "extra": {"print_fonts": EVIL}},
        headers=admin.headers,
    )
    assert answer.status_code == 422, answer.text
    assert "extra.print_fonts" in answer.json()["detail"]
    assert client.get("/api/dictionaries/evil").status_code == 404  # nothing written


def test_client_extra_keeps_the_uploaded_fonts(client, dictionary, auth):
    added = client.post(FONTS_URL, files={"file": ("codicon.ttf", FONT)}, headers=auth)
    assert added.status_code == 201, added.text
    got = client.get("/api/dictionaries/demo").json()["extra"]
    # A client's own keys are its to change; sending the fonts back unchanged is accepted.
    back = client.patch(
        "/api/dictionaries/demo", json={"extra": {**got, "note": "mine"}}, headers=auth
    )
    assert back.status_code == 200, back.text
    # Leaving them out does not remove them either.
    kept = client.patch("/api/dictionaries/demo", json={"extra": {"note": "x"}}, headers=auth)
    assert kept.status_code == 200
    assert kept.json()["extra"]["note"] == "x"
    assert kept.json()["extra"]["print_fonts"] == got["print_fonts"]
    assert [f["family"] for f in client.get(FONTS_URL).json()] == ["codicon"]


@pytest.mark.parametrize(
    "record",
    [
        {"family": "x", "sha256": "../../../../tmp/evil", "key": "print-fonts/demo/x.ttf"},
        {"family": "x", "sha256": "A" * 64, "key": "print-fonts/demo/" + "A" * 64 + ".ttf"},
        # Another dictionary's font, and a recording of this one: hex, but not under the prefix.
        {"family": "x", "sha256": "b" * 64, "key": "print-fonts/other/" + "b" * 64 + ".ttf"},
        {"family": "x", "sha256": "b" * 64, "key": "audio/original/bb/" + "b" * 64},
    ],
)
def test_font_records_are_checked_where_they_become_paths(
    session, dictionary, media_dir, tmp_path, record
):
    """Defence in depth: a bad record that got in some other way (an old PATCH, a hand-edited
    row) is refused before its hash or key is used, and nothing is read or written."""
    storage = storage_from_url(str(media_dir))
    key = record["key"]
    if ".." not in key:
        storage.put(key, __import__("io").BytesIO(FONT), content_type="font/ttf")
    dictionary.extra = {"print_fonts": [record]}  # past the store, as a tampered row would be
    session.add(dictionary)
    session.commit()
    cache = tmp_path / "cache"
    with pytest.raises(InvalidInput, match=r"extra\.print_fonts\[0\]"):
        print_font_dirs(dictionary=dictionary, storage=storage, cache_dir=cache)
    assert not (cache / "fonts").exists()


def test_only_site_admins_create_dictionaries_by_default(client, owner, admin):
    body = {"slug": "sena", "title": "Sena"}
    refused = client.post("/api/dictionaries", json=body, headers=owner.headers)
    assert refused.status_code == 403, refused.text
    assert "WORDKEEP_DICTIONARY_CREATORS" in refused.json()["detail"]
    assert client.get("/api/dictionaries/sena").status_code == 404
    made = client.post("/api/dictionaries", json=body, headers=admin.headers)
    assert made.status_code == 201, made.text


def test_anyone_signed_in_may_create_when_the_site_says_so(settings, engine, owner):
    app = create_app(settings.model_copy(update={"dictionary_creators": "anyone"}), engine=engine)
    with TestClient(app) as client:
        body = {"slug": "sena", "title": "Sena"}
        assert client.post("/api/dictionaries", json=body).status_code == 401
        made = client.post("/api/dictionaries", json=body, headers=owner.headers)
        assert made.status_code == 201, made.text
        # The creator owns it.
        patched = client.patch(
            "/api/dictionaries/sena", json={"title": "Sena 2"}, headers=owner.headers
        )
        assert patched.status_code == 200
