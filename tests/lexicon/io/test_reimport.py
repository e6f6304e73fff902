"""Re-imports skip what an import left untouched without reading it back (issue 19, speed), and
bulk reads of Core rows give the same entries as ORM rows."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lexicon import editing, entries
from lexicon.io import importer
from lexicon.io.importer import import_file
from lexicon.models import Dictionary, Entry, Revision
from lexicon.shape.entry import audio_refs

SENA = Path(__file__).parents[2] / "fixtures" / "lift-sena"


@pytest.fixture
def sena(session):
    d = editing.create_dictionary(
        session=session, data={"slug": "sena", "title": "Sena", "language_code": "seh"}
    )
    report = import_file(session=session, dictionary=d, path=SENA / "Sena.lift", format="lift")
    assert report.created > 5
    return d


def _rows(session, d) -> list[Entry]:
    return list(
        session.execute(select(Entry).where(Entry.dictionary_id == d.id).order_by(Entry.id))
        .scalars()
        .all()
    )


def _entries(session, d) -> dict[str, dict]:
    return {
        e["id"]: e
        for e in entries.entry_dicts(session=session, dictionary=d, rows=_rows(session, d))
    }


def _revisions(session) -> int:
    return session.execute(select(func.count()).select_from(Revision)).scalar_one()


def _spy_entry_dicts(monkeypatch) -> list[int]:
    """How many rows each entry_dicts call of the importer reads back."""
    sizes: list[int] = []
    real = entries.entry_dicts

    def spy(*, session, dictionary, rows):
        sizes.append(len(rows))
        return real(session=session, dictionary=dictionary, rows=rows)

    monkeypatch.setattr(importer, "entry_dicts", spy)
    return sizes


def _edited_copy(tmp_path: Path, changes: int) -> tuple[Path, list[str]]:
    """Sena.lift with the first English gloss of `changes` entries replaced; returns them."""
    folder = tmp_path / "edited"
    shutil.copytree(SENA, folder)
    parts = (folder / "Sena.lift").read_text("utf-8").split("<entry ")
    new = []
    for i, part in enumerate(parts[1:], 1):
        m = re.search(r'<gloss lang="en"><text>([^<]+)</text>', part)
        if m and len(new) < changes:
            new.append(f"CHANGED{len(new)}")
            parts[i] = part.replace(m.group(0), f'<gloss lang="en"><text>{new[-1]}</text>', 1)
    assert len(new) == changes
    (folder / "Sena.lift").write_text("<entry ".join(parts), "utf-8")
    return folder / "Sena.lift", new


def test_unchanged_reimport_reads_nothing_back_and_writes_nothing(session, sena, monkeypatch):
    before, revisions = _entries(session, sena), _revisions(session)
    sizes = _spy_entry_dicts(monkeypatch)
    again = import_file(session=session, dictionary=sena, path=SENA / "Sena.lift", format="lift")
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(before))
    assert sum(sizes) == 0  # the content hash answered: no entry read back to compare
    assert _revisions(session) == revisions
    assert _entries(session, sena) == before


def test_entry_edited_since_import_is_compared_and_brought_back(session, sena, monkeypatch):
    """The hash is trusted only while the entry is at the version the import left: an edit in
    Wordkeep makes the next import compare it in full (and write the file's content back)."""
    entries = _entries(session, sena)
    victim = next(e for e in entries.values() if e["senses"] and e["senses"][0]["glosses"])
    original = victim["senses"][0]["glosses"]
    edited = {**victim, "senses": [{**victim["senses"][0], "glosses": {"en": "edited here"}}]}
    editing.update_entry(
        session=session, dictionary=sena, entry_id=victim["id"], data=edited, version=1
    )
    sizes = _spy_entry_dicts(monkeypatch)
    again = import_file(session=session, dictionary=sena, path=SENA / "Sena.lift", format="lift")
    assert (again.updated, again.unchanged) == (1, len(entries) - 1)
    assert sizes == [1]  # only the edited entry was read back
    now = _entries(session, sena)[victim["id"]]
    assert now["version"] == 3 and now["senses"][0]["glosses"] == original
    # ... and, as imported again, the next re-import skips it cheaply too
    sizes.clear()
    third = import_file(session=session, dictionary=sena, path=SENA / "Sena.lift", format="lift")
    assert third.unchanged == len(entries) and sum(sizes) == 0


def test_changed_entries_are_updated(session, sena, tmp_path):
    path, glosses = _edited_copy(tmp_path, 2)
    again = import_file(session=session, dictionary=sena, path=path, format="lift")
    assert again.updated == 2
    found = {
        g
        for e in _entries(session, sena).values()
        for s in e["senses"]
        for g in s["glosses"].values()
    }
    assert set(glosses) <= found


def test_reimport_failing_midway_leaves_nothing(session, sena, tmp_path, monkeypatch):
    """All or nothing: the first changed entry written, the second fails -> no entry, revision,
    sync mark or generation of that import stays; the same file then imports in full."""
    before, revisions = _entries(session, sena), _revisions(session)
    generation = session.get(Dictionary, sena.id).generation
    path, _ = _edited_copy(tmp_path, 2)
    real, calls = editing.update_entry, []

    def failing(**kwargs):
        calls.append(kwargs["entry_id"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(importer, "update_entry", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(session=session, dictionary=sena, path=path, format="lift")
    session.expire_all()
    assert len(calls) == 2
    assert _entries(session, sena) == before
    assert _revisions(session) == revisions
    assert session.get(Dictionary, sena.id).generation == generation
    monkeypatch.setattr(importer, "update_entry", real)
    again = import_file(session=session, dictionary=sena, path=path, format="lift")
    assert (again.updated, again.unchanged) == (2, len(before) - 2)


def test_entry_dicts_of_core_rows_equal_those_of_orm_rows(session, sena):
    orm = entries.entry_dicts(session=session, dictionary=sena, rows=_rows(session, sena))
    table = Entry.__table__
    core = session.execute(
        select(table).where(table.c.dictionary_id == sena.id).order_by(table.c.id)
    ).all()
    assert entries.entry_dicts(session=session, dictionary=sena, rows=core) == orm
    assert any(e["senses"] for e in orm) and any(e["relations"] for e in orm)


def test_audio_refs_finds_every_recording_in_order():
    a, b, c = ({"audio_href": n} for n in ("a.wav", "b.wav", "c.wav"))
    entry = {
        "headword": {"seh": "x"},
        "senses": [{"glosses": {"seh-Zxxx-x-audio": a}, "subsenses": [{"notes": [b]}]}],
        "extra": {"fields": [{"x": c}]},
    }
    assert audio_refs(entry) == [a, b, c]
    assert audio_refs({"headword": {"seh": "audio_href"}}) == []
    # not JSON (a set): walked the long way, same answer
    assert audio_refs({"odd": {1, 2}, "senses": [{"g": a}]}) == [a]
