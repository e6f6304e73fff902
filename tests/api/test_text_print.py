"""A text as a printed booklet (#22 part 8): the real PDF read back with pdftotext: sentences
in order with their translations under them, the interlinear layout's words over their
morphemes and glosses, and only the segments the reader may see."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from html import unescape
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from lexicon import texts
from lexicon.io.texts import read_texts
from tests.factories import make_user
from wordkeep.cli_text_print import register

FLEX = Path(__file__).parents[1] / "fixtures" / "texts" / "sil-flextext" / "FullyAnalyzed.flextext"


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()  # fmt: skip


def word_boxes(data: bytes) -> dict[str, tuple[float, float]]:
    """Each word of the PDF (the last of a repeated one) with its left edge and top, in points."""
    html = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()  # fmt: skip
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', html)
    return {unescape(word): (float(x), float(y)) for x, y, word in found}


def story(session, dictionary) -> dict:
    """Three sentences; the second is restricted to the elders."""
    segments = [
        {"start": 0.5, "end": 2.0, "speaker": "AM", "text": {"seh": "Kalekale panali nkhalamba"},
         "translation": {"en": "Long ago there was an old man"}},
        {"start": 2.0, "end": 3.5, "text": {"seh": "wakubisika nyimbo"},
         "translation": {"en": "the hidden song"}, "visibility": "restricted", "circle": "elders"},
        {"start": 3.5, "end": 5.0, "text": {"seh": "ndipo adafa"},
         "translation": {"en": "and then he died"}},
    ]  # fmt: skip
    speakers = [{"code": "AM", "name": "Ana Mbewe", "speaker_named": True}]
    return texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"seh": "Nkhalamba", "en": "The old man"}, "genre": "narrative",
        "speakers": speakers, "segments": segments})  # fmt: skip


@pytest.fixture
def analysed(session, dictionary) -> dict:
    data = dict(read_texts(FLEX)[0], status="published")  # a reader's text is a draft
    return texts.create_text(session=session, dictionary=dictionary, data=data)


def test_plain_booklet_has_each_sentence_then_its_translation(client, session, dictionary, auth):
    text = story(session, dictionary)
    got = client.get(f"/api/dictionaries/demo/texts/{text['id']}/print", headers=auth)
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    out = " ".join(pdf_text(got.content).split())
    order = ["Nkhalamba", "The old man", "narrative", "Ana Mbewe", "Kalekale panali nkhalamba",
             "Long ago there was an old man", "wakubisika nyimbo", "the hidden song",
             "ndipo adafa", "and then he died"]  # fmt: skip
    places = [out.find(part) for part in order]
    assert -1 not in places and places == sorted(places), list(zip(order, places, strict=True))


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_a_restricted_segment_is_never_printed_for_an_outsider(who, client, session, dictionary):
    text = story(session, dictionary)
    headers = {}
    if who == "outsider":
        headers = make_user(session, "member@example.org", "viewer", dictionary).headers
    got = client.get(f"/api/dictionaries/demo/texts/{text['id']}/print", headers=headers)
    assert got.status_code == 200
    out = pdf_text(got.content)
    assert "Kalekale" in out and "ndipo adafa" in out
    assert "wakubisika" not in out and "hidden song" not in out
    elder = make_user(session, "elder@example.org", "viewer", dictionary, circles=("elders",))
    seen = client.get(f"/api/dictionaries/demo/texts/{text['id']}/print", headers=elder.headers)
    assert "wakubisika" in pdf_text(seen.content)
    # A text restricted as a whole is not found at all.
    secret = texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"en": "Secret"}, "visibility": "restricted", "circle": "elders",
        "segments": [{"text": {"seh": "chinsinsi"}}]})  # fmt: skip
    hidden = client.get(f"/api/dictionaries/demo/texts/{secret['id']}/print", headers=headers)
    assert hidden.status_code == 404 and "chinsinsi" not in hidden.text


def test_interlinear_words_stand_over_their_morphemes_and_glosses(client, analysed, auth):
    url = f"/api/dictionaries/demo/texts/{analysed['id']}/print"
    got = client.get(url, params={"layout": "interlinear"}, headers=auth)
    assert got.status_code == 200
    boxes = word_boxes(got.content)
    # Each column: the word, its morphemes, their glosses and its gloss start at one x and
    # follow each other down the page.
    for column in (("Fully", "full-y", "complete-Makes", "‘completely’"),
                   ("analyzed", "analyze-d", "study-pst.", "‘study’"),
                   ("text.", "text", "words", "‘words’")):  # fmt: skip
        found = [boxes[w] for w in column]
        assert max(x for x, _ in found) - min(x for x, _ in found) < 0.5, column
        assert [y for _, y in found] == sorted(y for _, y in found), column
    assert boxes["Fully"][0] < boxes["analyzed"][0] < boxes["text."][0]
    assert boxes["Fully"][1] == boxes["analyzed"][1] == boxes["text."][1]
    out = " ".join(pdf_text(got.content).split())
    assert out.index("Fully analyzed text.") < out.index("full-y") < out.index("Completely")
    # The plain layout of the same text has no analysis lines.
    plain = pdf_text(client.get(url, headers=auth).content)
    assert "Fully analyzed text." in plain and "full-y" not in plain


def test_interlinear_rows_stay_level_when_a_word_has_less_analysis(
    client, session, dictionary, auth
):
    words = [
        {"text": "Ndiye", "morphemes": [{"text": "ndi", "gloss": {"en": "COP"}},
                                        {"text": "-ye", "gloss": {"en": "3SG"}}]},
        {"text": "pakati", "morphemes": [{"text": "pakati", "gloss": {"en": "amid"}}]},
        {"text": "tsiku", "gloss": {"en": "day"}},  # no morphemes at all
    ]  # fmt: skip
    text = texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"en": "Level"}, "segments": [{"text": {"seh": "Ndiye pakati tsiku"},
                                                "words": words}]})  # fmt: skip
    url = f"/api/dictionaries/demo/texts/{text['id']}/print?layout=interlinear"
    boxes = word_boxes(client.get(url, headers=auth).content)
    assert boxes["Ndiye"][1] == boxes["tsiku"][1]  # the words' row (the sentence line is above)
    assert boxes["ndi-ye"][1] == boxes["pakati"][1]  # morphemes under each word
    assert boxes["COP-3SG"][1] == boxes["amid"][1]
    assert boxes["ndi-ye"][1] < boxes["COP-3SG"][1] < boxes["‘day’"][1]
    assert abs(boxes["‘day’"][0] - boxes["tsiku"][0]) < 0.5


def test_every_script_of_the_text_gets_a_font(client, session, dictionary, auth):
    segments = [
        {"text": {"seh": "ŋ̀gàmà ɓaːɗa", "seh-fonipa": "eːk ɡãːʋ"},
         "translation": {"en": "Греческий λόγος", "pt": "एक गाँव में", "ar": "في قرية"}},
    ]  # fmt: skip
    text = texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"en": "Scripts"}, "segments": segments})  # fmt: skip
    got = client.get(f"/api/dictionaries/demo/texts/{text['id']}/print", headers=auth)
    assert got.status_code == 200, got.text  # no character left without a font
    out = pdf_text(got.content)
    for word in ("ŋ̀gàmà", "ɓaːɗa", "ɡãːʋ", "Греческий", "λόγος"):
        assert word in unicodedata.normalize("NFC", out), word


def test_bad_layout_and_uncovered_characters_are_refused(client, session, dictionary, auth):
    text = texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"en": "Odd"}, "segments": [{"text": {"seh": "a\ue000b"}}]})  # fmt: skip
    url = f"/api/dictionaries/demo/texts/{text['id']}/print"
    assert client.get(url, params={"layout": "columns"}, headers=auth).status_code == 422
    refused = client.get(url, headers=auth)
    assert refused.status_code == 422 and "U+E000" in refused.text
    allowed = client.get(url, params={"allow_uncovered": "true"}, headers=auth)
    assert allowed.status_code == 200


def test_the_text_page_links_to_its_prints(client, session, dictionary, analysed):
    plain = story(session, dictionary)
    page = client.get(f"/d/demo/texts/{plain['id']}").text
    assert f"/api/dictionaries/demo/texts/{plain['id']}/print?layout=plain" in page
    assert "layout=interlinear" not in page  # no analysis to print
    page = client.get(f"/d/demo/texts/{analysed['id']}").text
    assert f"/api/dictionaries/demo/texts/{analysed['id']}/print?layout=interlinear" in page


def test_cli_prints_a_text(tmp_path, monkeypatch, database_url, media_dir, session, analysed):
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(media_dir))
    app = typer.Typer()
    text_app = typer.Typer()
    register(text_app)
    text_app.command("noop")(lambda: None)
    app.add_typer(text_app, name="text")
    out = tmp_path / "story.pdf"
    done = CliRunner().invoke(
        app, ["text", "print", analysed["id"], "-o", str(out), "--interlinear"]
    )
    assert done.exit_code == 0, done.output
    got = pdf_text(out.read_bytes())
    assert "full-y" in got and "study-pst." in got
    missing = CliRunner().invoke(app, ["text", "print", "nope", "-o", str(tmp_path / "x.pdf")])
    assert missing.exit_code != 0 and not (tmp_path / "x.pdf").exists()
