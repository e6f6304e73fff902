"""Our own export packages, of every format, go back in without naming the format: a package
with pictures carries a README.txt, which is no Toolbox file (issue 19: round trips)."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from lexicon import editing
from lexicon.io.exporter import export_dictionary
from lexicon.io.importer import import_file
from lexicon.io.sources import detect_format
from lexicon.media.storage import LocalStorage

FIX = Path(__file__).parents[2] / "fixtures"
BIATAH = FIX / "lift-biatah" / "biatah.lift"
HDI = FIX / "toolbox-hdi" / "db.sfm"


@pytest.fixture
def biatah(session, tmp_path):
    storage = LocalStorage(tmp_path / "media")
    d = editing.create_dictionary(session=session, data={"slug": "bth", "title": "Biatah"})
    report = import_file(session=session, dictionary=d, path=BIATAH, storage=storage)
    assert report.media_added == 1  # its picture: the export carries it and a README.txt
    return d, storage, report.created


@pytest.mark.parametrize("fmt", ["lift", "csv", "cldf", "json", "mdf"])
def test_an_export_with_a_picture_goes_back_in_as_it_came(fmt, session, biatah, tmp_path):
    d, storage, count = biatah
    out = tmp_path / f"words.{fmt}.zip"
    export_dictionary(session=session, dictionary=d, format=fmt, dest=out, storage=storage)
    assert "README.txt" in zipfile.ZipFile(out).namelist()
    assert detect_format(out) == fmt
    again = editing.create_dictionary(session=session, data={"slug": f"b-{fmt}", "title": "B"})
    report = import_file(session=session, dictionary=again, path=out, storage=storage)
    assert (report.format, report.created, report.media_added) == (fmt, count, 1)


def test_a_toolbox_package_takes_the_file_with_records(session, tmp_path):
    """Beside the lexicon, a Toolbox project folder holds other standard-format files (an
    interlinear texts file, a README): the one with \\lx records is the dictionary, whatever
    the names' order."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "README.txt").write_text("My Toolbox project.\n", encoding="utf-8")
    (folder / "a-texts.sfm").write_text("\\_sh v3.0 Text\n\n\\ref 1\n\\tx ka\n", "utf-8")
    (folder / "z-dict.txt").write_text("\\_sh v3.0 MDF\n\n\\lx ka\n\\ge go\n", "utf-8")
    out = tmp_path / "project.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    assert detect_format(out) == "mdf"
    d = editing.create_dictionary(session=session, data={"slug": "tb", "title": "T"})
    report = import_file(session=session, dictionary=d, path=out)
    assert report.created == 1


def test_toolbox_file_names_without_their_files_go_on_to_lift(session, tmp_path):
    """Toolbox to FLEx, a common move: a record's \\sf (its recording) names a file the upload
    did not carry. The name is kept, and the LIFT export writes it as FLEx writes a media
    link, so the project's own files link up again; a LIFT re-import names the same files."""
    d = editing.create_dictionary(session=session, data={"slug": "hdi", "title": "Hdi"})
    first = import_file(session=session, dictionary=d, path=HDI, format="mdf")
    assert first.media_missing > 10
    out = tmp_path / "hdi.lift.zip"
    export_dictionary(session=session, dictionary=d, format="lift", dest=out)
    lift = zipfile.ZipFile(out).read("hdi.lift").decode("utf-8")
    assert '<media href="' in lift  # pronunciations; examples' in audio writing systems
    assert "-Zxxx-x-audio" in lift
    again = editing.create_dictionary(session=session, data={"slug": "hdi-2", "title": "H"})
    back = import_file(session=session, dictionary=again, path=out, format="lift")
    assert back.media_missing == first.media_missing
    sheet = tmp_path / "hdi.csv"  # a spreadsheet keeps the names in its audio column
    export_dictionary(session=session, dictionary=d, format="csv", dest=sheet)
    rows = list(csv.DictReader(sheet.read_text("utf-8").splitlines()))
    assert sum(1 for r in rows if r["audio"].endswith(".wav")) > 10


@pytest.mark.parametrize("fmt", ["lift", "csv", "cldf", "json", "mdf"])
def test_an_export_imported_into_another_dictionary_twice_is_unchanged(
    fmt, session, biatah, tmp_path
):
    """A dictionary's export imported into another dictionary of the same site (a copy, a
    test): its entries' and senses' ids are the first dictionary's, so the copy gets its own,
    derived from them; importing the same file again finds every entry unchanged (it used to
    update them all, each part given a new random id and a revision each time)."""
    d, storage, count = biatah
    out = tmp_path / f"words.{fmt}.zip"
    export_dictionary(session=session, dictionary=d, format=fmt, dest=out, storage=storage)
    copy = editing.create_dictionary(session=session, data={"slug": f"c-{fmt}", "title": "C"})
    first = import_file(session=session, dictionary=copy, path=out, storage=storage)
    assert first.created == count
    again = import_file(session=session, dictionary=copy, path=out, storage=storage)
    assert (again.created, again.updated, again.unchanged) == (0, 0, count)


def test_a_json_package_names_files_only_inside_itself(session, tmp_path):
    """The JSON's `media.href` is a name inside the upload: one that leads out of it (`..`,
    an absolute path, a URL) is never read; the import says it is not in the package."""
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"RIFF not for you")
    entries = [
        {"id": f"e{i}", "headword": {"x": f"w{i}"},
         "pronunciations": [{"media": {"href": href, "original_name": "a.wav"}}]}
        for i, href in enumerate(["../secret.wav", str(secret), "https://example.org/a.wav"])
    ]  # fmt: skip
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "words.json").write_text(json.dumps({"entries": entries}), encoding="utf-8")
    out = tmp_path / "words.zip"
    with zipfile.ZipFile(out, "w") as zf:
        zf.write(package / "words.json", "words.json")
    d = editing.create_dictionary(session=session, data={"slug": "hostile", "title": "H"})
    storage = LocalStorage(tmp_path / "media")
    report = import_file(session=session, dictionary=d, path=out, storage=storage)
    assert (report.created, report.media_added, report.media_missing) == (3, 0, 3)
    assert all("not in the package" in w["message"] for w in report.warnings[:3])
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))


def test_cldf_media_addresses_without_their_files_go_back_out(session, tmp_path):
    """Dictionaria's CLDF points its media rows at their archive (a URL; the files are not in
    the dataset): the address is kept (never fetched) and our CLDF export writes the row
    again, so a re-import names the same recordings."""
    d = editing.create_dictionary(session=session, data={"slug": "hdi-c", "title": "Hdi"})
    first = import_file(session=session, dictionary=d, path=FIX / "cldf-hdi" / "cldf")
    assert first.media_missing > 10 and first.media_added == 0
    out = tmp_path / "hdi.cldf.zip"
    export_dictionary(session=session, dictionary=d, format="cldf", dest=out)
    rows = list(csv.DictReader(zipfile.ZipFile(out).read("cldf/media.csv").decode().splitlines()))
    assert len(rows) == first.media_missing
    assert all(r["Download_URL"].startswith("https://") for r in rows)
    again = editing.create_dictionary(session=session, data={"slug": "hdi-c2", "title": "H"})
    back = import_file(session=session, dictionary=again, path=out)
    assert (back.media_missing, back.media_added) == (first.media_missing, 0)


def test_migration_0025_writes_out_the_addresses_kept_as_a_repr(engine, session, tmp_path):
    """Before 0025 the CLDF reader kept rfc3986's repr of a `Download_URL`; the migration
    rewrites those kept references as the addresses, and the export names them again."""
    from alembic import command
    from sqlalchemy import text

    from lexicon.db.migrate import alembic_config
    from lexicon.operations.upgrade import upgrade

    d = editing.create_dictionary(session=session, data={"slug": "hdi-m", "title": "Hdi"})
    first = import_file(session=session, dictionary=d, path=FIX / "cldf-hdi" / "cldf")
    session.commit()
    repr_of = (
        "URIReference(scheme='https', authority='cdstar.eva.mpg.de', path='/b/x.wav', "
        "query=None, fragment=None)"
    )
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:  # back to 0024, the references as the old reader kept
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0024_gloss_articles")
        rows = connection.execute(text("SELECT id, extra FROM pronunciation")).all()
        kept = [(i, e if isinstance(e, dict) else json.loads(e)) for i, e in rows]
        kept = [(i, e) for i, e in kept if (e.get("import") or {}).get("media")]
        assert len(kept) > 10
        for i, extra in kept:
            extra["import"]["media"]["href"] = repr_of
            value = json.dumps(extra)
            cast = "CAST(:e AS json)" if engine.dialect.name == "postgresql" else ":e"
            connection.execute(text(f"UPDATE pronunciation SET extra = {cast} WHERE id = :i"),
                               {"e": value, "i": i})  # fmt: skip
    upgrade(engine)
    with engine.connect() as connection:
        texts = connection.execute(text("SELECT CAST(extra AS TEXT) FROM pronunciation")).scalars()
        texts = list(texts)
    assert not any("URIReference" in t for t in texts)
    assert sum("https://cdstar.eva.mpg.de/b/x.wav" in t for t in texts) == len(kept)
    session.expire_all()
    out = tmp_path / "hdi.cldf.zip"
    export_dictionary(session=session, dictionary=d, format="cldf", dest=out)
    media = zipfile.ZipFile(out).read("cldf/media.csv").decode()
    assert "https://cdstar.eva.mpg.de/b/x.wav" in media and first.media_missing > 10
