"""Recordings that came in FieldWorks' audio writing systems on a gloss or on an example's
translation (`en-Zxxx-x-audio`): the entry's page plays them, and each is served to whoever may
see the sense or example holding it, never to anyone else."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from lexicon import editing
from lexicon.io.importer import import_file
from lexicon.media.storage import LocalStorage
from tests.factories import all_entries, make_user

SRC = Path(__file__).parents[1] / "fixtures" / "lift-audio-ws"
GLOSS = "636791234567890127gloss.wav"
TRANSLATION = "636791234567890126translation.wav"


def _sha(name: str) -> str:
    return hashlib.sha256((SRC / "audio" / name).read_bytes()).hexdigest()


@pytest.fixture
def nyumba(session, dictionary, media_dir):
    """The fixture's entries imported into the `demo` dictionary; `nyumba`, whose sense has a
    recorded English gloss and whose example has a recorded translation."""
    report = import_file(session=session, dictionary=dictionary, path=SRC / "audio-ws.lift",
                         format="lift", storage=LocalStorage(media_dir))  # fmt: skip
    assert report.media_added == 5, report.warnings
    return next(e for e in all_entries(session, dictionary) if e["headword"] == {"seh": "nyumba"})


def _sources(html: str) -> set[str]:
    return set(re.findall(r'<audio[^>]* src="([^"]+)"', html))


def test_the_entry_page_plays_a_recorded_gloss_and_translation(client, nyumba):
    page = client.get(f"/d/demo/entries/{nyumba['id']}")
    assert page.status_code == 200
    gloss, translation = (f"/media/demo/{_sha(GLOSS)}", f"/media/demo/{_sha(TRANSLATION)}")
    assert {gloss, translation} <= _sources(page.text)
    assert 'lang="en"' in page.text
    for url in (gloss, translation):
        sound = client.get(url)  # an anonymous visitor may hear what they may see
        assert sound.status_code == 200 and sound.headers["content-type"].startswith("audio/")


def test_a_hidden_sense_keeps_its_recorded_gloss(client, session, dictionary, nyumba):
    """The sense made restricted (elders): its gloss's recording is gone for an anonymous
    visitor and a member outside the circle, on the page and at its URL; an elder hears it."""
    data = dict(nyumba)
    data["senses"] = [dict(nyumba["senses"][0], visibility="restricted", circle="elders")]
    editing.update_entry(session=session, dictionary=dictionary, entry_id=nyumba["id"],
                         data=data, version=nyumba["version"])  # fmt: skip
    member = make_user(session, "member@example.org", "viewer", dictionary)
    elder = make_user(session, "elder@example.org", "viewer", dictionary, circles=["elders"])
    urls = {f"/media/demo/{_sha(GLOSS)}", f"/media/demo/{_sha(TRANSLATION)}"}
    for headers in ({}, member.headers):
        page = client.get(f"/d/demo/entries/{nyumba['id']}", headers=headers)
        assert page.status_code == 200 and not urls & _sources(page.text)
        for url in urls:
            assert client.get(url, headers=headers).status_code == 404, url
    page = client.get(f"/d/demo/entries/{nyumba['id']}", headers=elder.headers)
    assert urls <= _sources(page.text)
    for url in urls:
        assert client.get(url, headers=elder.headers).status_code == 200, url
