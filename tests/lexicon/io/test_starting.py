"""A dictionary started from a file: what the file says of itself, its dry run before the
dictionary exists, and creation with the import as one transaction (nothing half-made)."""

import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from lexicon import editing
from lexicon.db.engine import make_engine
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


def test_others_write_while_the_new_dictionarys_file_is_read(session, engine, tmp_path):
    """While the file of a dictionary being created is read and checked, another connection
    writes (creates a dictionary) without waiting, and the creation has written nothing yet,
    not even uncommitted in its own session. On SQLite the other connection has a busy timeout
    of 0, so it fails at once ("database is locked") if the creation holds the write lock (as
    it did when it read the file inside its transaction) instead of waiting. PostgreSQL has no
    database-wide write lock, so there the other write passes either way; the check that the
    creating session sees no row of its own yet is what tells there that the read comes
    before the transaction."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    if other.dialect.name == "sqlite":
        event.listen(other, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout=0"))
    stages: list[str] = []

    def progress(done: int, total: int, stage: str) -> None:
        stages.append(stage)
        if stage not in ("reading", "checking"):
            return
        with Session(other, expire_on_commit=False) as elsewhere:
            editing.create_dictionary(
                session=elsewhere, data={"slug": f"other-{stage}", "title": stage}
            )
        made = session.exec(select(Dictionary.id).where(Dictionary.slug == "made")).first()
        assert made is None, f"at {stage!r} the new dictionary is written already"

    try:
        dictionary, report = create_dictionary_from(
            session=session,
            data={"slug": "made", "title": "Made", "vernacular_ws": ["ptn"]},
            path=lift_zip(tmp_path),
            progress=progress,
        )
    finally:
        other.dispose()
    seen = [stage for stage in stages if stage in ("reading", "checking", "writing")]
    assert seen[:3] == ["reading", "checking", "writing"] and stages[-1] == "done"
    assert report.created == 1
    slugs = session.exec(select(Dictionary.slug).order_by(Dictionary.slug)).all()
    assert slugs == ["made", "other-checking", "other-reading"]
    entries = session.exec(select(Entry).where(Entry.dictionary_id == dictionary.id)).all()
    assert len(entries) == 1
