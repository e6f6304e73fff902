"""The editor's pages without a browser: plain form posts (as with scripts off), conflicts,
history, settings, and the form <-> entry mapping of api.forms."""

from __future__ import annotations

import re

import pytest

from api import forms
from lexicon import editing, entries
from lexicon.models import Entry

PASSWORD = "password-123"


def login(client, email: str) -> str:
    """Log in through the real form; returns this session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf_of(client, "/d/demo/edit/entries/new")


def csrf_of(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


@pytest.fixture
def keeper(client, dictionary, owner):
    return login(client, owner.email)


def new_entry_form(csrf: str, **extra) -> dict:
    form = {
        "csrf_token": csrf,
        "version": "",
        "headword.seh": "nyumba",
        "part_of_speech": "n",
        "status": "draft",
        "visibility": "public",
        "pron.0.ipa": "ɲumba",
        "sense.0.gloss.en": "house",
        "sense.0.gloss.pt": "casa",
        "sense.0.domains": "6.5.1 Building\n6.5.1 Building",
        "sense.0.ex.0.text.seh": "Nyumba yanga.",
        "sense.0.ex.0.tr.en": "My house.",
        "sense.1.gloss.en": "home",
        "sense.1.ex.0.text.seh": "Ndapita kunyumba.",
        "sense.1.ex.0.tr.en": "I went home.",
        "_action": "save",
    }
    form.update(extra)
    return form


def create(client, csrf, **extra) -> tuple[str, int]:
    r = client.post("/d/demo/edit/entries/new", data=new_entry_form(csrf, **extra))
    assert r.status_code == 200, r.text
    entry_id, version = re.search(r"/entries/([0-9a-f-]{36})\?saved=(\d+)", str(r.url)).groups()
    return entry_id, int(version)


def test_create_without_scripts_keeps_everything(client, keeper, session, dictionary, owner):
    entry_id, version = create(client, keeper)
    entry = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=entry_id, viewer=_viewer(session, owner)
    )
    assert entry["headword"] == {"seh": "nyumba"}
    assert entry["pronunciations"][0]["ipa"] == "ɲumba"
    assert [s["glosses"] for s in entry["senses"]] == [
        {"en": "house", "pt": "casa"},
        {"en": "home"},
    ]
    assert entry["senses"][0]["semantic_domains"] == ["6.5.1 Building"]
    assert entry["senses"][1]["examples"][0]["translations"] == {"en": "I went home."}
    page = client.get(f"/d/demo/edit/entries/{entry_id}")
    assert "Ndapita kunyumba." in page.text and 'value="house"' in page.text


def _viewer(session, user):
    from lexicon import accounts

    return accounts.viewer_for_user(session=session, user=user.user)


def test_validation_message_next_to_the_field(client, keeper):
    form = new_entry_form(keeper, **{"headword.seh": "  "})
    r = client.post("/d/demo/edit/entries/new", data=form)
    assert r.status_code == 422
    assert 'class="field-error" id="f-headword-error"' in r.text
    assert "Write the headword" in r.text
    assert 'value="house"' in r.text  # what was typed is shown again


def test_add_sense_without_scripts_posts_back_a_blank_sense(client, keeper):
    form = new_entry_form(keeper, _action="add_sense")
    r = client.post("/d/demo/edit/entries/new", data=form)
    assert r.status_code == 200
    assert 'name="sense.2.gloss.en"' in r.text and 'value="home"' in r.text


def test_post_without_csrf_token_is_refused(client, keeper):
    form = new_entry_form("not-the-token")
    r = client.post("/d/demo/edit/entries/new", data=form)
    assert r.status_code == 403


def test_list_filters(client, keeper, session, dictionary):
    create(client, keeper)
    editing.create_entry(
        session=session,
        dictionary=dictionary,
        data={"headword": {"seh": "chala"}, "part_of_speech": "v", "status": "published"},
    )
    page = client.get("/d/demo/edit/?missing=gloss")
    assert "chala" in page.text and "nyumba" not in page.text
    page = client.get("/d/demo/edit/?status=draft")
    assert "nyumba" in page.text and "chala" not in page.text
    page = client.get("/d/demo/edit/?pos=v&missing=example&missing=audio")
    assert "chala" in page.text and "nyumba" not in page.text
    page = client.get("/d/demo/edit/?letter=ch")
    assert "chala" in page.text and "nyumba" not in page.text


def test_save_keeps_what_the_form_does_not_show(client, keeper, session, dictionary):
    entry_id, version = create(client, keeper)
    entry = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=entry_id,
        viewer=__import__("lexicon.accounts.access", fromlist=["x"]).Viewer(is_admin=True),
    )  # fmt: skip
    entry["etymologies"] = [{"type": "borrowed", "source": "Swahili"}]
    entry["citation"] = {"seh": "nyumba"}
    entry = editing.update_entry(
        session=session, dictionary=dictionary, entry_id=entry_id, data=entry, version=version
    )
    csrf = csrf_of(client, f"/d/demo/edit/entries/{entry_id}")
    form = new_entry_form(csrf, version=str(entry["version"]), **{"sense.0.gloss.en": "hut"})
    form["sense.0.id"] = entry["senses"][0]["id"]
    r = client.post(f"/d/demo/edit/entries/{entry_id}", data=form)
    assert r.status_code == 200
    session.expire_all()
    saved = entries.entry_dict(
        session=session, dictionary=dictionary, row=session.get(Entry, entry_id)
    )
    assert saved["etymologies"][0]["source"] == "Swahili"
    assert saved["citation"] == {"seh": "nyumba"}
    assert saved["senses"][0]["id"] == entry["senses"][0]["id"]
    assert saved["senses"][0]["glosses"]["en"] == "hut"


@pytest.mark.parametrize("decision", ["keep_mine", "take_theirs", "merge"])
def test_conflict_choices_lose_no_text(client, keeper, session, dictionary, decision):
    entry_id, version = create(client, keeper)
    theirs = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=entry_id,
        viewer=__import__("lexicon.accounts.access", fromlist=["x"]).Viewer(is_admin=True),
    )  # fmt: skip
    theirs["senses"][0]["glosses"]["en"] = "dwelling"
    theirs["part_of_speech"] = "noun"
    editing.update_entry(
        session=session, dictionary=dictionary, entry_id=entry_id, data=theirs, version=version,
        editor="other@example.org",
    )  # fmt: skip
    csrf = csrf_of(client, f"/d/demo/edit/entries/{entry_id}")
    mine = new_entry_form(csrf, version=str(version), **{"sense.0.gloss.en": "hut"})
    r = client.post(f"/d/demo/edit/entries/{entry_id}", data=mine)
    assert r.status_code == 409
    assert "hut" in r.text and "dwelling" in r.text
    mine_json = re.search(r'name="mine_json" value="([^"]+)"', r.text).group(1)
    import html

    form = {
        "csrf_token": csrf,
        "mine_json": html.unescape(mine_json),
        "their_version": str(version + 1),
        "decision": decision,
        "choice.senses": "mine",
        "choice.part_of_speech": "theirs",
    }
    r = client.post(f"/d/demo/edit/entries/{entry_id}/resolve", data=form)
    assert r.status_code == 200, r.text
    history = entries.list_revisions(
        session=session, dictionary=dictionary, entry_id=entry_id,
        viewer=__import__("lexicon.accounts.access", fromlist=["x"]).Viewer(is_admin=True),
    )["items"]  # fmt: skip
    glosses = {s["glosses"].get("en") for rev in history for s in rev["data"]["senses"]}
    assert {"hut", "dwelling"} <= glosses  # both versions are in the history
    current = history[-1]["data"]
    expected = {
        "keep_mine": ("hut", "n"),
        "take_theirs": ("dwelling", "noun"),
        "merge": ("hut", "noun"),
    }[decision]
    assert (current["senses"][0]["glosses"]["en"], current["part_of_speech"]) == expected


def test_history_diff_and_restore(client, keeper, session, dictionary):
    entry_id, version = create(client, keeper)
    csrf = csrf_of(client, f"/d/demo/edit/entries/{entry_id}")
    form = new_entry_form(csrf, version=str(version), **{"sense.0.gloss.en": "hut"})
    client.post(f"/d/demo/edit/entries/{entry_id}", data=form)
    page = client.get(f"/d/demo/edit/entries/{entry_id}/history?a=1&b=2")
    assert "<del>house</del>" in page.text and "<ins>hut</ins>" in page.text
    r = client.post(
        f"/d/demo/edit/entries/{entry_id}/revisions/1/restore", data={"csrf_token": csrf}
    )
    assert r.status_code == 200 and "restored" in str(r.url)
    page = client.get(f"/d/demo/edit/entries/{entry_id}")
    assert 'value="house"' in page.text


def test_deleted_entries_listed_and_restorable(client, keeper):
    entry_id, version = create(client, keeper)
    csrf = csrf_of(client, f"/d/demo/edit/entries/{entry_id}")
    r = client.post(
        f"/d/demo/edit/entries/{entry_id}/delete", data={"csrf_token": csrf, "version": version}
    )
    assert r.status_code == 200 and "nyumba" in r.text
    assert client.get(f"/d/demo/entries/{entry_id}").status_code == 404
    r = client.post(
        f"/d/demo/edit/entries/{entry_id}/revisions/{version}/restore", data={"csrf_token": csrf}
    )
    assert r.status_code == 200
    assert client.get(f"/d/demo/entries/{entry_id}").status_code == 200


def test_settings_and_alphabet_preview(client, keeper, session, dictionary):
    r = client.get(
        "/d/demo/edit/settings/alphabet-preview",
        params={"letters": "a b n ng o", "ignore": "-", "words": "ngoma\nnoma\nbana\n-ana"},
    )
    assert [w["word"] for w in r.json()["words"]] == ["-ana", "bana", "noma", "ngoma"]
    assert r.json()["words"][-1]["letter"] == "ng"
    assert (
        "error"
        in client.get("/d/demo/edit/settings/alphabet-preview", params={"letters": "a a"}).json()
    )
    csrf = csrf_of(client, "/d/demo/edit/settings")
    form = {
        "csrf_token": csrf, "title": "Sena", "language_name": "Sena", "language_code": "seh",
        "description": "", "licence": "CC-BY-4.0", "vernacular_ws": "seh", "analysis_ws": "en pt",
        "letters": "a b ch d e\nŊ ŋ", "ignore": "- '", "confusables": "ŋ=ng", "visibility": "public",
        "default_entry_visibility": "community",
    }  # fmt: skip
    r = client.post("/d/demo/edit/settings", data=form)
    assert r.status_code == 200
    session.refresh(dictionary)
    assert dictionary.alphabet["letters"][-3:] == ["d", "e", "ŋ"]
    assert dictionary.alphabet["confusables"] == [["ŋ", "ng"]]
    assert "ŋ=ng" in client.get("/d/demo/edit/settings").text
    assert dictionary.default_entry_visibility == "community"
    bad = client.post("/d/demo/edit/settings", data={**form, "analysis_ws": "en!"})
    assert bad.status_code == 422 and 'id="f-analysis_ws-error"' in bad.text


def test_editor_needs_a_role(client, dictionary, session):
    from tests.conftest import make_user

    make_user(session, "viewer@example.org", "viewer", dictionary)
    assert client.get("/d/demo/edit/", headers={"accept": "text/html"}).status_code == 401
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post(
        "/login",
        data={"email": "viewer@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert client.get("/d/demo/edit/", headers={"accept": "text/html"}).status_code == 403


def test_parse_form_and_diff_unit():
    form = forms.parse_form(
        [("headword.seh", "ngoma"), ("sense.1.gloss.en", "b"), ("sense.0.gloss.en", "a"),
         ("sense.0.remove", ""), ("sense.2.gloss.en", "c"), ("sense.2.remove", "1")]
    )  # fmt: skip
    entry = forms.entry_from_form(form)
    assert [s["glosses"]["en"] for s in entry["senses"]] == ["a", "b"]
    rows = editing.diff(entry, {**entry, "headword": {"seh": "ngoma", "seh-fonipa": "ŋoma"}})
    assert [r for r in rows if r["change"] != "same"] == [
        {"label": "Headword (seh-fonipa)", "old": None, "new": "ŋoma", "change": "added"}
    ]


def test_contributor_proposes_and_editor_accepts_with_comment(client, dictionary, session):
    from tests.conftest import make_user

    make_user(session, "contrib@example.org", "contributor", dictionary)
    csrf = login(client, "contrib@example.org")
    r = client.post("/d/demo/edit/entries/new", data=new_entry_form(csrf))
    assert r.status_code == 200 and "waits here until an editor reviews it" in r.text
    assert entries.count_entries(
        session=session, dictionary=dictionary,
        viewer=__import__("lexicon.accounts.access", fromlist=["x"]).Viewer(is_admin=True),
    ) == 0  # fmt: skip
    assert 'value="accept"' not in r.text  # contributors cannot decide

    client.cookies.clear()
    csrf = login(client, "owner@example.org")
    page = client.get("/d/demo/edit/review")
    assert "contrib@example.org" in page.text and "<ins>house</ins>" in page.text
    proposal_id = re.search(r'action="/d/demo/edit/review/(\d+)"', page.text).group(1)
    r = client.post(
        f"/d/demo/edit/review/{proposal_id}",
        data={"csrf_token": csrf, "decision": "accept", "comment": "Thank you!"},
    )
    assert r.status_code == 200 and "Nothing waits for review." in r.text
    page = client.get("/d/demo/edit/?q=nyumba")
    assert "nyumba" in page.text


def test_relation_typed_without_the_picker(client, keeper, session, dictionary):
    target = editing.create_entry(
        session=session, dictionary=dictionary, data={"headword": {"seh": "chipinda"}}
    )
    form = new_entry_form(keeper, **{"rel.0.type": "synonym", "rel.0.target_headword": "chipinda"})
    entry_id, _ = create(client, keeper, **{k: v for k, v in form.items() if k.startswith("rel")})
    page = client.get(f"/d/demo/edit/entries/{entry_id}")
    assert f'value="{target["id"]}"' in page.text
    bad = new_entry_form(keeper, **{"rel.0.type": "synonym", "rel.0.target_headword": "nothing"})
    r = client.post("/d/demo/edit/entries/new", data=bad)
    assert r.status_code == 422 and 'id="f-rel-0-target_id-error"' in r.text


def test_members_can_be_added_and_changed(client, keeper, session, dictionary):
    from tests.conftest import make_user

    make_user(session, "new@example.org")
    csrf = csrf_of(client, "/d/demo/edit/settings")
    r = client.post(
        "/d/demo/edit/settings/members",
        data={"csrf_token": csrf, "email": "new@example.org", "role": "contributor"},
    )
    assert r.status_code == 200
    assert re.search(r"new@example.org</td><td>contributor", r.text)
    r = client.post(
        "/d/demo/edit/settings/members",
        data={"csrf_token": csrf, "email": "new@example.org", "role": ""},
    )
    assert "new@example.org" not in r.text


def test_restricted_sense_is_never_shown_and_never_lost(client, dictionary, session):
    from lexicon.accounts.access import Viewer
    from tests.conftest import make_user

    make_user(session, "ed@example.org", "editor", dictionary)
    entry = editing.create_entry(
        session=session, dictionary=dictionary,
        data={"headword": {"seh": "nyumba"}, "senses": [
            {"glosses": {"en": "house"}},
            {"glosses": {"en": "secret-gloss"}, "visibility": "restricted", "circle": "elders"},
        ]},
    )  # fmt: skip
    csrf = login(client, "ed@example.org")
    page = client.get(f"/d/demo/edit/entries/{entry['id']}")
    assert "secret-gloss" not in page.text
    public_id = entry["senses"][0]["id"]
    form = {"csrf_token": csrf, "version": "1", "headword.seh": "nyumba", "status": "published",
            "visibility": "public", "sense.0.id": public_id, "sense.0.gloss.en": "hut"}  # fmt: skip
    assert client.post(f"/d/demo/edit/entries/{entry['id']}", data=form).status_code == 200
    admin = Viewer(is_admin=True)
    saved = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=entry["id"], viewer=admin
    )
    assert [s["glosses"]["en"] for s in saved["senses"]] == ["hut", "secret-gloss"]
    # A stale form: the conflict view shows neither side's hidden sense.
    conflict = client.post(
        f"/d/demo/edit/entries/{entry['id']}", data={**form, "sense.0.gloss.en": "shed"}
    )
    assert conflict.status_code == 409 and "secret-gloss" not in conflict.text
    assert "hut" in conflict.text and "shed" in conflict.text
    history = client.get(f"/d/demo/edit/entries/{entry['id']}/history?a=1&b=2")
    assert "secret-gloss" not in history.text
