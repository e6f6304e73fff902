"""A keeper's save refused for who they are now, in the entry and the text editor: signed out
(here, elsewhere, or signed in again), their role taken, or the private dictionary. The answer
keeps its status (401, 403, 404) and shows what they posted, to copy, saying nothing was
saved; never anything of the entry, the text or the dictionary they did not post themselves."""

from __future__ import annotations

import html
import re

import pytest

from lexicon import accounts, editing, texts
from lexicon.accounts.access import Viewer
from lexicon.models import Entry
from tests.api.test_editor import login
from tests.api.test_entry_deleted import form_of, nyumba
from tests.api.test_text_conflicts import form_of as text_form_of
from tests.api.test_text_conflicts import story
from tests.factories import make_user

EDIT = "/d/demo/edit"
SIGNED_OUT = "You were signed out, or signed in again, while you were editing"
ADMIN = Viewer(is_admin=True)
NOT_ALLOWED = "You may no longer edit this dictionary, so nothing was saved."


def typed(page: str) -> str:
    """The text of the page's read-only box of what was typed."""
    found = re.search(r"<textarea[^>]*data-typed>(.*?)</textarea>", page, re.S)
    assert found, "no box of what was typed on the page"
    return html.unescape(found.group(1))


@pytest.fixture(autouse=True)
def browser_like(client):
    client.headers["accept"] = "text/html"  # as a browser's form post asks


@pytest.fixture
def editor(client, session, dictionary):
    """An editor, signed in, with the entry form open on an entry whose restricted sense (and
    a save made since by someone else) they never saw."""
    made = nyumba(session, dictionary)
    secret = {"glosses": {"en": "secret-gloss"}, "visibility": "restricted", "circle": "elders"}
    made = editing.update_entry(session=session, dictionary=dictionary, entry_id=made["id"],
                                data=dict(made, senses=[*made["senses"], secret]),
                                version=1)  # fmt: skip
    person = make_user(session, "editor@example.org", "editor", dictionary)
    login(client, person.email)
    url = f"{EDIT}/entries/{made['id']}"
    form = form_of(client.get(url).text)
    later = dict(made, part_of_speech="noun-saved-later")
    editing.update_entry(session=session, dictionary=dictionary, entry_id=made["id"],
                         data=later, version=2)  # fmt: skip
    form["sense.0.gloss.en"] = "a house of reeds, typed at length"
    return person, url, form


def only_theirs(page: str) -> None:
    for unseen in ("secret-gloss", "noun-saved-later", "Demo Dictionary", "elders"):
        assert unseen not in page, unseen


def test_an_editor_whose_role_is_taken_keeps_what_was_typed(client, session, dictionary, editor):
    person, url, form = editor
    accounts.set_role(session=session, user=person.user, dictionary=dictionary, role="viewer")
    page = client.post(url, data=form)
    assert page.status_code == 403 and NOT_ALLOWED in page.text
    box = typed(page.text)
    assert "Sense 1 · gloss (en): a house of reeds, typed at length" in box
    assert "Headword (seh): nyumba" in box
    only_theirs(page.text)
    accounts.remove_member(session=session, dictionary=dictionary, email=person.email)
    dictionary.visibility = "private"  # a private dictionary is not found by a non-member
    session.add(dictionary)
    session.commit()
    page = client.post(url, data=form)
    assert page.status_code == 404 and NOT_ALLOWED in page.text
    assert "a house of reeds, typed at length" in typed(page.text)
    only_theirs(page.text)


def test_a_keeper_signed_out_keeps_what_was_typed(client, session, dictionary, editor):
    person, url, form = editor
    accounts.end_sessions(session=session, user_id=person.user.id)  # "log out everywhere"
    page = client.post(url, data=form)
    assert page.status_code == 401 and SIGNED_OUT in page.text
    assert "a house of reeds, typed at length" in typed(page.text)
    assert f'href="/login?next={url}"' in page.text
    only_theirs(page.text)
    login(client, person.email)  # signed in again: the form's token is the old session's
    page = client.post(url, data=form)
    assert page.status_code == 403 and SIGNED_OUT in page.text
    assert "a house of reeds, typed at length" in typed(page.text)
    client.post("/logout", data={"csrf_token": form_of(client.get(url).text)["csrf_token"]})
    page = client.post(f"{url}/resolve", data={  # signed out on the conflict page
        "csrf_token": form["csrf_token"], "their_version": "3", "decision": "keep_mine",
        "mine_json": '{"headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "hut"}}]}',
    })  # fmt: skip
    assert page.status_code == 403 and SIGNED_OUT in page.text
    assert "Sense 1 · gloss (en): hut" in typed(page.text)
    session.rollback()
    assert session.get(Entry, url.rsplit("/", 1)[1]).version == 3  # nothing saved


def test_the_text_editor_keeps_what_was_typed(client, session, dictionary):
    secret = dict(story(), title={"seh": "Nkhani"})
    made = texts.create_text(session=session, dictionary=dictionary, data=secret)
    person = make_user(session, "editor@example.org", "editor", dictionary)
    login(client, person.email)
    url = f"{EDIT}/texts/{made['id']}"
    form = text_form_of(client.get(url).text)
    form.update({"title": "Nkhani yanga", "seg-1-text": "ndidapita, typed at length",
                 "seg-3-text": "kuti", "seg-3-translation": "that"})  # fmt: skip
    accounts.set_role(session=session, user=person.user, dictionary=dictionary, role="contributor")
    page = client.post(url, data=form)
    assert page.status_code == 403 and NOT_ALLOWED in page.text
    box = typed(page.text)
    assert "Title: Nkhani yanga" in box
    assert "Transcription of sentence 2: ndidapita, typed at length" in box
    assert "Translation of sentence 4: that" in box and "Then one day" in box
    accounts.set_role(session=session, user=person.user, dictionary=dictionary, role="editor")
    accounts.end_sessions(session=session, user_id=person.user.id)
    page = client.post(f"{url}/resolve", data=dict(form, their_version="2"))
    assert page.status_code == 401 and SIGNED_OUT in page.text
    assert "Transcription of sentence 4: kuti" in typed(page.text)
    assert f'href="/login?next={url}"' in page.text  # the text's page, not the choice's
    assert texts.read_text(session=session, dictionary=dictionary,
                           text_id=made["id"])["version"] == 1  # fmt: skip


def test_anonymous_posts_learn_nothing_of_the_dictionary(client, session, dictionary):
    """Anyone may post to an editor's address; the answer is the same whether the dictionary
    exists or not (a private one is not found), and holds only what they sent."""
    made = nyumba(session, dictionary)
    dictionary.visibility = "private"
    session.add(dictionary)
    session.commit()
    sent = {"headword.seh": "chinthu", "version": "1"}
    there = client.post(f"{EDIT}/entries/{made['id']}", data=sent)
    nowhere = client.post(f"/d/nope/edit/entries/{made['id']}", data=sent)
    assert there.status_code == nowhere.status_code == 403  # no session's token: refused first
    assert typed(there.text) == typed(nowhere.text)
    assert "Headword (seh): chinthu" in typed(there.text)
    assert "nyumba" not in there.text and "Demo Dictionary" not in there.text
    other_site = client.post(f"{EDIT}/entries/{made['id']}", data=sent,
                             headers={"Sec-Fetch-Site": "cross-site"})  # fmt: skip
    assert other_site.status_code == 403 and "chinthu" not in other_site.text
    api = client.put(f"/api/dictionaries/demo/entries/{made['id']}", json=made)
    assert api.status_code == 404 and api.json()["detail"]


def test_settings_a_comment_and_a_new_title_keep_what_was_typed(client, session, dictionary):
    """The other forms a keeper types into: the settings (a long alphabet or description), a
    reviewer's comment and a new text's title. Signed out while typing, or the role taken:
    what they typed is shown, nothing of the dictionary, and nothing changes."""
    person = make_user(session, "manager@example.org", "owner", dictionary)
    token = login(client, person.email)
    settings = {
        "csrf_token": token, "title": "Sena, typed at length", "language_name": "Sena",
        "language_code": "seh", "description": "Words of the lower Zambezi, typed at length",
        "licence": "CC-BY-4.0", "vernacular_ws": "seh", "analysis_ws": "en pt",
        "letters": "a b ch d e\nŊ ŋ", "ignore": "-", "confusables": "ŋ=ng",
        "visibility": "public", "default_entry_visibility": "community",
    }  # fmt: skip
    accounts.end_sessions(session=session, user_id=person.user.id)
    page = client.post(f"{EDIT}/settings", data=settings)
    assert page.status_code == 401 and SIGNED_OUT in page.text
    box = typed(page.text)
    assert "Title: Sena, typed at length" in box
    assert "Description: Words of the lower Zambezi, typed at length" in box
    assert "Letters in order" in box and "a b ch d e\nŊ ŋ" in box
    assert "Other spellings of a letter, sorted and found as that letter (e.g. ŋ=ng ʼ=')" in box
    assert "Demo Dictionary" not in page.text.replace(box, "")  # only what they typed
    token = login(client, person.email)
    accounts.set_role(session=session, user=person.user, dictionary=dictionary, role="editor")
    page = client.post(f"{EDIT}/settings", data=dict(settings, csrf_token=token))
    assert page.status_code == 403 and NOT_ALLOWED in page.text
    assert "Description: Words of the lower Zambezi, typed at length" in typed(page.text)
    accounts.set_role(
        session=session, user=person.user, dictionary=dictionary, role="contributor"
    )  # a reviewer no longer
    page = client.post(f"{EDIT}/review/1", data={"csrf_token": token, "decision": "reject",
                                                "comment": "Please give the plural, typed"})  # fmt: skip
    assert page.status_code == 403 and NOT_ALLOWED in page.text
    assert typed(page.text).strip() == "Comment for the contributor: Please give the plural, typed"
    accounts.set_role(session=session, user=person.user, dictionary=dictionary, role="viewer")
    page = client.post(f"{EDIT}/texts/new", data={"csrf_token": token, "title": "Nkhani ya kalulu"})
    assert page.status_code == 403 and typed(page.text).strip() == "Title: Nkhani ya kalulu"
    session.refresh(dictionary)
    assert dictionary.title == "Demo Dictionary" and dictionary.description == ""
    assert texts.list_texts(session=session, dictionary=dictionary, viewer=ADMIN) == []
