"""Only an import writes an entry's verbatim copy and its sync marks (lexicon.shape.verbatim):
an editor who sends their own `extra.lift.source` with a `synced_version` matching the version
their write makes must not get that text into the exports as the entry (any XML, naming any
guid, that FieldWorks would take in on its next import)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sqlalchemy import select

from lexicon import editing, entries
from lexicon.io.exporter import export_dictionary
from lexicon.io.importer import import_file
from lexicon.models import Entry
from lexicon.shape import verbatim

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LIFT = FIXTURES / "lift-sena" / "Sena.lift"
FORGED = '<entry guid="00000000-0000-4000-8000-0000000000aa"><lexical-unit>FORGED</lexical-unit>'


def _exported_lift(session, dictionary, tmp_path: Path) -> str:
    dest = export_dictionary(
        session=session, dictionary=dictionary, format="lift", dest=tmp_path / "out.zip"
    )
    with zipfile.ZipFile(dest) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".lift"))
        return zf.read(name).decode("utf-8")


def _forged(entry: dict, version: int) -> dict:
    extra = entry.get("extra") or {}
    lift = dict(extra.get("lift") or {}, source=FORGED + "</entry>", synced_version=version)
    return {**entry, "extra": {**extra, "lift": lift}}


def test_an_edit_keeps_the_stored_marks_whatever_it_sends(session, dictionary, tmp_path):
    import_file(session=session, dictionary=dictionary, path=LIFT, format="lift")
    query = select(Entry).where(Entry.dictionary_id == dictionary.id).order_by(Entry.id).limit(1)
    row = session.execute(query).scalar_one()
    entry = entries.entry_dict(session=session, dictionary=dictionary, row=row)
    original = entry["extra"]["lift"]["source"]
    assert verbatim.source_of(entry, "lift") == original  # untouched: written back as it came

    changed = _forged(entry, entry["version"] + 1)
    changed["headword"] = {k: v + "x" for k, v in entry["headword"].items()}
    stored = editing.update_entry(
        session=session, dictionary=dictionary, entry_id=entry["id"], data=changed,
        version=entry["version"],
    )  # fmt: skip
    assert stored["extra"]["lift"]["source"] == original
    assert stored["extra"]["lift"]["synced_version"] == entry["version"]
    assert verbatim.source_of(stored, "lift") is None  # edited: rebuilt from what it says
    text = _exported_lift(session, dictionary, tmp_path)
    assert "FORGED" not in text
    assert next(iter(changed["headword"].values())) in text


def test_a_new_entry_gets_no_marks_from_its_writer(session, dictionary, tmp_path):
    data = _forged({"headword": {"seh": "nyumba"}, "extra": {"lift": {"kept": 1}}}, 1)
    created = editing.create_entry(session=session, dictionary=dictionary, data=data)
    assert created["extra"]["lift"] == {"kept": 1}
    batch = editing.create_entries(
        session=session, dictionary=dictionary, items=[_forged({"headword": {"seh": "b"}}, 1)],
        action="create",
    )  # fmt: skip
    assert batch[0]["extra"]["lift"] == {}
    assert "FORGED" not in _exported_lift(session, dictionary, tmp_path)
