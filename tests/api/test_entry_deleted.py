"""The entry editor's save of an entry deleted or hidden while the keeper typed, as a browser
without scripts posts it: the form comes back as typed saying nothing was saved (410, with one
button that restores the entry and saves the changes onto it; 404 when hidden, telling nothing
of the entry as it is now); the same from a conflict page; the API answers 410 naming the
revision to restore, or 404 to one who may not see it."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from lexicon import accounts, editing, entries
from lexicon.accounts.access import Viewer
from lexicon.models import Entry, Revision
from tests.api.test_editor import login
from tests.factories import make_user, posted_fields

EDIT = "/d/demo/edit/entries"
API = "/api/dictionaries/demo/entries"
ADMIN = Viewer(is_admin=True)


def form_of(page: str) -> dict:
    pairs = posted_fields(page, form_id="entry-form")
    assert pairs, "no entry form on the page"
    return dict(pairs)


def nyumba(session, dictionary) -> dict:
    data = {"headword": {"seh": "nyumba"}, "part_of_speech": "n",
            "etymologies": [{"type": "borrowed", "source": "Swahili"}],
            "senses": [{"glosses": {"en": "house"}}, {"glosses": {"en": "home"}}]}  # fmt: skip
    return editing.create_entry(session=session, dictionary=dictionary, data=data)


def stored(session, dictionary, entry_id) -> dict:
    session.rollback()  # a new snapshot: the app wrote through its own session
    return entries.entry_dict(session=session, dictionary=dictionary,
                              row=session.get(Entry, entry_id))  # fmt: skip


def actions(session, entry_id) -> list[str]:
    rows = session.exec(select(Revision).where(Revision.entry_id == entry_id)).scalars().all()
    return [r.action for r in sorted(rows, key=lambda r: r.number)]


@pytest.fixture
def keeper(client, owner, dictionary):
    login(client, owner.email)
    return client


def test_an_entry_deleted_meanwhile_keeps_what_was_typed_and_comes_back(keeper, session,
                                                                        dictionary):  # fmt: skip
    made = nyumba(session, dictionary)
    url = f"{EDIT}/{made['id']}"
    form = form_of(keeper.get(url).text)
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=made["id"],
                         editor="ben@example.org")  # fmt: skip
    form.update({"headword.seh": "nyumba yanga", "sense.1.gloss.en": "home, typed at length",
                 "sense.2.gloss.en": "hut"})  # fmt: skip
    page = keeper.post(url, data=form)
    assert page.status_code == 410
    assert "This entry was deleted while you were editing it. Nothing was saved" in page.text
    again = form_of(page.text)
    assert again["headword.seh"] == "nyumba yanga" and again["version"] == "1"
    assert again["sense.1.gloss.en"] == "home, typed at length"
    assert again["sense.2.gloss.en"] == "hut" and again["restore"] == "1"
    assert again["sense.0.id"] == made["senses"][0]["id"]  # each sense still names its own
    assert "Restore the entry and save my changes" in page.text
    assert "Delete this entry" not in page.text and "History" not in page.text
    assert stored(session, dictionary, made["id"])["deleted"]  # nothing saved

    more = keeper.post(url, data=dict(again, _action="add_sense"))  # a no-script button
    assert more.status_code == 410 and form_of(more.text)["restore"] == "1"
    assert 'name="sense.3.gloss.en"' in more.text

    done = keeper.post(url, data=again, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("saved=4&restored=1")
    shown = keeper.get(done.headers["location"]).text
    assert "The entry was restored, and your changes were saved onto it." in shown
    now = stored(session, dictionary, made["id"])
    assert not now["deleted"] and now["headword"] == {"seh": "nyumba yanga"}
    assert [s["glosses"]["en"] for s in now["senses"]] == ["house", "home, typed at length", "hut"]
    assert [s["id"] for s in now["senses"][:2]] == [s["id"] for s in made["senses"]]
    assert now["etymologies"] == made["etymologies"]  # what the form does not show stays
    assert actions(session, made["id"]) == ["create", "delete", "restore", "update"]


def test_an_entry_hidden_meanwhile_keeps_what_was_typed(client, session, dictionary):
    """An elder takes the entry into the elders' circle while an editor outside it edits it:
    the editor's save answers with their own typing and nothing of the entry as it is now, and
    never says whether it was deleted too."""
    made = nyumba(session, dictionary)
    outsider = make_user(session, "editor@example.org", "editor", dictionary)
    login(client, outsider.email)
    url = f"{EDIT}/{made['id']}"
    form = form_of(client.get(url).text)
    secret = dict(made, visibility="restricted", circle="elders",
                  senses=[*made["senses"], {"glosses": {"en": "chinsinsi"}}])  # fmt: skip
    editing.update_entry(session=session, dictionary=dictionary, entry_id=made["id"],
                         data=secret, version=1)  # fmt: skip
    form["sense.0.gloss.en"] = "a house of reeds"
    page = client.post(url, data=form)
    assert page.status_code == 404 and "no longer there for you" in page.text
    assert "chinsinsi" not in page.text and "elders" not in page.text
    again = form_of(page.text)
    assert again["sense.0.gloss.en"] == "a house of reeds" and "restore" not in again
    assert stored(session, dictionary, made["id"])["version"] == 2
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=made["id"])
    hidden = client.post(url, data=again)
    assert hidden.status_code == 404 and "deleted while" not in hidden.text
    assert editing.restore_revision(session=session, dictionary=dictionary, entry_id=made["id"],
                                    number=2)["version"] == 4  # fmt: skip
    accounts.add_to_circle(session=session, user=outsider.user, dictionary=dictionary,
                           circle="elders")  # fmt: skip
    choose = client.post(url, data=again)  # seen again: saved like any form opened before a save
    assert choose.status_code == 409 and "a house of reeds" in choose.text


def test_a_contributor_keeps_what_was_typed_without_a_restore(client, session, dictionary):
    made = nyumba(session, dictionary)
    contributor = make_user(session, "contrib@example.org", "contributor", dictionary)
    login(client, contributor.email)
    url = f"{EDIT}/{made['id']}"
    form = form_of(client.get(url).text)
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=made["id"])
    page = client.post(url, data=dict(form, **{"sense.0.gloss.en": "a house of reeds"}))
    assert page.status_code == 410 and "no longer there for you" in page.text
    assert form_of(page.text)["sense.0.gloss.en"] == "a house of reeds"
    assert 'name="restore"' not in page.text and "Save again" in page.text


def test_a_delete_while_choosing_on_the_conflict_page_keeps_mine(keeper, session, dictionary):
    made = nyumba(session, dictionary)
    url = f"{EDIT}/{made['id']}"
    form = form_of(keeper.get(url).text)
    theirs = dict(made, senses=[dict(made["senses"][0], glosses={"en": "dwelling"})])
    editing.update_entry(session=session, dictionary=dictionary, entry_id=made["id"],
                         data=theirs, version=1)  # fmt: skip
    conflict = keeper.post(url, data=dict(form, **{"sense.0.gloss.en": "hut"}))
    assert conflict.status_code == 409
    mine = html.unescape(re.search(r'name="mine_json" value="([^"]+)"', conflict.text).group(1))
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=made["id"])
    page = keeper.post(f"{url}/resolve", data={
        "csrf_token": form["csrf_token"], "mine_json": mine, "their_version": "2",
        "decision": "keep_mine"})  # fmt: skip
    assert page.status_code == 410 and "Nothing was saved" in page.text
    again = form_of(page.text)
    assert again["sense.0.gloss.en"] == "hut" and again["restore"] == "1"
    assert again["version"] == "2"


def test_the_api_answers_410_naming_the_revision_to_restore(client, auth, session, dictionary):
    made = client.post(API, json={"headword": {"seh": "nyumba"}}, headers=auth).json()
    url = f"{API}/{made['id']}"
    assert client.delete(url, headers=auth).status_code == 204
    mine = dict(made, part_of_speech="n")
    gone = client.put(url, json=mine, headers=auth)
    assert gone.status_code == 410
    detail = gone.json()["detail"]
    assert "was deleted" in detail and "revision 1" in detail and "nothing was saved" in detail
    assert client.put(url, json=mine).status_code == 401  # anonymous: nothing told
    back = client.post(f"{url}/revisions/1/restore", headers=auth)
    assert back.status_code == 200 and back.json()["version"] == 3
    saved = client.put(url, json=dict(mine, version=3), headers=auth)
    assert saved.status_code == 200 and saved.json()["part_of_speech"] == "n"

    outsider = make_user(session, "editor@example.org", "editor", dictionary).headers
    restricted = dict(saved.json(), visibility="restricted", circle="elders")
    hidden = client.put(url, json=restricted, headers=auth).json()
    assert client.delete(url, headers=auth).status_code == 204
    answer = client.put(url, json=dict(hidden, part_of_speech="v"), headers=outsider)
    assert answer.status_code == 404 and "deleted after" not in answer.json()["detail"]
    assert "elders" not in answer.text
