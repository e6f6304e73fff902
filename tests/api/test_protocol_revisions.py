"""Issue 16, findings 4-6: what a restore, an accepted proposal, the editor form on an old
version and an export may bring back or give away. Parts hidden from a person now stay hidden
and stay as they are now, whatever an old revision held; a photo's original (GPS, camera EXIF)
goes only to those the /media original route serves it to.

Every case runs on SQLite and PostgreSQL, through the API (TestClient) and the editor's pages.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from PIL import ExifTags, Image

from lexicon import editing, entries
from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from tests.api.test_editor import login
from tests.api.test_pictures import phone_jpeg, upload
from tests.conftest import make_user
from tests.protocol_cases import PICTURE, protocol  # noqa: F401  (the fixture)

ADMIN = Viewer(is_admin=True)
ALPHA, BETA = "alpha", "beta"
# Words hidden from anyone outside the circles now (each found nowhere else).
HIDDEN_NOW = ("oldquarry", "latebrook", "thistlegate", "copperwren", "buriedkey")


# ---------------------------------------------------------------- the history case


def _sense(gloss, **extra) -> dict:
    return {"glosses": {"en": gloss}, **extra}


def history_case(session, dictionary) -> dict:
    """An entry of three revisions.

    1: A (public, "openlark") with example E and subsense SS (both public then); B (public,
       "oldquarry"); D (public, "gonehill"); R (restricted to alpha, "buriedkey").
    2: B restricted to alpha and reworded ("oldquarry stone"); E restricted to alpha, SS to
       beta (hidden now, visible then, inside a sense everyone sees); D and R deleted.
    3: A reworded ("newlark"); C added restricted to alpha ("latebrook").
    """
    first = editing.create_entry(
        session=session, dictionary=dictionary, editor="owner",
        data={"headword": {"seh": "kalekale"}, "status": "published", "visibility": "public",
              "senses": [
                  _sense("openlark",
                         examples=[{"text": {"seh": "mbalambanda"},
                                    "translations": {"en": "thistlegate"}}],
                         subsenses=[_sense("copperwren")]),
                  _sense("oldquarry"), _sense("gonehill"),
                  _sense("buriedkey", visibility="restricted", circle=ALPHA)]},
    )  # fmt: skip
    a, b, _d, _r = first["senses"]
    a2 = {**a, "examples": [{**a["examples"][0], "visibility": "restricted", "circle": ALPHA}],
          "subsenses": [{**a["subsenses"][0], "visibility": "restricted", "circle": BETA}]}  # fmt: skip
    b2 = {**b, "glosses": {"en": "oldquarry stone"}, "visibility": "restricted", "circle": ALPHA}
    second = editing.update_entry(
        session=session, dictionary=dictionary, entry_id=first["id"], version=1, editor="owner",
        data={**first, "senses": [a2, b2]},
    )  # fmt: skip
    a3 = {**second["senses"][0], "glosses": {"en": "newlark"}}
    third = editing.update_entry(
        session=session, dictionary=dictionary, entry_id=first["id"], version=2, editor="owner",
        data={**second, "senses": [a3, second["senses"][1],
                                    _sense("latebrook", visibility="restricted", circle=ALPHA)]},
    )  # fmt: skip
    assert third["version"] == 3
    return third


def stored(session, dictionary, entry_id) -> dict:
    session.rollback()
    session.expire_all()
    out = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=entry_id, viewer=ADMIN
    )
    session.rollback()  # SQLite: the app needs the write lock this read would keep
    return out


def glosses(entry: dict) -> list[tuple[str, str, str | None]]:
    return [(s["glosses"]["en"], s["visibility"], s.get("circle")) for s in entry["senses"]]


def assert_kept_as_now(dictionary, after: dict, now: dict) -> None:
    """Every part hidden from an outsider now is there exactly as it was (ids included)."""
    outsider = Viewer(user_id=999, roles={dictionary.id: "editor"})
    hidden = access.hidden_ids(outsider, dictionary, now)
    assert hidden, "the case must hide something"

    def parts(entry):
        found, stack = {}, list(entry["senses"])
        while stack:
            s = stack.pop()
            found[s["id"]] = s
            for x in s["examples"] + s["pictures"]:
                found[x["id"]] = x
            stack.extend(s["subsenses"])
        return found

    before, later = parts(now), parts(after)
    for part_id in hidden:
        assert later.get(part_id) == before[part_id], part_id


# ---------------------------------------------------------------- finding 5: restore


def test_restore_by_an_editor_outside_keeps_hidden_parts_as_they_are(client, dictionary, session):
    now = history_case(session, dictionary)
    outsider = make_user(session, "ed-out@example.org", "editor", dictionary)
    before = stored(session, dictionary, now["id"])
    url = f"/api/dictionaries/demo/entries/{now['id']}/revisions/1/restore"
    r = client.post(url, headers=outsider.headers)
    assert r.status_code == 200, r.text
    assert not any(word in r.text for word in HIDDEN_NOW)
    after = stored(session, dictionary, now["id"])
    # Visible then, visible now: as in revision 1 ("openlark", D back). Hidden now: as now
    # (B restricted and reworded, C there, E and SS restricted). Hidden then (R): not back.
    assert glosses(after) == [
        ("openlark", "public", None),
        ("oldquarry stone", "restricted", ALPHA),
        ("latebrook", "restricted", ALPHA),
        ("gonehill", "public", None),
    ]
    assert_kept_as_now(dictionary, after, before)
    assert "buriedkey" not in json.dumps(after)
    # Nobody outside the circles meets any of it, on the entry or in search.
    client.cookies.clear()
    seen = client.get(f"/api/dictionaries/demo/entries/{now['id']}").text
    assert "openlark" in seen and not any(word in seen for word in HIDDEN_NOW)
    found = client.get("/api/dictionaries/demo/search", params={"q": "oldquarry"}).json()
    assert found["items"] == []


def test_restore_on_the_history_page_keeps_hidden_parts(client, dictionary, session):
    now = history_case(session, dictionary)
    make_user(session, "ed-out@example.org", "editor", dictionary)
    before = stored(session, dictionary, now["id"])
    csrf = login(client, "ed-out@example.org")
    history = client.get(f"/d/demo/edit/entries/{now['id']}/history?a=1&b=3")
    assert history.status_code == 200 and "openlark" in history.text
    assert not any(word in history.text for word in HIDDEN_NOW)
    r = client.post(
        f"/d/demo/edit/entries/{now['id']}/revisions/1/restore", data={"csrf_token": csrf}
    )
    assert r.status_code == 200 and "restored=1" in str(r.url)
    assert not any(word in r.text for word in HIDDEN_NOW)
    after = stored(session, dictionary, now["id"])
    assert [g for g, _, _ in glosses(after)] == [
        "openlark", "oldquarry stone", "latebrook", "gonehill",
    ]  # fmt: skip
    assert_kept_as_now(dictionary, after, before)


def test_owner_and_insider_restore_what_they_see(client, dictionary, session, owner):
    """The rule narrows only what is hidden from the restorer: the owner gets revision 1."""
    now = history_case(session, dictionary)
    r = client.post(
        f"/api/dictionaries/demo/entries/{now['id']}/revisions/1/restore", headers=owner.headers
    )
    assert r.status_code == 200, r.text
    assert glosses(stored(session, dictionary, now["id"])) == [
        ("openlark", "public", None),
        ("oldquarry", "public", None),
        ("gonehill", "public", None),
        ("buriedkey", "restricted", ALPHA),
    ]


def test_a_revision_hidden_from_the_restorer_is_not_restored(client, dictionary, session):
    entry = editing.create_entry(
        session=session, dictionary=dictionary, editor="owner",
        data={"headword": {"seh": "ndakubisa"}, "visibility": "restricted", "circle": ALPHA,
              "senses": [_sense("mossharbor")]},
    )  # fmt: skip
    editing.update_entry(
        session=session, dictionary=dictionary, entry_id=entry["id"], version=1, editor="owner",
        data={**entry, "visibility": "public", "circle": None, "senses": [_sense("open")]},
    )  # fmt: skip
    outsider = make_user(session, "ed-out@example.org", "editor", dictionary)
    url = f"/api/dictionaries/demo/entries/{entry['id']}/revisions/1/restore"
    r = client.post(url, headers=outsider.headers)
    assert r.status_code == 404 and "mossharbor" not in r.text
    after = stored(session, dictionary, entry["id"])
    assert (after["version"], after["visibility"], glosses(after)) == (
        2, "public", [("open", "public", None)],
    )  # fmt: skip


def test_removing_the_sense_that_holds_a_hidden_part_is_refused(client, dictionary, session):
    """Sense A holds E and SS, hidden from the outsider: a save or restore that drops A would
    delete them unseen, so it is refused and nothing is written."""
    now = history_case(session, dictionary)
    outsider = make_user(session, "ed-out@example.org", "editor", dictionary)
    seen = client.get(f"/api/dictionaries/demo/entries/{now['id']}", headers=outsider.headers)
    body = {**seen.json(), "senses": []}
    r = client.put(f"/api/dictionaries/demo/entries/{now['id']}", json=body,
                   headers={**outsider.headers, "If-Match": '"3"'})  # fmt: skip
    assert r.status_code == 409, r.text
    assert stored(session, dictionary, now["id"])["version"] == 3


# ---------------------------------------------------------------- proposals


def test_an_accepted_proposal_does_not_bring_back_what_was_hidden_since(
    client, dictionary, session, owner
):
    now = history_case(session, dictionary)
    entry = editing.create_entry(
        session=session, dictionary=dictionary, editor="owner",
        data={"headword": {"seh": "mwala"}, "senses": [_sense("stone"), _sense("oldcairn")]},
    )  # fmt: skip
    contributor = make_user(session, "contrib@example.org", "contributor", dictionary)
    # The contributor proposes on version 1, when every sense was public to them.
    seen = client.get(f"/api/dictionaries/demo/entries/{entry['id']}", headers=contributor.headers)
    body = {**seen.json(), "headword": {"seh": "mwala-a"}}
    r = client.put(
        f"/api/dictionaries/demo/entries/{entry['id']}", json=body, headers=contributor.headers
    )
    assert r.status_code == 202, r.text
    proposal = r.json()["id"]
    # Then the owner restricts the second sense.
    current = stored(session, dictionary, entry["id"])
    hidden = {**current["senses"][1], "visibility": "restricted", "circle": ALPHA,
              "glosses": {"en": "oldcairn marker"}}  # fmt: skip
    editing.update_entry(
        session=session, dictionary=dictionary, entry_id=entry["id"], version=1, editor="owner",
        data={**current, "senses": [current["senses"][0], hidden]},
    )  # fmt: skip
    # An editor outside the circle reviewing it meets the sense neither in the API nor on the
    # review page: the proposal's data is filtered by what is hidden now.
    outsider = make_user(session, "ed-out@example.org", "editor", dictionary)
    listed = client.get("/api/dictionaries/demo/proposals", headers=outsider.headers)
    assert listed.status_code == 200 and listed.json()["items"], listed.text
    assert "mwala-a" in listed.text and "oldcairn" not in listed.text
    login(client, "ed-out@example.org")
    page = client.get("/d/demo/edit/review")
    assert page.status_code == 200 and "mwala-a" in page.text and "oldcairn" not in page.text
    client.cookies.clear()
    r = client.post(
        f"/api/dictionaries/demo/proposals/{proposal}/accept", json={"force": True},
        headers=owner.headers,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    after = stored(session, dictionary, entry["id"])
    assert after["headword"] == {"seh": "mwala-a"}
    assert glosses(after) == [
        ("stone", "public", None), ("oldcairn marker", "restricted", ALPHA),
    ]  # fmt: skip
    assert after["senses"][1]["id"] == hidden["id"]
    client.cookies.clear()
    assert "oldcairn" not in client.get(f"/api/dictionaries/demo/entries/{entry['id']}").text
    assert now["version"] == 3


def test_a_proposal_on_an_entry_hidden_from_its_author_since_is_not_accepted(
    client, dictionary, session, owner
):
    entry = editing.create_entry(
        session=session, dictionary=dictionary, editor="owner",
        data={"headword": {"seh": "ndakubisa"}, "senses": [_sense("mossharbor")]},
    )  # fmt: skip
    contributor = make_user(session, "contrib@example.org", "contributor", dictionary)
    seen = client.get(f"/api/dictionaries/demo/entries/{entry['id']}", headers=contributor.headers)
    r = client.put(f"/api/dictionaries/demo/entries/{entry['id']}",
                   json={**seen.json(), "part_of_speech": "n"}, headers=contributor.headers)  # fmt: skip
    assert r.status_code == 202, r.text
    current = stored(session, dictionary, entry["id"])
    editing.update_entry(
        session=session, dictionary=dictionary, entry_id=entry["id"], version=1, editor="owner",
        data={**current, "visibility": "restricted", "circle": ALPHA},
    )  # fmt: skip
    r = client.post(
        f"/api/dictionaries/demo/proposals/{r.json()['id']}/accept", json={"force": True},
        headers=owner.headers,
    )  # fmt: skip
    assert r.status_code == 409, r.text
    after = stored(session, dictionary, entry["id"])
    assert (after["version"], after["visibility"], after["circle"]) == (2, "restricted", ALPHA)


def test_a_reviewer_outside_a_circle_cannot_accept_changes_to_it(client, dictionary, session):
    """A contributor of circle alpha proposes to make alpha's sense public and to add another
    alpha sense. An editor outside alpha sees neither in the proposal: accepting keeps alpha's
    sense exactly as it is, and a proposal adding an alpha sense waits for an alpha member."""
    entry = editing.create_entry(
        session=session, dictionary=dictionary, editor="owner",
        data={"headword": {"seh": "chipale"}, "status": "published",
              "senses": [_sense("openfield"),
                         _sense("sacredgrove", visibility="restricted", circle=ALPHA)]},
    )  # fmt: skip
    member = make_user(session, "c-alpha@example.org", "contributor", dictionary, circles=[ALPHA])
    outsider = make_user(session, "ed-out@example.org", "editor", dictionary)
    insider = make_user(session, "ed-in@example.org", "editor", dictionary, circles=[ALPHA])
    url = f"/api/dictionaries/demo/entries/{entry['id']}"

    def propose(change) -> int:
        body = client.get(url, headers=member.headers).json()
        change(body)
        r = client.put(url, json=body, headers=member.headers)
        assert r.status_code == 202, r.text
        return r.json()["id"]

    def vandalise(body):
        body["headword"] = {"seh": "chipale-a"}
        body["senses"][1].update(visibility="public", circle=None, glosses={"en": "VANDALISED"})

    def add_alpha_sense(body):
        body["senses"].append(_sense("hiddenspring", visibility="restricted", circle=ALPHA))

    first, second = propose(vandalise), propose(add_alpha_sense)
    accept = "/api/dictionaries/demo/proposals/{}/accept"
    r = client.post(accept.format(first), json={"force": True}, headers=outsider.headers)
    assert r.status_code == 200, r.text
    after = stored(session, dictionary, entry["id"])
    assert after["headword"] == {"seh": "chipale-a"}  # what the reviewer saw is applied
    assert glosses(after) == [("openfield", "public", None), ("sacredgrove", "restricted", ALPHA)]
    assert "sacredgrove" not in client.get(url).text and "VANDALISED" not in client.get(url).text
    r = client.post(accept.format(second), json={"force": True}, headers=outsider.headers)
    assert r.status_code == 409 and "circle" in r.text, r.text
    assert stored(session, dictionary, entry["id"])["version"] == after["version"]
    r = client.post(accept.format(second), json={"force": True}, headers=insider.headers)
    assert r.status_code == 200, r.text
    assert ("hiddenspring", "restricted", ALPHA) in glosses(
        stored(session, dictionary, entry["id"])
    )


# ---------------------------------------------------------------- finding 6: old revisions


def _hidden_entry(session, dictionary) -> dict:
    """Public in revision 1; restricted to alpha from revision 2."""
    entry = editing.create_entry(
        session=session, dictionary=dictionary, editor="owner",
        data={"headword": {"seh": "ndakubisa"}, "status": "published",
              "senses": [_sense("mossharbor")]},
    )  # fmt: skip
    return editing.update_entry(
        session=session, dictionary=dictionary, entry_id=entry["id"], version=1, editor="owner",
        data={**entry, "visibility": "restricted", "circle": ALPHA},
    )  # fmt: skip


@pytest.mark.parametrize("role", ["contributor", "editor"])
def test_the_form_on_an_old_version_of_an_entry_hidden_now_is_not_found(
    client, dictionary, session, role
):
    entry = _hidden_entry(session, dictionary)
    make_user(session, "outside@example.org", role, dictionary)
    csrf = login(client, "outside@example.org")
    sense_id = entry["senses"][0]["id"]
    form = {"csrf_token": csrf, "_action": "add_sense", "version": "1", "sense.0.id": sense_id}
    r = client.post(f"/d/demo/edit/entries/{entry['id']}", data=form)
    assert r.status_code == 404
    assert "ndakubisa" not in r.text and "mossharbor" not in r.text


def test_the_form_on_an_old_version_leaves_out_parts_hidden_now(client, dictionary, session):
    now = history_case(session, dictionary)
    first = entries.list_revisions(
        session=session, dictionary=dictionary, entry_id=now["id"], viewer=ADMIN
    )["items"][0]["data"]
    session.rollback()
    make_user(session, "contrib@example.org", "contributor", dictionary)
    csrf = login(client, "contrib@example.org")
    a, b, d, r_ = first["senses"]
    form = {"csrf_token": csrf, "_action": "add_sense", "version": "1",
            "sense.0.id": a["id"], "sense.0.ex.0.id": a["examples"][0]["id"],
            "sense.1.id": b["id"], "sense.2.id": d["id"], "sense.3.id": r_["id"]}  # fmt: skip
    page = client.post(f"/d/demo/edit/entries/{now['id']}", data=form)
    assert page.status_code == 200, page.text
    assert "openlark" in page.text and "gonehill" in page.text  # what is visible stays
    assert not any(word in page.text for word in HIDDEN_NOW), [
        w for w in HIDDEN_NOW if w in page.text
    ]


def test_resolving_a_conflict_keeps_hidden_parts_and_never_rewrites_them(
    client, dictionary, session
):
    """`mine` comes from the browser: a sense in it that claims a hidden sense's id is not the
    editor's to write; the hidden sense stays as it is."""
    now = history_case(session, dictionary)
    before = stored(session, dictionary, now["id"])
    hidden_b = before["senses"][1]
    make_user(session, "ed-out@example.org", "editor", dictionary)
    csrf = login(client, "ed-out@example.org")
    seen = client.get(f"/api/dictionaries/demo/entries/{now['id']}").json()
    mine = {**seen, "senses": [*seen["senses"], {**_sense("forgedtext"), "id": hidden_b["id"]}]}
    r = client.post(
        f"/d/demo/edit/entries/{now['id']}/resolve",
        data={"csrf_token": csrf, "mine_json": json.dumps(mine), "their_version": "3",
              "decision": "keep_mine"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    after = stored(session, dictionary, now["id"])
    assert_kept_as_now(dictionary, after, before)
    assert [s for s in after["senses"] if s["id"] == hidden_b["id"]] == [hidden_b]
    assert "forgedtext" not in json.dumps(after)
    # On an entry hidden from the editor now, resolving is not found, whatever the version.
    gone = _hidden_entry(session, dictionary)
    r = client.post(
        f"/d/demo/edit/entries/{gone['id']}/resolve",
        data={"csrf_token": csrf, "mine_json": json.dumps({"headword": {"seh": "x"}}),
              "their_version": "1", "decision": "keep_mine"},
    )  # fmt: skip
    assert r.status_code == 404 and "ndakubisa" not in r.text
    assert stored(session, dictionary, gone["id"])["version"] == 2


def test_history_and_revisions_filter_each_revision_by_what_is_hidden_now(
    client, dictionary, session
):
    now = history_case(session, dictionary)
    outsider = make_user(session, "ed-out@example.org", "editor", dictionary)
    api = client.get(
        f"/api/dictionaries/demo/entries/{now['id']}/revisions", headers=outsider.headers
    )
    assert api.status_code == 200 and len(api.json()["items"]) == 3
    assert "openlark" in api.text and "gonehill" in api.text
    assert not any(word in api.text for word in HIDDEN_NOW)
    login(client, "ed-out@example.org")
    for a, b in ((1, 2), (1, 3), (2, 3)):
        page = client.get(f"/d/demo/edit/entries/{now['id']}/history?a={a}&b={b}")
        assert page.status_code == 200
        assert not any(word in page.text for word in HIDDEN_NOW), (a, b)
    gone = _hidden_entry(session, dictionary)
    client.cookies.clear()
    for headers in ({}, outsider.headers):
        r = client.get(f"/api/dictionaries/demo/entries/{gone['id']}/revisions", headers=headers)
        assert r.status_code == 404 and "ndakubisa" not in r.text


# ---------------------------------------------------------------- finding 4: exports


FORMATS = ("lift", "csv", "cldf", "mdf", "json")


def _pictures_in(package: bytes) -> dict[str, bytes]:
    """Every picture file of an export zip, by name (whatever folder the format puts it in)."""
    found = {}
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            try:
                Image.open(io.BytesIO(data)).verify()
            except Exception:  # noqa: BLE001 - not a picture
                continue
            found[name] = data
    return found


def _readme(package: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        return zf.read("README.txt").decode()


def _gps(data: bytes) -> dict:
    return dict(Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo))


@pytest.fixture
def pictured(client, auth, session, dictionary, tmp_path):
    entry = editing.create_entry(
        session=session, dictionary=dictionary, editor="owner",
        data={"headword": {"seh": "nsengwa"}, "status": "published", "senses": [_sense("basket")]},
    )  # fmt: skip
    photo = tmp_path / "IMG_2041.jpg"
    original = phone_jpeg(photo)
    assert _gps(original)  # the test photo carries a GPS position
    made = upload(client, auth, entry, photo)
    assert made.status_code == 201, made.text
    sha = made.json()["senses"][0]["pictures"][0]["media"]["sha256"]
    return original, sha


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_anonymous_export_carries_pictures_without_exif(client, pictured, fmt):
    original, sha = pictured
    client.cookies.clear()
    assert client.get(f"/media/demo/{sha}/original").status_code == 404
    r = client.get("/api/dictionaries/demo/export", params={"format": fmt})
    assert r.status_code == 200, r.text
    found = _pictures_in(r.content)
    assert len(found) == 1, list(found)  # the picture travels, as a stripped copy
    ((name, data),) = found.items()
    assert data != original
    image = Image.open(io.BytesIO(data))
    assert image.size == (800, 1600)  # upright, as shown
    assert not image.getexif() and "xmp" not in image.info and "exif" not in image.info
    assert b"PhoneMaker" not in data and b"GPS" not in data
    readme = _readme(r.content)
    assert "no EXIF" in readme and "originals as they were uploaded" not in readme
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        text = b"".join(zf.read(n) for n in zf.namelist() if n not in found).decode(
            "utf-8", "ignore"
        )
    assert "/original" not in text  # no link to the original either
    assert name.rsplit("/", 1)[-1] in text or fmt == "json"  # the data names the file it has


def test_who_gets_originals_in_an_export_is_who_may_fetch_them(
    client, pictured, session, dictionary, owner
):
    """One rule (access.sees_originals) decides the /media original route and the export."""
    original, sha = pictured
    people = {
        "anonymous": {},
        "viewer": make_user(session, "v@example.org", "viewer", dictionary).headers,
        "contributor": make_user(session, "c@example.org", "contributor", dictionary).headers,
        "editor": make_user(session, "e@example.org", "editor", dictionary).headers,
        "owner": owner.headers,
    }
    for who, headers in people.items():
        client.cookies.clear()
        fetched = client.get(f"/media/demo/{sha}/original", headers=headers)
        package = client.get(
            "/api/dictionaries/demo/export", params={"format": "lift"}, headers=headers
        ).content
        carried = list(_pictures_in(package).values())
        assert len(carried) == 1, who
        has_original = carried[0] == original
        assert has_original == (fetched.status_code == 200), who
        assert has_original == (who in ("editor", "owner")), who
        readme = _readme(package)
        if has_original:
            assert _gps(carried[0])  # read back from the exported file
            assert re.search(r"originals as they were uploaded.*GPS", readme, re.S), who
        else:
            assert not _gps(carried[0]) and "no EXIF" in readme, who


def test_an_export_without_pictures_has_no_readme(client, session, dictionary):
    editing.create_entry(
        session=session, dictionary=dictionary, editor="owner",
        data={"headword": {"seh": "nyumba"}, "senses": [_sense("house")]},
    )  # fmt: skip
    r = client.get("/api/dictionaries/demo/export", params={"format": "mdf"})
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert zf.namelist() == ["demo.sfm"]


# ---------------------------------------------------------------- the shared protocol cases


OUTSIDERS = ("anonymous", "viewer", "beta_only", "editor_outside", "contributor")


@pytest.fixture
def cases(request):
    return request.getfixturevalue("protocol")  # tests/protocol_cases.py


def _leaked(text: str, cases, person: str) -> set[str]:
    return {w for w in cases.hidden_from(person) if w in text}


def test_protocol_restore_then_every_reader_sees_only_their_part(client, cases, session):
    entry_id = cases.ids["history"]
    dictionary = entries.get_dictionary(session=session, slug="demo")
    before = stored(session, dictionary, entry_id)
    r = client.post(
        f"/api/dictionaries/demo/entries/{entry_id}/revisions/1/restore",
        headers=cases.headers("editor_outside"),
    )
    assert r.status_code == 200 and not _leaked(r.text, cases, "editor_outside")
    after = stored(session, dictionary, entry_id)
    assert_kept_as_now(dictionary, after, before)
    assert {s["id"] for s in after["senses"]} >= {
        cases.sense_ids["history_first"], cases.sense_ids["history_second"],
    }  # fmt: skip
    for person in (*OUTSIDERS, "insider"):
        headers = cases.headers(person)
        for url in (f"/api/dictionaries/demo/entries/{entry_id}",
                    f"/api/dictionaries/demo/entries/{entry_id}/revisions"):  # fmt: skip
            client.cookies.clear()
            text = client.get(url, headers=headers).text
            assert not _leaked(text, cases, person), (person, url)
            assert cases.words["history_hw"] in text, (person, url)
    insider = client.get(
        f"/api/dictionaries/demo/entries/{entry_id}", headers=cases.headers("insider")
    ).text
    assert cases.words["history_first"] in insider and cases.words["history_second"] in insider


@pytest.mark.parametrize("name", ["nested", "restricted", "history", "pictured"])
def test_protocol_old_version_forms_show_nothing_hidden_now(client, cases, session, name):
    entry_id = cases.ids[name]
    first = entries.list_revisions(
        session=session, dictionary=entries.get_dictionary(session=session, slug="demo"),
        entry_id=entry_id, viewer=ADMIN,
    )["items"][0]["data"]  # fmt: skip
    session.rollback()
    csrf = login(client, cases.people["contributor"].email)
    form = {"csrf_token": csrf, "_action": "add_sense", "version": "1"}
    for i, sense in enumerate(first["senses"]):
        form[f"sense.{i}.id"] = sense["id"]
        for j, ex in enumerate(sense["examples"]):
            form[f"sense.{i}.ex.{j}.id"] = ex["id"]
    page = client.post(f"/d/demo/edit/entries/{entry_id}", data=form)
    assert page.status_code == (404 if name == "restricted" else 200), page.text
    assert not _leaked(page.text, cases, "contributor")


def test_protocol_exports_carry_only_visible_pictures_and_originals_by_the_rule(client, cases):
    sha = cases.shas["picture"]  # a public picture in a sense restricted to alpha
    for person in (*OUTSIDERS, "insider", "owner"):
        headers = cases.headers(person)
        client.cookies.clear()
        fetched = client.get(f"/media/demo/{sha}/original", headers=headers).status_code
        package = client.get(
            "/api/dictionaries/demo/export", params={"format": "json"}, headers=headers
        ).content
        pictures = _pictures_in(package)  # (relations in exports: tests/test_relations*)
        if person in OUTSIDERS:  # the sense is hidden, so is its picture
            assert (pictures, fetched) == ({}, 404), person
            continue
        ((data),) = pictures.values()
        is_original = data == PICTURE.read_bytes()
        assert is_original == (fetched == 200) == (person == "owner"), person
        assert ("originals as they were uploaded" in _readme(package)) == is_original, person


def test_an_old_revision_never_shows_its_imported_source_once_a_part_is_hidden(
    client, dictionary, session, owner
):
    """An imported entry keeps its LIFT text in `extra.lift.source`, with every part. Once a
    sense is restricted, its old revisions (history API and page, the form on version 1) must
    not hand that text to someone the sense is hidden from (the editor form on an old version
    goes through the same access.filter_revision)."""
    lift = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<lift version="0.13">'
        '<entry id="v1" guid="22222222-1111-1111-1111-111111111111">'
        '<lexical-unit><form lang="seh"><text>verbatimhw</text></form></lexical-unit>'
        '<sense id="vs1"><gloss lang="en"><text>sunnyford</text></gloss></sense>'
        '<sense id="vs2"><gloss lang="en"><text>hushedspring</text></gloss></sense>'
        "</entry></lift>"
    )
    done = client.post(
        "/api/dictionaries/demo/imports",
        headers=owner.headers,
        files={"file": ("v.lift", io.BytesIO(lift.encode()))},
        data={"format": "lift"},
    )
    assert done.status_code == 201, done.text
    entry = client.get("/api/dictionaries/demo/entries", headers=owner.headers).json()["items"][0]
    assert "hushedspring" in entry["extra"]["lift"]["source"]
    entry["senses"][1].update(visibility="restricted", circle=ALPHA)
    saved = client.put(
        f"/api/dictionaries/demo/entries/{entry['id']}", json=entry, headers=owner.headers
    )
    assert saved.status_code == 200, saved.text
    outsider = make_user(session, "ed-out@example.org", "editor", dictionary)
    for headers in ({}, outsider.headers):
        revs = client.get(
            f"/api/dictionaries/demo/entries/{entry['id']}/revisions", headers=headers
        )
        assert revs.status_code == 200 and "sunnyford" in revs.text
        assert "hushedspring" not in revs.text
    revs = client.get(
        f"/api/dictionaries/demo/entries/{entry['id']}/revisions", headers=owner.headers
    )
    assert "hushedspring" in revs.text  # the owner sees the whole revision, source included
    login(client, "ed-out@example.org")
    page = client.get(f"/d/demo/edit/entries/{entry['id']}/history?a=1&b=2")
    assert page.status_code == 200 and "hushedspring" not in page.text
