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
from lexicon.io.lift.read import Reader
from lexicon.io.lift.unchanged import SOURCE_MARK
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


def _spy_reads(monkeypatch) -> list[str]:
    """The LIFT ids of the `<entry>` elements the reader maps to entry dicts."""
    read: list[str] = []
    real = Reader.entry

    def spy(self, el, source=None):
        read.append(el.get("guid") or el.get("id"))
        return real(self, el, source)

    monkeypatch.setattr(Reader, "entry", spy)
    return read


def test_unchanged_entries_are_not_even_read(session, sena, monkeypatch):
    """An entry stored as the same XML left it is not mapped again (lift.unchanged); only those
    naming a media file (which may change under the same name), and those with a relation to
    one of these (its target is read), are read and compared."""
    before = _entries(session, sena)
    marked = {i for i, e in before.items() if e["extra"]["lift"].get(SOURCE_MARK)}
    assert len(marked) > len(before) / 2
    read = _spy_reads(monkeypatch)
    again = import_file(session=session, dictionary=sena, path=SENA / "Sena.lift", format="lift")
    assert (again.entries_read, again.unchanged) == (len(before), len(before))
    assert set(read) >= set(before) - marked and len(read) < len(before) / 2
    for again_read in set(read) & marked:
        assert any(r["target_id"] not in marked for r in before[again_read]["relations"])
    assert _entries(session, sena) == before


LINKED = """<?xml version="1.0" encoding="UTF-8"?>
<lift version="0.13">
<entry id="nyumba_7d9c1a52-0a4b-4f0c-9a43-1f6e1b0c2a01" guid="7d9c1a52-0a4b-4f0c-9a43-1f6e1b0c2a01">
<lexical-unit><form lang="seh"><text>nyumba</text></form></lexical-unit>
<sense id="5b0e3c11-7f7e-4c55-8d1e-2a9b6c7d8e02"><gloss lang="en"><text>house</text></gloss></sense>
</entry>
<entry id="kanyumba_0c4f2e9a-3b7d-4e1a-9c5b-6d8e7f9a0b03" guid="0c4f2e9a-3b7d-4e1a-9c5b-6d8e7f9a0b03">
<lexical-unit><form lang="seh"><text>kanyumba</text></form></lexical-unit>
<relation type="_component-lexeme" ref="nyumba_7d9c1a52-0a4b-4f0c-9a43-1f6e1b0c2a01"/>
<relation type="Synonyms" ref="5b0e3c11-7f7e-4c55-8d1e-2a9b6c7d8e02"/>
</entry>
<entry id="mwana_1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a04" guid="1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a04">
<lexical-unit><form lang="seh"><text>mwana</text></form></lexical-unit>
<relation type="Synonyms" ref="kanyumba_0c4f2e9a-3b7d-4e1a-9c5b-6d8e7f9a0b03"/>
</entry>
</lift>
"""


def test_relation_to_a_changed_entry_is_read_again(session, tmp_path, monkeypatch):
    """The file changes a relation target's headword only: the unchanged entry pointing at it
    (or at its sense) is read after all and gets the new headword; an unchanged entry pointing
    at an unchanged one is not read."""
    d = editing.create_dictionary(session=session, data={"slug": "linked", "title": "Linked"})
    path = tmp_path / "linked.lift"
    path.write_text(LINKED, "utf-8")
    assert import_file(session=session, dictionary=d, path=path).created == 3
    path.write_text(LINKED.replace("<text>nyumba<", "<text>nyumba yayikulu<"), "utf-8")
    read = _spy_reads(monkeypatch)
    again = import_file(session=session, dictionary=d, path=path)
    assert read == ["7d9c1a52-0a4b-4f0c-9a43-1f6e1b0c2a01", "0c4f2e9a-3b7d-4e1a-9c5b-6d8e7f9a0b03"]
    assert (again.entries_read, again.updated, again.unchanged) == (3, 2, 1)
    stored = _entries(session, d)
    relations = stored["0c4f2e9a-3b7d-4e1a-9c5b-6d8e7f9a0b03"]["relations"]
    assert [(r["target_id"], r["target_headword"]) for r in relations] == [
        ("7d9c1a52-0a4b-4f0c-9a43-1f6e1b0c2a01", "nyumba yayikulu"),
        ("5b0e3c11-7f7e-4c55-8d1e-2a9b6c7d8e02", "nyumba yayikulu"),
    ]
    assert stored["1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a04"]["relations"][0]["target_headword"] == (
        "kanyumba"
    )
    read.clear()  # the same file once more: nothing read
    third = import_file(session=session, dictionary=d, path=path)
    assert read == [] and third.unchanged == 3
