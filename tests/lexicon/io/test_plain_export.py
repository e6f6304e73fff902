"""An export to the format's own name (`words.json`) is that plain file, never a zip in
disguise; with media (or other files) along it is refused and `.zip` suggested."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import typer
from lxml import etree
from typer.testing import CliRunner

from lexicon import editing
from lexicon.io.importer import import_file
from lexicon.media.storage import LocalStorage
from wordkeep.cli_io import export_command

FIX = Path(__file__).parents[2] / "fixtures"
PATANI = FIX / "lift-patani-audio" / "two-mp3"


@pytest.fixture
def cli(database_url, media_dir, monkeypatch):
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(media_dir))
    app = typer.Typer()
    app.command("export")(export_command)
    app.command("other")(lambda: None)  # two commands: the first word names the command

    def run(*args: str):
        return CliRunner().invoke(app, ["export", *args])

    return run


def _plain_dictionary(session, slug: str = "plain"):
    d = editing.create_dictionary(
        session=session,
        data={"slug": slug, "title": "Plain", "language_code": "seh", "vernacular_ws": ["seh"]},
    )
    editing.create_entry(
        session=session,
        dictionary=d,
        data={"headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}}]},
    )
    return d


@pytest.mark.parametrize(
    "fmt,name",
    [("json", "words.json"), ("mdf", "words.sfm"), ("csv", "words.csv"), ("lift", "words.lift")],
)
def test_plain_name_gives_the_plain_file(fmt, name, session, cli, tmp_path):
    _plain_dictionary(session)
    out = tmp_path / name
    result = cli("-d", "plain", "-f", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert not zipfile.is_zipfile(out)
    text = out.read_text("utf-8")
    if fmt == "json":
        assert json.loads(text)["entries"][0]["headword"] == {"seh": "nyumba"}
    elif fmt == "lift":
        assert etree.fromstring(out.read_bytes()).find("entry/lexical-unit/form/text").text == (
            "nyumba"
        )
    else:
        assert "nyumba" in text and "house" in text


def test_zip_name_still_gives_a_zip(session, cli, tmp_path):
    _plain_dictionary(session)
    out = tmp_path / "words.zip"
    assert cli("-d", "plain", "-f", "json", "-o", str(out)).exit_code == 0
    assert zipfile.ZipFile(out).namelist() == ["plain.json"]


def test_export_with_media_to_a_plain_name_is_refused(session, media_dir, cli, tmp_path):
    d = editing.create_dictionary(session=session, data={"slug": "pt", "title": "Patani"})
    import_file(
        session=session, dictionary=d, path=PATANI, format="lift", storage=LocalStorage(media_dir)
    )
    out = tmp_path / "words.json"
    result = cli("-d", "pt", "-f", "json", "-o", str(out))
    assert result.exit_code == 2, result.output
    assert "audio/short.mp3" in result.output and "words.zip" in result.output
    assert not out.exists()


@pytest.mark.parametrize("fmt,name", [("json", "words.txt"), ("cldf", "words.json")])
def test_a_name_of_another_kind_is_refused(fmt, name, session, cli, tmp_path):
    _plain_dictionary(session)
    out = tmp_path / name
    result = cli("-d", "plain", "-f", fmt, "-o", str(out))
    assert result.exit_code == 2, result.output
    assert "words.zip" in result.output
    assert not out.exists()


def test_api_plain_on_request_zip_by_default(client, owner, dictionary, session, app):
    editing.create_entry(session=session, dictionary=dictionary, data={"headword": {"seh": "moto"}})
    url = "/api/dictionaries/demo/export?format=json"
    zipped = client.get(url, headers=owner.headers)
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    plain = client.get(url + "&plain=true", headers=owner.headers)
    assert plain.status_code == 200, plain.text
    assert plain.headers["content-type"].startswith("application/json")
    assert 'filename="demo.json"' in plain.headers["content-disposition"]
    assert plain.json()["entries"][0]["headword"] == {"seh": "moto"}

    import_file(session=session, dictionary=dictionary, path=PATANI, format="lift",
                storage=app.state.storage)  # fmt: skip
    refused = client.get(url + "&plain=true", headers=owner.headers)
    assert refused.status_code == 422 and "demo.zip" in refused.text, refused.text
    cldf = client.get("/api/dictionaries/demo/export?format=cldf&plain=true", headers=owner.headers)
    assert cldf.status_code == 422
