"""Words of texts on the web: the concordance (`.../entries/{id}/occurrences`, the entry's page,
each sentence's clip) with nested protocols, as an anonymous visitor, a member outside the
circle and one in it; one-click links; new-word candidates made draft entries; "use as
example" copying a sentence and its clip into a sense."""

from __future__ import annotations

from pathlib import Path

import pytest

from lexicon import texts
from lexicon.media.storage import LocalStorage
from lexicon.models import Proposal
from tests.factories import add_entry, csrf_from, login, make_user

BOBBY = Path(__file__).parent.parent / "fixtures" / "texts" / "praatio-en" / "bobby.wav"
API = "/api/dictionaries/demo"


@pytest.fixture
def setup(session, dictionary, settings):
    """Two texts: a public one with a restricted sentence (elders), with a recording, and a
    restricted one (elders); entries `ngoma` (in all three sentences) and `mbuzi`."""
    ngoma = add_entry(session, dictionary, "ngoma", "drum")
    mbuzi = add_entry(session, dictionary, "mbúzi", "goat")
    data = {
        "title": {"en": "The drum"}, "status": "published",
        "segments": [
            {"id": "s1", "start": 0.1, "end": 0.5, "text": {"seh": "Ngoma ya mbuzi"},
             "translation": {"en": "The goat's drum"}},
            {"id": "s2", "start": 0.5, "end": 1.1, "text": {"seh": "ŋoma yachinsinsi"},
             "translation": {"en": "The secret drum"}, "visibility": "restricted",
             "circle": "elders"},
        ],
    }  # fmt: skip
    storage = LocalStorage(settings.media_dir)
    with open(BOBBY, "rb") as recording:
        drum = texts.import_text(session=session, storage=storage, dictionary=dictionary,
                                 data=data, audio_file=recording, audio_name="bobby.wav")  # fmt: skip
    secret = texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"en": "Secret"}, "visibility": "restricted", "circle": "elders",
        "segments": [{"id": "x1", "text": {"seh": "ngoma zizi"}}]})  # fmt: skip
    member = make_user(session, "member@example.org", "viewer", dictionary)
    elder = make_user(session, "elder@example.org", "viewer", dictionary, circles=["elders"])
    editor = make_user(session, "editor@example.org", "editor", dictionary, circles=["elders"])
    return {"ngoma": ngoma["id"], "mbuzi": mbuzi["id"], "drum": drum["id"],
            "secret": secret["id"], "people": {"anonymous": {}, "member": member.headers,
                                                "elder": elder.headers},
            "editor": editor}  # fmt: skip


def test_concordance_follows_protocols(client, setup):
    url = f"{API}/entries/{setup['ngoma']}/occurrences"
    seen = {}
    for who, headers in setup["people"].items():
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        seen[who] = {i["segment_id"]: i for i in answer.json()["items"]}
    assert set(seen["anonymous"]) == set(seen["member"]) == {"s1"}
    assert set(seen["elder"]) == {"s1", "s2", "x1"}
    s1 = seen["anonymous"]["s1"]
    assert s1["text"] == {"seh": "Ngoma ya mbuzi"} and s1["translation"]["en"] == "The goat's drum"
    assert (s1["start"], s1["end"], s1["title"]) == (0.1, 0.5, {"en": "The drum"})
    assert s1["clip_url"] == f"{API}/texts/{setup['drum']}/segments/s1/clip"
    assert s1["text_url"] == f"/d/demo/texts/{setup['drum']}#s1"
    assert seen["elder"]["x1"]["clip_url"] is None  # no recording
    # the clips: Range-able, and only for those who may hear the sentence
    clip = client.get(s1["clip_url"])
    assert clip.status_code == 200 and clip.headers["content-type"] == "audio/mpeg"
    assert clip.headers["accept-ranges"] == "bytes" and len(clip.content) > 500
    head = client.head(s1["clip_url"])
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(clip.content)
    part = client.get(s1["clip_url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    hidden = f"{API}/texts/{setup['drum']}/segments/s2/clip"
    for who in ("anonymous", "member"):
        assert client.get(hidden, headers=setup["people"][who]).status_code == 404
    assert client.get(hidden, headers=setup["people"]["elder"]).status_code == 200


def test_entry_page_shows_sentences_by_protocol(client, setup):
    page = f"/d/demo/entries/{setup['ngoma']}"
    for who in ("anonymous", "member"):
        html = client.get(page, headers=setup["people"][who]).text
        assert "Ngoma ya mbuzi" in html and "The goat&#39;s drum" in html
        assert "secret drum" not in html and "ngoma zizi" not in html
        assert f"/texts/{setup['drum']}/segments/s1/clip" in html
        assert f"/texts/{setup['drum']}/segments/s2/clip" not in html
        assert f"/d/demo/texts/{setup['drum']}#s1" in html
        assert "Use as example" not in html
    html = client.get(page, headers=setup["people"]["elder"]).text
    assert "The secret drum" in html and "ngoma zizi" in html


def test_one_click_links(client, setup):
    editor = setup["editor"].headers
    url = f"{API}/texts/{setup['drum']}/segments/s1/words/2/link"
    assert client.put(url, json={"entry_id": setup["ngoma"]}).status_code in (401, 403)
    member = setup["people"]["member"]
    assert client.put(url, json={"entry_id": setup["ngoma"]}, headers=member).status_code == 403
    answer = client.put(url, json={"entry_id": setup["ngoma"]}, headers=editor)
    assert answer.status_code == 200, answer.text
    assert answer.json()["link"] == "confirmed" and answer.json()["form"] == "mbuzi"
    links = client.get(f"{API}/texts/{setup['drum']}/links").json()["segments"]
    assert [(w["form"], w["link"]) for w in links["s1"]] == [
        ("Ngoma", "auto"), ("ya", "none"), ("mbuzi", "confirmed")]  # fmt: skip
    assert "s2" not in links  # hidden from an anonymous visitor
    occurrences = client.get(f"{API}/entries/{setup['ngoma']}/occurrences").json()["items"]
    assert occurrences[0]["forms"] == ["Ngoma", "mbuzi"]
    assert client.put(url, json={"entry_id": None}, headers=editor).json()["link"] == "rejected"
    back = client.put(url, json={"link": "auto"}, headers=editor).json()
    assert (back["entry_id"], back["link"]) == (setup["mbuzi"], "auto")
    assert client.put(f"{API}/texts/{setup['drum']}/segments/s1/words/9/link",
                      json={"entry_id": None}, headers=editor).status_code == 404  # fmt: skip


def test_candidates_and_draft_entry(client, session, setup):
    editor = setup["editor"].headers
    assert client.get(f"{API}/texts/candidates").status_code in (401, 403)
    found = client.get(f"{API}/texts/candidates", headers=editor).json()["items"]
    by_form = {c["form"]: c for c in found}
    assert by_form["ya"]["count"] == 1 and "zizi" in by_form
    assert by_form["ya"]["contexts"][0]["clip_url"].endswith("/segments/s1/clip")
    one = client.get(f"{API}/texts/candidates", params={"text": setup["drum"]}, headers=editor)
    assert "zizi" not in {c["form"] for c in one.json()["items"]}
    made = client.post(f"{API}/texts/candidates/entry", headers=editor, json={
        "text_id": setup["drum"], "segment_id": "s1", "form": "ya", "glosses": {"en": "of"}})  # fmt: skip
    assert made.status_code == 201, made.text
    row = session.get(Proposal, made.json()["id"])
    example = row.data["senses"][0]["examples"][0]
    assert row.data["status"] == "needs_review" and example["text"] == {"seh": "Ngoma ya mbuzi"}
    assert example["media"]["sha256"] and example["translations"] == {"en": "The goat's drum"}
    queue = client.get("/d/demo/edit/review", headers=editor)
    assert queue.status_code == 200 and "ya" in queue.text


def test_a_contributor_proposes_with_the_sentences_clip(client, session, dictionary, setup):
    """The clip cut for a contributor is theirs to name in a proposal, though nothing uses it
    yet (a file nothing uses is otherwise for editors only: lexicon.editing.named_media)."""
    contributor = make_user(session, "learner@example.org", "contributor", dictionary).headers
    made = client.post(f"{API}/texts/candidates/entry", headers=contributor, json={
        "text_id": setup["drum"], "segment_id": "s1", "form": "ya"})  # fmt: skip
    assert made.status_code == 201, made.text
    sense = client.get(f"{API}/entries/{setup['mbuzi']}").json()["senses"][0]["id"]
    answer = client.post(f"{API}/entries/{setup['mbuzi']}/occurrences/example", json={
        "sense_id": sense, "text_id": setup["drum"], "segment_id": "s1"}, headers=contributor)  # fmt: skip
    assert answer.status_code == 202, answer.text
    proposed = session.get(Proposal, answer.json()["id"]).data["senses"][0]["examples"]
    assert proposed[-1]["media"]["sha256"] == made.json()["data"]["senses"][0]["examples"][0][
        "media"]["sha256"]  # fmt: skip


def test_use_as_example_page_and_api(client, session, setup):
    editor = setup["editor"]
    login(client, editor.email)
    page = client.get(f"/d/demo/entries/{setup['mbuzi']}").text
    assert "Use as example" in page
    entry = client.get(f"{API}/entries/{setup['mbuzi']}").json()
    posted = client.post(
        f"/d/demo/edit/entries/{setup['mbuzi']}/occurrences/example",
        data={"csrf_token": csrf_from(page), "sense_id": entry["senses"][0]["id"],
              "text_id": setup["drum"], "segment_id": "s1"}, follow_redirects=False,
    )  # fmt: skip
    assert posted.status_code == 303, posted.text
    entry = client.get(f"{API}/entries/{setup['mbuzi']}").json()
    example = entry["senses"][0]["examples"][0]
    assert example["text"] == {"seh": "Ngoma ya mbuzi"} and example["media"]["url"]
    assert client.get(example["media"]["url"]).status_code == 200
    client.cookies.clear()
    answer = client.post(f"{API}/entries/{setup['mbuzi']}/occurrences/example", json={
        "sense_id": entry["senses"][0]["id"], "text_id": setup["drum"], "segment_id": "s2"},
        headers=editor.headers)  # fmt: skip
    assert answer.status_code == 200, answer.text
    restricted = answer.json()["senses"][0]["examples"][-1]
    assert (restricted["visibility"], restricted["circle"]) == ("restricted", "elders")


def test_editor_pages(client, setup):
    login(client, setup["editor"].email)
    words = client.get(f"/d/demo/edit/texts/{setup['drum']}/words")
    assert words.status_code == 200 and "mbuzi" in words.text
    posted = client.post(
        f"/d/demo/edit/texts/{setup['drum']}/words",
        data={"csrf_token": csrf_from(words.text), "segment_id": "s1", "n": "1", "m": "-1",
              "action": "link", "headword": "mbúzi"}, follow_redirects=False,
    )  # fmt: skip
    assert posted.status_code == 303
    links = client.get(f"{API}/texts/{setup['drum']}/links").json()["segments"]["s1"]
    assert (links[1]["entry_id"], links[1]["link"]) == (setup["mbuzi"], "confirmed")
    page = client.get("/d/demo/edit/candidates")
    assert page.status_code == 200 and "zizi" in page.text
    drafted = client.post("/d/demo/edit/candidates/entry", data={
        "csrf_token": csrf_from(page.text), "form": "zizi", "text_id": setup["secret"],
        "segment_id": "x1", "gloss": "bee"}, follow_redirects=False)  # fmt: skip
    assert drafted.status_code == 303 and "drafted=1" in drafted.headers["location"]


def test_text_page_links_each_word(client, setup):
    html = client.get(f"/d/demo/texts/{setup['drum']}").text
    entry = f'href="/d/demo/entries/{setup["ngoma"]}">Ngoma</a>'
    assert entry in html and f'href="/d/demo/entries/{setup["mbuzi"]}">mbuzi</a>' in html
    assert " ya " in html and "yachinsinsi" not in html  # no entry; a hidden sentence


def test_editor_pages_link_to_words_and_candidates(client, setup):
    login(client, setup["editor"].email)
    listing = client.get("/d/demo/edit/texts").text
    assert "/d/demo/edit/candidates" in listing
    page = client.get(f"/d/demo/edit/texts/{setup['drum']}").text
    assert f"/d/demo/edit/texts/{setup['drum']}/words" in page


def test_a_sentence_without_times_has_no_clip(client, session, dictionary, setup):
    """A recorded text's sentence not yet timed: no clip (404), not a server error."""
    text = texts.read_text(session=session, dictionary=dictionary, text_id=setup["drum"])
    untimed = {"id": "s3", "start": None, "end": None, "text": {"seh": "ngoma"}}
    texts.update_text(session=session, dictionary=dictionary, text_id=setup["drum"],
                      data=dict(text, segments=[*text["segments"], untimed]),
                      version=text["version"])  # fmt: skip
    answer = client.get(f"{API}/texts/{setup['drum']}/segments/s3/clip")
    assert answer.status_code == 404, answer.text
    assert client.get(f"{API}/texts/{setup['drum']}/segments/s1/clip").status_code == 200
