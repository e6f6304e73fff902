"""An import's new entries are made ready (validated, their rows, revisions and search rows
built) before its write transaction, while others can save (lexicon.io.import_plan,
lexicon.editing.batch); inside it the plan is used as it is, unless what it was made against
changed meanwhile: then the rows are made again, and come out as they would have without one.
`python bench/import_lock.py --lift Natqgu.lift` measures what this spares other keepers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from lexicon import editing, entries, search
from lexicon.accounts.access import Viewer
from lexicon.editing import batch
from lexicon.io import import_plan
from lexicon.io.importer import import_file
from lexicon.models import Entry, Sense
from tests.factories import watch_lock

FIX = Path(__file__).parents[2] / "fixtures"
SENA = FIX / "whole" / "lift-sena" / "Sena.lift"
ADMIN = Viewer(is_admin=True)


@pytest.mark.parametrize("vernacular", [[], ["seh"]])
def test_new_entries_are_planned_while_others_can_save(session, engine, monkeypatch, vernacular):
    """Into a dictionary with no languages yet the import sets them (import_plan projects the
    dictionary as it will be), or into one that has them: the plan holds either way."""
    d = editing.create_dictionary(session=session, data={
        "slug": "sena", "title": "Sena", "vernacular_ws": vernacular})  # fmt: skip
    session.commit()
    outside = watch_lock(monkeypatch, import_plan, "plan_entries", engine, d.id)
    inside = watch_lock(monkeypatch, batch, "plan_entries", engine, d.id)
    report = import_file(session=session, dictionary=d, path=SENA, format="lift")
    assert report.created == report.entries_read == 1462
    assert outside and all(outside), outside  # every batch planned with the lock free
    assert inside == []  # and none made again inside the transaction
    stored = session.exec(
        select(func.count()).select_from(Entry).where(Entry.dictionary_id == d.id)
    )
    assert stored.scalar_one() == 1462
    word = session.exec(select(Entry.headword_text).where(Entry.dictionary_id == d.id)).first()
    found = search.search(session=session, dictionary=d, q=word[0], viewer=ADMIN)
    assert found["items"], "the planned search rows were stored"
    assert d.vernacular_ws and d.vernacular_ws[0] == "seh"


def test_a_plan_made_against_an_older_dictionary_is_made_again(session, dictionary):
    items = [{"headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}}]}]
    plan = batch.plan_entries(session=session, dictionary=dictionary, items=items)
    assert plan.outs[0]["visibility"] == "public"
    editing.update_dictionary(session=session, dictionary=dictionary,
                              data={"default_entry_visibility": "community"})  # fmt: skip
    [made] = batch.create_entries(session=session, dictionary=dictionary, items=items, plan=plan)
    assert made["visibility"] == "community"
    stored = entries.read_entry(session=session, dictionary=dictionary, entry_id=made["id"],
                                viewer=ADMIN)  # fmt: skip
    assert stored["visibility"] == "community"


def test_a_child_id_taken_since_the_plan_gets_a_new_one(session, dictionary):
    """Another write stored a sense with the id the plan kept for its entry's sense: inside the
    transaction the rows are made again, and the sense gets a fresh id (no duplicate key)."""
    sense_id = "5e2b3c4d-0000-4000-8000-000000000001"
    items = [{"headword": {"seh": "nyumba"}, "senses": [{"id": sense_id, "glosses": {"en": "a"}}]}]
    plan = batch.plan_entries(session=session, dictionary=dictionary, items=items)
    assert plan.outs[0]["senses"][0]["id"] == sense_id
    editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "other"}, "senses": [{"id": sense_id, "glosses": {"en": "b"}}]})  # fmt: skip
    [made] = batch.create_entries(session=session, dictionary=dictionary, items=items, plan=plan)
    assert made["senses"][0]["id"] != sense_id
    owners = session.exec(select(Sense.entry_id).where(Sense.id == made["senses"][0]["id"]))
    assert owners.scalars().all() == [made["id"]]


def test_a_plan_is_for_its_own_items(session, dictionary):
    items = [{"headword": {"seh": "nyumba"}}]
    plan = batch.plan_entries(session=session, dictionary=dictionary, items=items)
    with pytest.raises(ValueError, match="other items"):
        batch.create_entries(session=session, dictionary=dictionary, items=list(items), plan=plan)
