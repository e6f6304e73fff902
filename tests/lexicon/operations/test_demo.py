"""`wordkeep init --demo` (what `serve --demo` runs): the Hdi dictionary plus the samples with
real recordings and pictures, each in its own language; entry pages play and show them."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from wordkeep.cli import app as cli

runner = CliRunner()


@pytest.fixture
def demo(engine, database_url, media_dir, monkeypatch) -> None:
    """The demo loaded by the command line into the test database and media folder."""
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(media_dir))
    result = runner.invoke(cli, ["init", "--demo"])
    assert result.exit_code == 0, result.output
    for slug in ("hdi", "moma-sample", "biatah-sample", "kichwa-story"):
        assert f"demo dictionary '{slug}' loaded" in result.output


def _find(client, slug: str, query: str, headword: str) -> str:
    items = client.get(f"/api/dictionaries/{slug}/search", params={"q": query}).json()["items"]
    return next(i["id"] for i in items if headword in i["headword"].values())


def test_demo_loads_once_and_serves_its_recordings_and_pictures(demo, client):
    assert runner.invoke(cli, ["init", "--demo"]).output.count("already there") == 4
    home = client.get("/").text
    assert "Moma: two words" in home and "Biatah: the first words" in home
    loka = _find(client, "moma-sample", "banana", "loka")
    page = client.get(f"/d/moma-sample/entries/{loka}").text
    [audio_url] = re.findall(r'<audio controls[^>]* src="([^"]+)"', page)
    sound = client.get(audio_url)
    assert sound.status_code == 200 and sound.headers["content-type"].startswith("audio/")
    assert "Spoken by" not in page  # the speaker is not documented, so never named
    abit = _find(client, "biatah-sample", "basket", "abit")
    page = client.get(f"/d/biatah-sample/entries/{abit}").text
    [img_url] = re.findall(r'<img src="([^"]+)"', page)
    picture = client.get(img_url)
    assert picture.status_code == 200 and picture.headers["content-type"].startswith("image/")
    about = client.get("/d/moma-sample/").text
    assert "python-sil-lift" in about and "MIT" in about  # credited on its pages


def test_demo_entry_pages_play_and_show_in_chromium(demo, client, browser, live_server):
    loka = _find(client, "moma-sample", "banana", "loka")
    abit = _find(client, "biatah-sample", "basket", "abit")
    page = browser.new_page()
    page.goto(f"{live_server.url}/d/moma-sample/entries/{loka}")
    played = page.evaluate(
        """async () => {
          const audio = document.querySelector(".rec audio");
          await audio.play();
          await new Promise((ok) => {
            const t = setTimeout(ok, 5000);
            audio.addEventListener("timeupdate", () => { if (audio.currentTime > 0.2) { clearTimeout(t); ok(); } });
          });
          audio.pause();
          return {time: audio.currentTime, error: audio.error && audio.error.code};
        }"""
    )
    assert played["error"] is None and played["time"] > 0.2, played
    page.goto(f"{live_server.url}/d/biatah-sample/entries/{abit}")
    image = page.locator("figure.picture img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('figure.picture img').naturalWidth > 0")
    assert image.get_attribute("alt") == "water carrying basket"
    page.close()


def test_demo_story_plays_sentence_by_sentence(demo, client):
    """The Kichwa sample: no entries yet, one story with its recording, cut to the ten
    sentences the 41-second recording covers; each sentence's clip plays."""
    listed = client.get("/api/dictionaries/kichwa-story/texts").json()["items"]
    [story] = listed
    text = client.get(f"/api/dictionaries/kichwa-story/texts/{story['id']}").json()
    segments = text["segments"]
    assert len(segments) == 10 and segments[-1]["end"] <= 41.0
    assert segments[0]["text"]["que"].startswith("Jaboneropa ayllullaktapika")
    assert segments[0]["translation"]["es"].startswith("El Barrio del Jabonero")
    assert text["media"] and text["title"]["en"].startswith("The Soapmaker")
    page = client.get(f"/d/kichwa-story/texts/{story['id']}").text
    assert "Jaboneropa ayllullaktapika" in page and "<audio" in page
    clip = client.get(
        f"/api/dictionaries/kichwa-story/texts/{story['id']}/segments/{segments[3]['id']}/clip"
    )
    assert clip.status_code == 200 and clip.headers["content-type"] == "audio/mpeg"
    assert len(clip.content) > 2000
    about = client.get("/d/kichwa-story/").text
    assert "Killkan" in about and "CC-BY-4.0" in about
