"""Two keepers editing one text in the text editor (/d/{slug}/edit/texts/{id}), with plain form
posts as a browser without scripts makes them: edits apart merge with a note and no page;
edits of the same thing give the conflict page (409) with both sides; each choice, and mine
kept in history when not chosen; a save made while choosing means comparing again; a keeper
outside a circle never sees the circle's sentence through any of it; a save kept waiting for
SQLite's write lock keeps what was typed, and so does one of a text deleted (restored with the
changes saved onto it) or hidden meanwhile."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from lexicon import accounts, texts
from lexicon.accounts.access import Viewer
from lexicon.models import Dictionary, Text
from tests.api.test_busy import lock_held, log_in, site  # noqa: F401 (site: a fixture)
from tests.factories import login, make_user, posted_fields

EDIT = "/d/demo/edit/texts"


def form_of(html: str, cls: str = "text-edit") -> dict:
    pairs = posted_fields(html, form_class=cls)
    assert pairs, f"no form of class {cls!r} on the page"
    return dict(pairs)


def story(**fields) -> dict:
    lines = [("Ndiye pa tsiku", "Then one day"), ("ndidapita", "I went"),
             ("kumunda", "to the field")]  # fmt: skip
    return {
        "title": {"seh": "Nkhani"}, "genre": "narrative", "status": "published",
        "segments": [{"start": float(i), "end": i + 0.9, "text": {"seh": t},
                      "translation": {"en": tr}} for i, (t, tr) in enumerate(lines)],
        **fields,
    }  # fmt: skip


@pytest.fixture
def keeper(client, owner, dictionary):
    assert login(client, owner.email).status_code == 303
    return client


@pytest.fixture
def text(session, dictionary):
    made = texts.create_text(session=session, dictionary=dictionary, data=story())
    return made, f"{EDIT}/{made['id']}"


BEN = Viewer(user_id=990, email="ben@example.org", is_admin=True)


def someone_else(session, dictionary, text_id, edit, who=BEN) -> dict:
    """Another keeper's save, made from the text as it is now."""
    now = texts.read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=who)
    saved, _ = texts.save_text(session=session, dictionary=dictionary, viewer=who,
                               text_id=text_id, version=now["version"], edit=edit)  # fmt: skip
    return saved


def sentence(index: int, **fields):
    def edit(opened):
        opened["segments"][index].update(fields)
        return opened

    return edit


def stored(session, dictionary, text_id) -> dict:
    session.rollback()  # a new snapshot: the app wrote through its own session
    return texts.read_text(session=session, dictionary=dictionary, text_id=text_id)


def test_edits_apart_merge_with_a_note_and_no_page(keeper, session, dictionary, text):
    made, url = text
    form = form_of(keeper.get(url).text)
    someone_else(session, dictionary, made["id"], sentence(2, translation={"en": "to the farm"}))
    form["seg-0-text"] = "Ndiye pa tsiku linango"
    form["seg-3-start"], form["seg-3-end"], form["seg-3-text"] = "3", "3.5", "kuti"  # a new row
    saved = keeper.post(url, data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("saved=3&merged=1")
    page = keeper.get(saved.headers["location"]).text
    assert "Your changes did not touch theirs, so both were kept." in page
    now = stored(session, dictionary, made["id"])
    assert [s["text"]["seh"] for s in now["segments"]] == [
        "Ndiye pa tsiku linango", "ndidapita", "kumunda", "kuti"]  # fmt: skip
    assert now["segments"][2]["translation"] == {"en": "to the farm"}
    history = keeper.get(f"{url}/history").text
    assert "merged with a save made at the same time" in history


PLACE = 'Tete "boma" & <nyanja>'  # carried in the conflict page's hidden fields, escaped


def _clash(keeper, session, dictionary, made, url, **mine) -> tuple[dict, object]:
    """Ben retitles the text and rewrites sentence 2; the keeper does the same from a form
    opened before, and changes the genre and place (which Ben left alone)."""
    form = form_of(keeper.get(url).text)

    def bens(opened):
        opened["title"] = {"seh": "Nkhani ya Ben"}
        opened["segments"][1].update(text={"seh": "ndinapita"}, start=1.2)
        return opened

    someone_else(session, dictionary, made["id"], bens)
    form.update({"title": "Nkhani yanga", "genre": "history", "seg-1-text": "ndidapita kumunda",
                 "place": PLACE, **mine})  # fmt: skip
    return form, keeper.post(url, data=form, follow_redirects=False)


def test_the_same_things_changed_give_both_sides(keeper, session, dictionary, text):
    made, url = text
    _, page = _clash(keeper, session, dictionary, made, url)
    assert page.status_code == 409
    html = page.text
    assert "Someone else saved this text while you were editing" in html
    assert "Nkhani yanga" in html and "Nkhani ya Ben" in html  # the title, mine and theirs
    assert "ndidapita kumunda" in html and "ndinapita" in html  # sentence 2
    assert "1.000–1.900 s" in html and "1.200–1.900 s" in html  # its times as the form has them
    assert f'name="choice.segment:{made["segments"][1]["id"]}"' in html
    assert 'name="choice.title"' in html and "choice.genre" not in html  # the genre is no clash
    assert stored(session, dictionary, made["id"])["version"] == 2  # nothing written yet
    french = keeper.post(url, data=_clash_form(keeper, url), headers={"Accept-Language": "fr"})
    assert french.status_code == 409 and "Garder la mienne partout" in french.text


def _clash_form(keeper, url) -> dict:
    """The editor's form as it is now, with sentence 2 retyped (a clash with Ben's if the form
    is then posted with an older version)."""
    form = form_of(keeper.get(url).text)
    form.update({"version": "1", "seg-1-text": "ndidapita kumunda"})
    return form


@pytest.mark.parametrize(
    ("decision", "title", "second", "kept_in_history"),
    [
        ({"choice.title": "mine", "choice.segment": "theirs"}, "Nkhani yanga", "ndinapita", True),
        ({"decision": "keep_mine"}, "Nkhani yanga", "ndidapita kumunda", False),
        ({"decision": "take_theirs"}, "Nkhani ya Ben", "ndinapita", True),
        ({"choice.title": "theirs", "choice.segment": "mine"}, "Nkhani ya Ben",
         "ndidapita kumunda", True),
    ],
)  # fmt: skip
def test_each_choice(keeper, session, dictionary, text, decision, title, second,
                     kept_in_history):  # fmt: skip
    made, url = text
    _, page = _clash(keeper, session, dictionary, made, url)
    answer = form_of(page.text, "conflict")
    segment_choice = f"choice.segment:{made['segments'][1]['id']}"
    for name, side in decision.items():
        answer[segment_choice if name == "choice.segment" else name] = side
    done = keeper.post(f"{url}/resolve", data=answer, follow_redirects=False)
    assert done.status_code == 303, done.text
    now = stored(session, dictionary, made["id"])
    assert now["title"] == {"seh": title} and now["segments"][1]["text"] == {"seh": second}
    assert now["genre"] == "history" and now["place"] == PLACE  # mine alone: kept either way
    history = texts.text_history(session=session, dictionary=dictionary, text_id=made["id"])
    assert now["version"] == (4 if kept_in_history else 3)
    if kept_in_history:  # all of mine, as typed, is a revision of its own
        kept = history[1]
        assert kept["comment"] == "edit made at the same time as another; kept in history"
        assert kept["data"]["title"] == {"seh": "Nkhani yanga"}
        assert kept["data"]["segments"][1]["text"] == {"seh": "ndidapita kumunda"}
        assert "kept in history" in keeper.get(f"{url}/history").text


def test_a_save_while_choosing_means_comparing_again(keeper, session, dictionary, text):
    made, url = text
    _, page = _clash(keeper, session, dictionary, made, url)
    answer = form_of(page.text, "conflict")
    assert answer["their_version"] == "2" and answer["version"] == "1"
    someone_else(session, dictionary, made["id"], sentence(1, translation={"en": "I walked"}))
    again = keeper.post(f"{url}/resolve", data=dict(answer, decision="keep_mine"))
    assert again.status_code == 409 and "It was saved again while you were choosing" in again.text
    assert "I walked" in again.text and "ndidapita kumunda" in again.text
    assert stored(session, dictionary, made["id"])["version"] == 3  # nothing of mine yet
    answer = form_of(again.text, "conflict")
    assert answer["their_version"] == "3"
    done = keeper.post(f"{url}/resolve", data=dict(answer, decision="keep_mine"),
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    now = stored(session, dictionary, made["id"])
    assert now["version"] == 4 and now["segments"][1]["text"] == {"seh": "ndidapita kumunda"}


def test_a_mistake_in_a_stale_form_keeps_what_was_typed(keeper, session, dictionary, text):
    made, url = text
    form = form_of(keeper.get(url).text)
    someone_else(session, dictionary, made["id"], sentence(2, translation={"en": "away"}))
    form.update({"seg-0-text": "Ndiye pa tsiku linango", "seg-0-start": "0.5", "seg-0-end": "0.4"})
    refused = keeper.post(url, data=form)
    assert refused.status_code == 422 and "before it starts" in refused.text
    again = form_of(refused.text)
    assert again["version"] == "1" and again["seg-0-text"] == "Ndiye pa tsiku linango"
    again["seg-0-end"] = "0.9"  # put right, it is saved: merged with theirs
    assert keeper.post(url, data=again, follow_redirects=False).status_code == 303
    now = stored(session, dictionary, made["id"])
    assert now["segments"][0]["text"] == {"seh": "Ndiye pa tsiku linango"}
    assert now["segments"][2]["translation"] == {"en": "away"}


def test_a_keeper_outside_the_circle_never_sees_its_sentence(client, session, dictionary):
    data = story()
    data["segments"][2].update(visibility="restricted", circle="elders")
    made = texts.create_text(session=session, dictionary=dictionary, data=data)
    outsider = make_user(session, "editor@example.org", "editor", dictionary)
    elder = make_user(session, "elder@example.org", "editor", dictionary, circles=["elders"])
    assert login(client, outsider.email).status_code == 303
    url = f"{EDIT}/{made['id']}"
    form = form_of(client.get(url).text)
    assert "kumunda" not in str(form)

    def elders(opened):
        opened["segments"][0]["text"] = {"seh": "Ndiye"}
        opened["segments"][2]["text"] = {"seh": "kumunda kwathu"}
        return opened

    as_elder = Viewer(user_id=elder.user.id, email=elder.email, roles={dictionary.id: "editor"},
                      circles={dictionary.id: frozenset({"elders"})})  # fmt: skip
    someone_else(session, dictionary, made["id"], elders, who=as_elder)
    form["seg-0-text"] = "Ndiye pa tsiku linango"
    page = client.post(url, data=form)
    assert page.status_code == 409 and "Ndiye pa tsiku linango" in page.text
    assert "kumunda" not in page.text and "to the field" not in page.text
    answer = form_of(page.text, "conflict")
    done = client.post(f"{url}/resolve", data=dict(answer, decision="take_theirs"),
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    now = stored(session, dictionary, made["id"])
    assert [s["text"]["seh"] for s in now["segments"]] == ["Ndiye", "ndidapita", "kumunda kwathu"]
    assert now["segments"][2]["circle"] == "elders"
    history = client.get(f"{url}/history").text  # mine, kept in history, as the outsider sees it
    assert "kept in history" in history and "kumunda" not in history


def test_a_save_kept_waiting_keeps_what_was_typed(site):  # noqa: F811 (the fixture)
    """SQLite's write lock held too long by another (a large import): nothing is saved, and
    the form comes back with everything typed, on the version it was opened at."""
    with Session(site.engine, expire_on_commit=False) as session:
        dictionary = session.exec(select(Dictionary)).scalars().one()
        made = texts.create_text(session=session, dictionary=dictionary, data=story())
    log_in(site.client, site.owner.email)
    url = f"{EDIT}/{made['id']}"
    form = form_of(site.client.get(url).text)
    form["seg-1-text"] = "ndidapita kumunda, typed at length"
    with lock_held(site.engine):
        busy = site.client.post(url, data=form)
    assert busy.status_code == 503 and "Nothing was saved" in busy.text
    again = form_of(busy.text)
    assert again["seg-1-text"] == "ndidapita kumunda, typed at length"
    assert again["version"] == "1"
    assert site.client.post(url, data=again, follow_redirects=False).status_code == 303


# ---------------------------------------------------------------- deleted or hidden meanwhile


def test_a_text_deleted_meanwhile_keeps_what_was_typed_and_comes_back(keeper, session,
                                                                      dictionary, text):  # fmt: skip
    made, url = text
    form = form_of(keeper.get(url).text)
    someone_else(session, dictionary, made["id"], sentence(2, translation={"en": "to the farm"}))
    texts.delete_text(session=session, dictionary=dictionary, text_id=made["id"], editor="ben")
    form.update({"title": "Nkhani yanga", "seg-0-text": "Ndiye pa tsiku linango",
                 "seg-3-start": "3", "seg-3-end": "3.5", "seg-3-text": "kuti"})  # fmt: skip
    page = keeper.post(url, data=form)
    assert page.status_code == 410
    assert "This text was deleted while you were editing it. Nothing was saved" in page.text
    again = form_of(page.text)
    assert again["version"] == "1" and again["title"] == "Nkhani yanga"
    assert again["seg-0-text"] == "Ndiye pa tsiku linango" and again["seg-3-text"] == "kuti"
    assert again["seg-0-id"] == made["segments"][0]["id"]  # the rows still name their sentences
    assert 'name="restore" value="1"' in page.text  # the one button: restore it and save
    assert "Delete this text" not in page.text and "History" not in page.text
    session.rollback()
    assert _deleted(session, made["id"])  # nothing saved
    done = keeper.post(url, data=dict(again, restore="1"), follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("saved=5&restored=1")
    shown = keeper.get(done.headers["location"]).text
    assert "The text was restored, and your changes were saved onto it." in shown
    now = stored(session, dictionary, made["id"])
    assert now["title"] == {"seh": "Nkhani yanga"}
    assert [s["text"]["seh"] for s in now["segments"]] == [
        "Ndiye pa tsiku linango", "ndidapita", "kumunda", "kuti"]  # fmt: skip
    assert now["segments"][2]["translation"] == {"en": "to the farm"}  # theirs, before the delete
    history = texts.text_history(session=session, dictionary=dictionary, text_id=made["id"])
    assert [h["action"] for h in history[:3]] == ["update", "restore", "delete"]


def _deleted(session, text_id) -> bool:
    return session.get(Text, text_id).deleted


def test_a_text_hidden_meanwhile_keeps_what_was_typed(client, session, dictionary):
    """An elder takes the text into the elders' circle while an editor outside it edits it:
    the editor's save answers their own typing and nothing of the text as it is now; once they
    are in the circle, the same form saves."""
    made = texts.create_text(session=session, dictionary=dictionary, data=story())
    outsider = make_user(session, "editor@example.org", "editor", dictionary)
    assert login(client, outsider.email).status_code == 303
    url = f"{EDIT}/{made['id']}"
    form = form_of(client.get(url).text)

    def restrict(opened):
        opened.update(visibility="restricted", circle="elders", title={"seh": "Chinsinsi"})
        return opened

    someone_else(session, dictionary, made["id"], restrict)
    form["seg-1-text"] = "ndidapita kumunda"
    page = client.post(url, data=form)
    assert page.status_code == 404 and "no longer there for you" in page.text
    assert "Chinsinsi" not in page.text and "elders" not in page.text
    again = form_of(page.text)
    assert again["seg-1-text"] == "ndidapita kumunda" and 'name="restore"' not in page.text
    assert stored(session, dictionary, made["id"])["version"] == 2
    accounts.add_to_circle(session=session, user=outsider.user, dictionary=dictionary,
                           circle="elders")  # fmt: skip
    saved = client.post(url, data=again, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("saved=3&merged=1")
    now = stored(session, dictionary, made["id"])
    assert now["segments"][1]["text"] == {"seh": "ndidapita kumunda"}
    assert now["title"] == {"seh": "Chinsinsi"} and now["circle"] == "elders"
