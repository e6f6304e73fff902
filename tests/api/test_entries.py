"""The entries API contract (DESIGN.md): create, read, update with versions, history, restore."""

import unicodedata

ENTRY = {
    "headword": {"seh": "nyumba"},
    "part_of_speech": "n",
    "pronunciations": [{"ipa": "ɲumba"}],
    "senses": [
        {
            "glosses": {"en": "house", "pt": "casa"},
            "definitions": {"en": "a building people live in"},
            "semantic_domains": ["6.5.1 Building"],
            "examples": [{"text": {"seh": "Nyumba yanga"}, "translations": {"en": "My house"}}],
        }
    ],
}


def url(*parts):
    return "/api/dictionaries/demo/entries" + "".join(f"/{p}" for p in parts)


def test_health(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_create_read_update_conflict_history_restore(client, dictionary, auth):
    created = client.post(url(), json=ENTRY, headers=auth)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["version"] == 1
    assert entry["senses"][0]["glosses"] == {"en": "house", "pt": "casa"}
    assert entry["senses"][0]["examples"][0]["translations"] == {"en": "My house"}
    assert entry["pronunciations"][0]["ipa"] == "ɲumba"

    got = client.get(url(entry["id"]))
    assert got.status_code == 200 and got.json() == entry
    assert got.headers["etag"] == '"1"'

    changed = dict(entry, senses=[dict(entry["senses"][0], glosses={"en": "home"})])
    ok = client.put(url(entry["id"]), json=changed, headers=auth)
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == 2
    # Sense ids stay stable across an update.
    assert ok.json()["senses"][0]["id"] == entry["senses"][0]["id"]

    stale = client.put(url(entry["id"]), json=dict(changed, headword={"seh": "lost"}), headers=auth)
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == 2
    assert stale.json()["current"]["senses"][0]["glosses"] == {"en": "home"}
    assert client.get(url(entry["id"])).json()["headword"] == {"seh": "nyumba"}

    # If-Match names the version too.
    by_header = dict(changed, version=None, status="needs_review")
    assert (
        client.put(
            url(entry["id"]), json=by_header, headers={**auth, "If-Match": '"1"'}
        ).status_code
        == 409
    )

    revisions = client.get(url(entry["id"], "revisions")).json()
    assert revisions["total"] == 2
    assert [r["action"] for r in revisions["items"]] == ["create", "update"]
    assert revisions["items"][0]["data"]["senses"][0]["glosses"]["en"] == "house"

    restored = client.post(url(entry["id"], "revisions", 1, "restore"), headers=auth)
    assert restored.status_code == 200, restored.text
    assert restored.json()["version"] == 3
    assert restored.json()["senses"][0]["glosses"] == {"en": "house", "pt": "casa"}
    assert client.get(url(entry["id"], "revisions")).json()["total"] == 3


def test_nfd_comes_back_nfc(client, dictionary, auth):
    nfd = unicodedata.normalize("NFD", "ŋ̀gàmà")
    body = {
        "headword": {"seh": nfd},
        "senses": [{"glosses": {"en": unicodedata.normalize("NFD", "río")}}],
    }
    entry = client.post(url(), json=body, headers=auth).json()
    assert entry["headword"]["seh"] == unicodedata.normalize("NFC", nfd)
    assert entry["headword"]["seh"] != nfd
    assert entry["senses"][0]["glosses"]["en"] == "río"


def test_delete_is_soft_and_restorable(client, dictionary, auth):
    entry = client.post(url(), json=ENTRY, headers=auth).json()
    assert client.delete(url(entry["id"]), headers=auth).status_code == 204
    assert client.get(url(entry["id"])).status_code == 404
    assert client.get(url()).json()["total"] == 0
    history = client.get(url(entry["id"], "revisions"), headers=auth).json()
    assert [r["action"] for r in history["items"]] == ["create", "delete"]
    back = client.post(url(entry["id"], "revisions", 1, "restore"), headers=auth)
    assert back.status_code == 200 and back.json()["deleted"] is False
    assert client.get(url(entry["id"])).status_code == 200


def test_bad_input_is_422_or_404_never_500(client, dictionary, auth):
    missing = client.post(url(), json={"senses": []}, headers=auth)
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"][-1] == "headword"
    blank = client.post(url(), json={"headword": {"seh": "  "}}, headers=auth)
    assert blank.status_code == 422
    bad_ws = client.post(url(), json={"headword": {"not a tag!": "x"}}, headers=auth)
    assert bad_ws.status_code == 422
    not_json = client.post(
        url(), content=b"{nope", headers={**auth, "Content-Type": "application/json"}
    )
    assert not_json.status_code == 422
    assert client.get(url("no-such-id")).status_code == 404
    assert client.get("/api/dictionaries/nope/entries").status_code == 404
    entry = client.post(url(), json=ENTRY, headers=auth).json()
    no_version = dict(entry)
    no_version.pop("version")
    answer = client.put(url(entry["id"]), json=no_version, headers=auth)
    assert answer.status_code == 422 and "version" in answer.json()["detail"]
    assert client.post(url(entry["id"], "revisions", 9, "restore"), headers=auth).status_code == 404
    assert client.get(url() + "?cursor=garbage").status_code == 422


def test_writes_need_an_editor(client, dictionary, auth):
    assert client.post(url(), json=ENTRY).status_code == 401
    assert (
        client.post(url(), json=ENTRY, headers={"Authorization": "Bearer wrong"}).status_code == 401
    )


def test_listing_paginates_in_alphabet_order(client, dictionary, auth):
    words = ["nga", "na", "cha", "ba", "ngo", "ada", "ya", "'a"]
    for word in words:
        assert client.post(url(), json={"headword": {"seh": word}}, headers=auth).status_code == 201
    seen, cursor = [], None
    while True:
        page = client.get(
            url(), params={"limit": 3, **({"cursor": cursor} if cursor else {})}
        ).json()
        assert page["total"] == len(words)
        seen += [e["headword"]["seh"] for e in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == ["ada", "ba", "cha", "na", "nga", "ngo", "ya", "'a"]


def test_dictionaries_api(client, admin):
    created = client.post(
        "/api/dictionaries",
        json={"slug": "sena", "title": "Sena", "language_code": "seh"},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["vernacular_ws"] == ["seh"] and body["analysis_ws"] == ["en"]
    assert body["alphabet"]["letters"][:3] == ["a", "b", "c"]
    again = client.post(
        "/api/dictionaries", json={"slug": "sena", "title": "Other"}, headers=admin.headers
    )
    assert again.status_code == 409
    assert (
        client.post(
            "/api/dictionaries", json={"slug": "Bad Slug", "title": "x"}, headers=admin.headers
        ).status_code
        == 422
    )
    patched = client.patch(
        "/api/dictionaries/sena", json={"title": "Sena Dictionary"}, headers=admin.headers
    )
    assert patched.json()["title"] == "Sena Dictionary"
    assert client.get("/api/dictionaries").json()["total"] == 1
    assert client.get("/api/dictionaries/sena").json()["entry_count"] == 0
