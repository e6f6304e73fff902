"""MDF export: the Hdi Toolbox database survives import -> export -> import (file and database)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import typer
from typer.testing import CliRunner

from lexicon import editing
from lexicon.accounts.access import Viewer
from lexicon.io.exporter import export_dictionary
from lexicon.io.importer import import_file
from lexicon.io.mdf.read import read_mdf
from lexicon.io.mdf.write import write_mdf
from tests.factories import all_entries
from wordkeep.cli_io import export_command, import_command

HDI = Path(__file__).parents[2] / "fixtures" / "toolbox-hdi" / "db.sfm"
ADMIN = Viewer(is_admin=True)
LANGS = {"vernacular": "xed", "national": "fr"}


def _hw(e: dict) -> str:
    return next(iter(e["headword"].values()), "")


def _facts(entries: list[dict]) -> dict:
    """Headword -> what must survive: glosses, examples with translations, all residue."""
    out = {}
    for e in entries:
        key = (_hw(e), e["homograph"])
        senses = [
            (
                s["part_of_speech"],
                sorted(s["glosses"].items()),
                [
                    (sorted(x["text"].items()), sorted(x["translations"].items()),
                     (x.get("extra") or {}).get("mdf"))
                    for x in s["examples"]
                ],
                (s.get("extra") or {}).get("mdf"),
                s["semantic_domains"],
            )
            for s in e["senses"]
        ]  # fmt: skip
        mdf = {  # the record's text and its sync marks are not facts
            k: v
            for k, v in ((e.get("extra") or {}).get("mdf") or {}).items()
            if k not in ("source", "header", "synced_version", "synced_hash")
        }
        out[key] = (senses, mdf or None, len(e["pronunciations"]))
    return out


def test_file_round_trip_is_exact(tmp_path):
    first = read_mdf(HDI, **LANGS)
    out = write_mdf(first.entries, tmp_path / "out.sfm", **LANGS)
    again = read_mdf(out, **LANGS)
    assert len(again.entries) == len(first.entries) == 80
    # ids, senses, examples, media refs, residue (the records' own text differs: written anew)
    assert _no_source(again.entries) == _no_source(first.entries)
    text = out.read_text(encoding="utf-8")
    records = text.split("\r\n\r\n")
    # The Hdi file has no \_sh header, so none is added: the file comes back as it came.
    assert all(r.lstrip().startswith("\\lx ") for r in records)
    assert text.count("\\lx ") == 80
    # the custom markers and comments the reader could not model are written back
    assert "\\zcom2 RUN [1519]" in text and "\\dt 20/Sep/2017" in text


def _no_source(entries: list[dict]) -> list[dict]:
    out = []
    for e in entries:
        mdf = {k: v for k, v in e["extra"].get("mdf", {}).items() if k not in ("source", "header")}
        out.append({**e, "extra": {**e["extra"], "mdf": mdf}})
    return out


def test_languages_map_back_to_role_and_suffixed_markers(tmp_path):
    entry = read_mdf(HDI, **LANGS).entries[1]
    entry["senses"][0]["glosses"]["id"] = "lari"
    entry["senses"][0]["examples"][0]["translations"]["id"] = "air mengalir"
    out = write_mdf([entry], tmp_path / "one.sfm", **LANGS)
    text = out.read_text(encoding="utf-8")
    assert "\\ge run" in text and "\\dn couler; gicler (sang)" in text
    assert "\\g_id lari" in text and "\\x_id air mengalir" in text
    back = read_mdf(out, **LANGS).entries[0]
    assert back["senses"][0]["glosses"]["id"] == "lari"
    assert back["senses"][0]["examples"][0]["translations"]["id"] == "air mengalir"


def _hdi_dictionary(session, slug: str):
    return editing.create_dictionary(
        session=session,
        data={"slug": slug, "title": f"Hdi {slug}", "language_code": "xed",
              "vernacular_ws": ["xed"], "analysis_ws": ["en", "fr"]},
    )  # fmt: skip


def test_database_round_trip_keeps_headwords_glosses_examples_residue(session, tmp_path):
    one = _hdi_dictionary(session, "hdi")
    report = import_file(session=session, dictionary=one, path=HDI, format="mdf")
    assert report.created == 80
    dest = export_dictionary(session=session, dictionary=one, format="mdf", dest=tmp_path / "x.zip")
    with zipfile.ZipFile(dest) as zf:
        assert zf.namelist() == ["hdi.sfm"]
        exported = tmp_path / "hdi.sfm"
        exported.write_bytes(zf.read("hdi.sfm"))
    two = _hdi_dictionary(session, "hdi-again")
    again = import_file(session=session, dictionary=two, path=exported, format="mdf")
    assert again.created == 80 and not again.errors

    assert _facts(all_entries(session, two)) == _facts(all_entries(session, one))
    assert _facts(all_entries(session, one)) == _facts(read_mdf(HDI, **LANGS).entries)
    # importing the export into the same dictionary changes nothing
    same = import_file(session=session, dictionary=one, path=exported, format="mdf")
    assert (same.created, same.updated, same.unchanged) == (0, 0, 80)


def test_cli_exports_mdf(session, database_url, media_dir, tmp_path, monkeypatch):
    one = _hdi_dictionary(session, "hdi")
    import_file(session=session, dictionary=one, path=HDI, format="mdf")
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(media_dir))
    app = typer.Typer()
    app.command("import")(import_command)
    app.command("export")(export_command)
    out = tmp_path / "hdi-mdf.zip"
    result = CliRunner().invoke(app, ["export", "-d", "hdi", "-f", "mdf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        text = zf.read("hdi.sfm").decode("utf-8")
    assert text.count("\\lx ") == 80 and "\\ge bundle of long things" in text
