"""The store on its own: revisions, versions, ids, batch creation, re-keying."""

import pytest

from lexicon import editing, entries
from lexicon.accounts.access import ANONYMOUS
from lexicon.entries.read import entry_row
from lexicon.errors import InvalidInput, StaleVersion
from lexicon.models import Revision

ENTRY = {
    "headword": {"seh": "nyumba"},
    "senses": [
        {
            "id": "s1",
            "glosses": {"en": "house"},
            "examples": [{"id": "x1", "text": {"seh": "a"}}],
            "subsenses": [{"glosses": {"en": "home"}}],
        }
    ],
    "relations": [{"type": "synonym", "target_id": "abc", "target_headword": "ng'anda"}],
    "variants": [{"form": {"seh": "nyumb'"}, "type": "dialectal"}],
}


def test_batch_and_single_creation_give_the_same_entry(session, dictionary):
    one = editing.create_entry(session=session, dictionary=dictionary, data=ENTRY, entry_id="e1")
    other = dict(
        ENTRY,
        id="e2",
        senses=[dict(ENTRY["senses"][0], id="s2", examples=[{"id": "x2", "text": {"seh": "a"}}])],
    )
    [two] = editing.create_entries(session=session, dictionary=dictionary, items=[other])
    row_one = entry_row(session, dictionary, "e1")
    row_two = entry_row(session, dictionary, "e2")
    for written, row in ((one, row_one), (two, row_two)):
        read = entries.entry_dict(session=session, dictionary=dictionary, row=row)
        assert read == written
    strip = lambda e: {k: v for k, v in e.items() if k not in ("id", "created_at", "updated_at")}  # noqa: E731
    a, b = strip(one), strip(two)
    a["senses"][0].pop("id"), b["senses"][0].pop("id")
    a["senses"][0]["examples"][0].pop("id"), b["senses"][0]["examples"][0].pop("id")
    a["senses"][0]["subsenses"][0].pop("id"), b["senses"][0]["subsenses"][0].pop("id")
    assert a == b
    assert one["senses"][0]["subsenses"][0]["glosses"] == {"en": "home"}
    assert one["relations"][0]["target_headword"] == "ng'anda"


def test_copied_child_ids_get_fresh_ones(session, dictionary):
    first = editing.create_entry(session=session, dictionary=dictionary, data=ENTRY)
    second = editing.create_entry(session=session, dictionary=dictionary, data=ENTRY)
    assert first["senses"][0]["id"] == "s1"
    assert second["senses"][0]["id"] != "s1"
    [third] = editing.create_entries(session=session, dictionary=dictionary, items=[ENTRY])
    assert third["senses"][0]["id"] not in ("s1", second["senses"][0]["id"])


def test_stale_update_changes_nothing(session, dictionary):
    entry = editing.create_entry(session=session, dictionary=dictionary, data=ENTRY)
    editing.update_entry(
        session=session,
        dictionary=dictionary,
        entry_id=entry["id"],
        data=dict(ENTRY, headword={"seh": "one"}),
        version=1,
    )
    with pytest.raises(StaleVersion) as info:
        editing.update_entry(
            session=session,
            dictionary=dictionary,
            entry_id=entry["id"],
            data=dict(ENTRY, headword={"seh": "two"}),
            version=1,
        )
    assert info.value.current["headword"] == {"seh": "one"}
    assert session.query(Revision).filter_by(entry_id=entry["id"]).count() == 2


def test_a_failed_batch_writes_nothing(session, dictionary):
    good = {"headword": {"seh": "a"}}
    with pytest.raises(InvalidInput, match="headword"):
        editing.create_entries(
            session=session, dictionary=dictionary, items=[good, {"headword": {}}]
        )
    assert entries.count_entries(session=session, dictionary=dictionary, viewer=ANONYMOUS) == 0
    with pytest.raises(InvalidInput, match="media"):
        editing.create_entry(
            session=session,
            dictionary=dictionary,
            data={"headword": {"seh": "a"}, "pronunciations": [{"media": {"sha256": "0" * 64}}]},
        )
    assert entries.count_entries(session=session, dictionary=dictionary, viewer=ANONYMOUS) == 0


def test_changing_the_alphabet_rekeys_every_entry(session, dictionary):
    for word in ["nga", "na", "oa"]:
        editing.create_entry(
            session=session, dictionary=dictionary, data={"headword": {"seh": word}}
        )

    def order():
        page = entries.list_entries(session=session, dictionary=dictionary, viewer=ANONYMOUS)
        return [e["headword"]["seh"] for e in page["items"]]

    assert order() == ["na", "nga", "oa"]
    editing.update_dictionary(
        session=session, dictionary=dictionary, data={"alphabet": {"letters": ["ng", "n", "o"]}}
    )
    assert order() == ["nga", "na", "oa"]
