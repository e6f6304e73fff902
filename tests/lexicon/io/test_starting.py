"""A dictionary started from a file: what the file says of itself, its dry run before the
dictionary exists, and creation with the import as one transaction (nothing half-made)."""

import shutil
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from lexicon.errors import DuplicateDictionary, ImportRejected
from lexicon.io.starting import (
    check_file,
    create_dictionary_from,
    dictionary_fields,
    propose_slug,
    read_findings,
)
from lexicon.media.storage import storage_from_url
from lexicon.models import Dictionary, Entry

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PATANI = FIXTURES / "lift-patani-audio" / "two-mp3"


def lift_zip(tmp_path: Path) -> Path:
    """The Patani LIFT package (one entry, two mp3 recordings, WritingSystems) as a zip."""
    dest = tmp_path / "patani.zip"
    with zipfile.ZipFile(dest, "w") as zf:
        for f in sorted(PATANI.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(PATANI))
    return dest


def test_slug_from_a_title():
    assert propose_slug("Sena (Moçambique) words") == "sena-mocambique-words"
    assert propose_slug("  ") == ""
    assert len(propose_slug("x" * 200)) == 64


def test_findings_of_a_lift_package_with_its_writing_systems():
    found = read_findings(FIXTURES / "lift-sena" / "Sena.lift")
    assert found.format == "lift"
    assert found.vernacular_ws == ["seh"]
    assert found.analysis_ws == ["pt", "en"]
    assert (found.language_name, found.language_code) == ("Sena", "seh")
    # FieldWorks' word-forming characters in seh.ldml, lower-case, punctuation left out.
    assert found.alphabet[:3] == ["a", "b", "c"] and "'" not in found.alphabet
    assert found.alphabet_source == "ldml"


def test_findings_of_a_cldf_dataset():
    found = read_findings(FIXTURES / "cldf-palula" / "cldf")
    assert (found.language_code, found.language_name, found.glottocode) == (
        "phl",
        "Palula",
        "phal1254",
    )
    assert found.title == "Palula dictionary"
    assert "creativecommons.org" in found.licence


def test_dictionary_fields_prefer_what_was_given():
    found = read_findings(FIXTURES / "lift-sena" / "Sena.lift")
    data = dictionary_fields(found, {"slug": "s", "title": "T", "language_name": "Chisena"})
    assert data["language_name"] == "Chisena"
    assert data["language_code"] == "seh"
    assert data["vernacular_ws"] == ["seh"]
    assert data["alphabet"]["letters"][:2] == ["a", "b"]


def test_dry_run_before_the_dictionary_exists(session, tmp_path):
    report = check_file(session=session, path=lift_zip(tmp_path), fields={"vernacular_ws": []})
    assert report.dry_run and report.entries_read == 1 and report.created == 1
    assert (report.media_added, report.media_missing) == (2, 0)
    assert session.exec(select(Dictionary)).all() == []


def test_create_with_the_file(session, tmp_path, media_dir, owner):
    storage = storage_from_url(str(media_dir))
    dictionary, report = create_dictionary_from(
        session=session,
        data={"slug": "patani", "title": "Patani", "vernacular_ws": ["ptn"]},
        owner_id=owner.user.id,
        path=lift_zip(tmp_path),
        storage=storage,
        editor="test",
    )
    assert report.created == 1 and report.media_added == 2
    entry = session.exec(select(Entry).where(Entry.dictionary_id == dictionary.id)).one()
    assert entry.has_audio


def test_a_duplicate_slug_creates_nothing(session, dictionary, tmp_path):
    with pytest.raises(DuplicateDictionary):
        create_dictionary_from(
            session=session,
            data={"slug": dictionary.slug, "title": "Again"},
            path=lift_zip(tmp_path),
        )
    assert session.exec(select(Entry)).all() == []


def test_a_refused_file_creates_no_dictionary(session, tmp_path):
    bad = tmp_path / "bad.lift"
    shutil.copy(PATANI / "SingleEntryLiftWithSound.lift", bad)
    bad.write_text(bad.read_text("utf-8").replace("</lift>", "<entry"), "utf-8")
    with pytest.raises(ImportRejected):
        create_dictionary_from(session=session, data={"slug": "bad", "title": "Bad"}, path=bad)
    session.rollback()
    assert session.exec(select(Dictionary)).all() == []
