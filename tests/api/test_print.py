"""Printing through the API, the print builder page and `wordkeep print`, on a real database."""

from __future__ import annotations

import re
import subprocess

import pytest
import typer
from typer.testing import CliRunner

from lexicon import editing
from wordkeep.cli_print import print_command

PDF = "/api/dictionaries/demo/print.pdf"


def entry(hw, gloss, *, pos="n", domain="", visibility="public", circle=None, status="published"):
    return {
        "headword": {"seh": hw},
        "part_of_speech": pos,
        "status": status,
        "visibility": visibility,
        "circle": circle,
        "senses": [{"glosses": {"en": gloss}, "semantic_domains": [domain] if domain else []}],
    }


@pytest.fixture
def entries(session, dictionary):
    made = {}
    for data in (
        entry("nyumba", "house", domain="6.5.1 Building"),
        entry("nama", "animal", domain="1.6 Animal"),
        entry("ngoma", "drum", domain="4.2.3 Music"),
        entry("kuona", "to see", pos="v"),
        entry("siri", "secret word", visibility="restricted", circle="elders"),
        entry("rascunho", "draft word", status="draft"),
    ):
        made[data["headword"]["seh"]] = editing.create_entry(
            session=session, dictionary=dictionary, data=data, editor="test"
        )
    session.commit()
    return made


def text_of(response, tmp_path) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    path = tmp_path / "got.pdf"
    path.write_bytes(response.content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_pdf_leaves_out_what_the_viewer_may_not_see(client, entries, auth, tmp_path):
    public = text_of(client.get(PDF), tmp_path)
    assert "nyumba" in public and "ngoma" in public
    assert "siri" not in public and "rascunho" not in public
    owner = text_of(client.get(PDF, headers=auth), tmp_path)
    assert "siri" in owner and "rascunho" in owner


def test_selection_by_letter_domain_pos_query_and_ids(client, entries, tmp_path):
    def words(**params):
        text = text_of(client.get(PDF, params={"layout": "table", **params}), tmp_path)
        return {w for w in ("nyumba", "nama", "ngoma", "kuona") if w in text}

    assert words(letter="ng") == {"ngoma"}
    assert words(letter="n") == {"nyumba", "nama"}
    assert words(domain="6.5") == {"nyumba"}
    assert words(pos="v") == {"kuona"}
    assert words(q="HOUSE") == {"nyumba"}
    # the learners' search decides: plurals, bare verbs, headwords without tones, typos
    assert words(q="houses") == {"nyumba"} and words(q="see") == {"kuona"}
    assert words(q="ngo") == {"ngoma"} and words(q="drun") == {"ngoma"}
    hidden = client.get(PDF, params={"q": "word"})  # only a restricted and a draft entry match
    assert hidden.status_code == 422 and "no entries" in hidden.json()["detail"]
    assert words(ids=f"{entries['nama']['id']},{entries['kuona']['id']}") == {"nama", "kuona"}
    assert client.get(PDF, params={"q": "nothing-like-this"}).status_code == 422


def test_options_and_bad_options(client, entries, tmp_path):
    got = client.get(PDF, params={"paper": "letter", "font": "Andika", "layout": "flashcards"})
    path = tmp_path / "letter.pdf"
    path.write_bytes(got.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "612 x 792" in info
    assert client.get(PDF, params={"paper": "a3"}).status_code == 422
    assert client.get(PDF, params={"font_size": 99}).status_code == 422
    assert client.get(PDF, params={"font": "No Such Font"}).status_code == 422
    assert client.get(PDF, params={"layout": "poster"}).status_code == 422


def test_same_state_same_etag_and_an_edit_changes_it(client, entries, session, dictionary):
    first = client.get(PDF)
    again = client.get(PDF)
    assert first.headers["etag"] == again.headers["etag"] and first.content == again.content
    nama = entries["nama"]
    changed = {**nama, "senses": [{"glosses": {"en": "beast"}}]}
    editing.update_entry(
        session=session, dictionary=dictionary, entry_id=nama["id"], data=changed,
        version=nama["version"], editor="test",
    )  # fmt: skip
    session.commit()
    assert client.get(PDF).headers["etag"] != first.headers["etag"]


def test_uncovered_characters_are_a_422_listing_them(client, session, dictionary):
    editing.create_entry(session=session, dictionary=dictionary, data=entry("ba", "x \U000f0041"))
    session.commit()
    got = client.get(PDF)
    assert got.status_code == 422
    assert "U+F0041" in got.json()["detail"]
    assert got.json()["errors"][0]["codepoint"] == "U+F0041"
    assert client.get(PDF, params={"allow_uncovered": "true"}).status_code == 200
    page = client.get("/d/demo/print", params={"layout": "dictionary"})
    assert page.status_code == 200 and "U+F0041" in page.text and 'role="alert"' in page.text


def test_preview_png_and_builder_page(client, entries):
    png = client.get("/api/dictionaries/demo/print.png", params={"layout": "wordlist"})
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    empty = client.get("/d/demo/print")
    assert empty.status_code == 200 and 'name="layout"' in empty.text
    page = client.get("/d/demo/print", params={"layout": "table", "letter": "n"})
    assert "2 entries selected" in page.text
    assert "/api/dictionaries/demo/print.png?layout=table&amp;letter=n" in page.text
    # The topics and parts of speech to choose from: those of entries the visitor may see.
    offered = re.findall(r'<option value="([^"]+)">(\d+ entr\w+)</option>', empty.text)
    assert ("6.5.1 Building", "1 entry") in offered and (
        "n",
        "3 entries",
    ) in offered  # no draft, no secret
    assert ("v", "1 entry") in offered and len(offered) == 5


def test_builder_offers_only_the_topics_a_visitor_may_see(client, session, dictionary, auth):
    editing.create_entry(session=session, dictionary=dictionary, data=entry(
        "siri", "secret word", domain="9.9 Sacred places", visibility="restricted",
        circle="elders"))  # fmt: skip
    assert "9.9 Sacred places" not in client.get("/d/demo/print").text
    assert "9.9 Sacred places" in client.get("/d/demo/print", headers=auth).text


def test_cli_print_writes_the_pdf(tmp_path, monkeypatch, database_url, media_dir, entries, owner):
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(media_dir))
    app = typer.Typer()
    app.command("print")(print_command)
    app.command("noop")(lambda: None)  # a second command keeps `print` a subcommand
    out = tmp_path / "out.pdf"
    runner = CliRunner()
    done = runner.invoke(app, ["print", "--dictionary", "demo", "-o", str(out), "--letter", "ng"])
    assert done.exit_code == 0, done.output
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "ngoma" in text and "nyumba" not in text
    bad = runner.invoke(app, ["print", "--dictionary", "demo", "-o", str(out), "--paper", "a3"])
    assert bad.exit_code == 2 and "paper" in bad.output
    missing = runner.invoke(app, ["print", "--dictionary", "nope", "-o", str(out)])
    assert missing.exit_code == 2
    as_owner = ["print", "-d", "demo", "-o", str(out), "--as", owner.email]
    assert runner.invoke(app, as_owner).exit_code == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "siri" in text
    qr = ["print", "-d", "demo", "-o", str(out), "--qr"]
    no_address = runner.invoke(app, qr)
    assert no_address.exit_code == 2 and "base_url" in no_address.output
    monkeypatch.setenv("WORDKEEP_PUBLIC_URL", "https://words.example.org")  # as `serve` uses
    assert runner.invoke(app, qr).exit_code == 0, "the site's address is the QR codes' default"


def test_builder_in_chromium_previews_and_downloads(live_server, page, entries, tmp_path):
    page.goto(f"{live_server.url}/d/demo/print")
    page.check("input[name=layout][value=table]")
    page.select_option("select[name=letter]", "n")
    page.uncheck("input.lang[value=pt]")
    page.click("button[type=submit]:not([formaction])")
    page.wait_for_load_state("networkidle")
    assert "langs=en&" in page.url or page.url.endswith("langs=en")
    assert "2 entries selected" in page.inner_text(".preview")
    width = page.evaluate("document.querySelector('.preview img').naturalWidth")
    assert width > 500  # the PNG preview loaded
    with page.expect_download() as download:
        page.click("button[formaction]")
    saved = tmp_path / "download.pdf"
    download.value.save_as(saved)
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True).stdout
    assert "nyumba" in text and "nama" in text and "ngoma" not in text


def test_owner_uploads_a_font_that_then_covers_private_use_letters(
    client, session, dictionary, auth, tmp_path
):
    from pathlib import Path

    editing.create_entry(session=session, dictionary=dictionary, data=entry("ba", "sign \uea60"))
    session.commit()
    assert client.get(PDF).status_code == 422  # no installed font has U+EA60
    font = (Path(__file__).parents[1] / "fixtures" / "fonts" / "codicon.ttf").read_bytes()
    url = "/api/dictionaries/demo/print/fonts"
    assert client.post(url, files={"file": ("codicon.ttf", font)}).status_code == 401
    not_font = client.post(url, files={"file": ("x.ttf", b"hello")}, headers=auth)
    assert not_font.status_code == 415
    added = client.post(url, files={"file": ("codicon.ttf", font)}, headers=auth)
    assert added.status_code == 201, added.text
    assert added.json()["family"] == "codicon"
    assert [f["family"] for f in client.get(url).json()] == ["codicon"]
    got = client.get(PDF)
    assert got.status_code == 200, got.text
    path = tmp_path / "pua.pdf"
    path.write_bytes(got.content)
    embedded = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "codicon" in embedded
    assert "codicon" in client.get("/d/demo/print").text  # offered in the font menu


def test_print_variants_are_a_fixed_set_of_font_sizes(client, entries):
    """Issue #16, finding 15: font sizes are half points from 6 to 24, not any number, so
    9.1, 9.11, 9.111 ... cannot each make the server typeset the dictionary again."""
    for size in ("9.1", "9.11", "10.25", "6.01"):
        refused = client.get(PDF, params={"font_size": size})
        assert refused.status_code == 422, size
        assert "font_size" in refused.json()["detail"]
    for size in ("9", "10.5", "24"):
        assert client.get(PDF, params={"font_size": size}).status_code == 200, size


def test_new_prints_are_limited_per_client_and_cached_ones_are_not(
    settings, engine, entries, owner, tmp_path
):
    """Issue #16, finding 15: an anonymous visitor varying a free option (a title, a search)
    gets a few new prints a minute, then 429 with Retry-After; prints already made are still
    served from the cache, and other clients keep their own allowance."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    limited = settings.model_copy(
        update={"print_renders_per_minute": 3, "print_cache_dir": str(tmp_path / "cache")}
    )
    with TestClient(create_app(limited, engine=engine)) as client:

        def wordlist(title, **kw):
            return client.get(PDF, params={"layout": "wordlist", "title": title}, **kw)

        for n in range(3):
            assert wordlist(f"list {n}").status_code == 200
        refused = wordlist("list 3")
        assert refused.status_code == 429, refused.text
        assert 0 < int(refused.headers["retry-after"]) <= 61
        again = wordlist("list 0")  # made before: from the cache, not counted
        assert again.status_code == 200 and again.headers["content-type"] == "application/pdf"
        assert client.get(PDF.replace(".pdf", ".png"), params={"q": "nama"}).status_code == 429
        # Another client (a signed-in account) has its own allowance.
        assert wordlist("list 3", headers=owner.headers).status_code == 200


def test_renders_at_once_are_capped(monkeypatch):
    """A render waits for a free slot, then gives up with 429 rather than queue without end."""
    import threading

    from lexicon.errors import TooManyRequests
    from lexicon.printing import limits

    monkeypatch.setattr(limits, "WAIT_FOR_SLOT", 0.2)
    gate = limits.RenderGate(per_minute=100, concurrent=1)
    inside, release = threading.Event(), threading.Event()

    def hold():
        with gate.admit("a"):
            inside.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(5)
    with pytest.raises(TooManyRequests), gate.admit("b"):
        pass
    release.set()
    holder.join()
    with gate.admit("b"):  # the slot is free again
        pass
