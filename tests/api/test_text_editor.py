"""The keepers' text editor (/d/{slug}/edit/texts): import with a recording, edit sentences
(text, translation, times as numbers) as a new revision, a stale form, history and restore;
a bad file shows its error and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lexicon import texts
from lexicon.models import Text
from tests.factories import csrf_from, login

STORY = (Path(__file__).parent.parent / "fixtures" / "texts" / "story.txt").read_bytes()
EDIT = "/d/demo/edit/texts"


@pytest.fixture
def keeper(client, owner, dictionary):
    assert login(client, owner.email).status_code == 303
    return client


def _import(keeper, body=STORY, status="published"):
    token = csrf_from(keeper.get(EDIT).text)
    return keeper.post(
        f"{EDIT}/import",
        data={"csrf_token": token, "status": status},
        files={"file": ("story.txt", body, "text/plain")},
        follow_redirects=False,
    )


def test_import_edit_history_restore(keeper, session, dictionary):
    made = _import(keeper)
    assert made.status_code == 303, made.text
    page_url = made.headers["location"]
    html = keeper.get(page_url).text
    assert "ndidapita kumunda" in html and 'name="seg-1-start"' in html
    [row] = session.exec(select(Text)).scalars().all()
    form = {
        "csrf_token": csrf_from(html), "version": "1", "rows": "5", "title": "Nkhani",
        "genre": "narrative", "place": "", "recorded_on": "", "visibility": "public",
        "circle": "", "status": "published",
        "seg-0-id": texts.read_text(session=session, dictionary=dictionary,
                                    text_id=row.id)["segments"][0]["id"],
        "seg-0-start": "0.25", "seg-0-end": "0.9", "seg-0-text": "Ndiye pa tsiku linango",
        "seg-0-translation": "Then, one day",
        "seg-2-start": "2", "seg-2-end": "2.5", "seg-2-text": "kuti", "seg-2-translation": "that",
    }  # fmt: skip
    saved = keeper.post(page_url, data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    session.rollback()  # a new snapshot: the app wrote through its own session
    text = texts.read_text(session=session, dictionary=dictionary, text_id=row.id)
    assert text["version"] == 2 and text["title"] and text["genre"] == "narrative"
    assert [s["start"] for s in text["segments"]] == [0.25, 2.0]  # row 1 left out: removed
    assert text["segments"][0]["translation"] == {"en": "Then, one day"} or any(
        v == "Then, one day" for v in text["segments"][0]["translation"].values()
    )
    # The same edit again from the form opened at version 1: merged, nothing new to write.
    again = keeper.post(page_url, data=form, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].endswith("saved=2&merged=1")
    bad = dict(form, version="2", **{"seg-0-end": "0.1"})
    refused = keeper.post(page_url, data=bad, follow_redirects=False)
    assert refused.status_code == 422 and "before it starts" in refused.text
    history = keeper.get(f"{page_url}/history").text
    restore = keeper.post(f"{page_url}/revisions/1/restore",
                          data={"csrf_token": csrf_from(history)}, follow_redirects=False)  # fmt: skip
    assert restore.status_code == 303
    session.rollback()
    back = texts.read_text(session=session, dictionary=dictionary, text_id=row.id)
    assert back["version"] == 3 and len(back["segments"]) == 2
    assert back["segments"][1]["text"] and "kumunda" in str(back["segments"][1]["text"])


def test_a_bad_file_shows_its_error(keeper, session):
    refused = _import(keeper, body=b"0:05.000 - 0:02.000\nNdiye\n")
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert session.exec(select(Text)).scalars().all() == []


def test_outsiders_cannot_edit(client, dictionary):
    assert client.get(EDIT, follow_redirects=False).status_code in (303, 401)


def test_a_new_row_with_only_times_is_kept(keeper, session, dictionary):
    """The segment editor's split leaves a row with times and no text yet: it is a sentence;
    a row with neither stays out, and one with only a start is refused by name."""
    page_url = _import(keeper).headers["location"]
    html = keeper.get(page_url).text
    [row] = session.exec(select(Text)).scalars().all()
    first = texts.read_text(session=session, dictionary=dictionary, text_id=row.id)["segments"][0]
    form = {
        "csrf_token": csrf_from(html), "version": "1", "rows": "3", "title": "Nkhani",
        "visibility": "public", "status": "published",
        "seg-0-id": first["id"], "seg-0-start": "0", "seg-0-end": "0.5",
        "seg-0-text": "Ndiye pa tsiku linango",
        "seg-1-start": "0.5", "seg-1-end": "0.9",
    }  # fmt: skip
    refused = keeper.post(page_url, data=dict(form, **{"seg-2-start": "1"}))
    assert refused.status_code == 422 and "both a start and an end" in refused.text
    saved = keeper.post(page_url, data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    session.rollback()
    segments = texts.read_text(session=session, dictionary=dictionary, text_id=row.id)["segments"]
    assert [(s["start"], s["end"]) for s in segments] == [(0.0, 0.5), (0.5, 0.9)]
    assert segments[0]["id"] == first["id"] and segments[1]["id"] != first["id"]


def test_a_moved_edge_clears_the_word_times_it_leaves_outside(keeper, session, dictionary):
    """Aligned words keep their times while inside their sentence; an edge moved past some of
    them (the segment editor's drag) clears those, to be aligned again."""
    text = texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"seh": "Nkhani"}, "status": "published",
        "segments": [{"start": 1.0, "end": 2.0, "text": {"seh": "ndidapita kumunda"},
                      "words": [{"text": "ndidapita", "start": 1.0, "end": 1.5},
                                {"text": "kumunda", "start": 1.5, "end": 2.0}]}]})  # fmt: skip
    page_url = f"{EDIT}/{text['id']}"
    form = {
        "csrf_token": csrf_from(keeper.get(page_url).text), "version": "1", "rows": "1",
        "title": "Nkhani", "visibility": "public", "status": "published",
        "seg-0-id": text["segments"][0]["id"], "seg-0-start": "1.0", "seg-0-end": "2.0",
        "seg-0-text": "ndidapita kumunda",
    }  # fmt: skip
    assert keeper.post(page_url, data=form, follow_redirects=False).status_code == 303
    session.rollback()
    words = texts.read_text(session=session, dictionary=dictionary,
                            text_id=text["id"])["segments"][0]["words"]  # fmt: skip
    assert [(w["start"], w["end"]) for w in words] == [(1.0, 1.5), (1.5, 2.0)]  # unchanged
    moved = dict(form, version="2", **{"seg-0-end": "1.7"})
    assert keeper.post(page_url, data=moved, follow_redirects=False).status_code == 303
    session.rollback()
    words = texts.read_text(session=session, dictionary=dictionary,
                            text_id=text["id"])["segments"][0]["words"]  # fmt: skip
    assert [(w["text"], w["start"], w["end"]) for w in words] == [
        ("ndidapita", 1.0, 1.5), ("kumunda", None, None)]  # fmt: skip
