"""Writes to entries and dictionaries on their own (lexicon.editing.write, .dictionaries) and
what lexicon.entries.read gives back: revisions, versions, soft delete and restore, ids, batch
creation, cursor paging, the displayed headword and re-keying."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from lexicon import editing, entries
from lexicon.accounts.access import ANONYMOUS, Viewer
from lexicon.entries.read import entry_row
from lexicon.errors import (
    DuplicateDictionary,
    EntryNotFound,
    InvalidInput,
    RevisionNotFound,
    StaleVersion,
)
from lexicon.models import Entry, Revision
from lexicon.shape.entry import display_headword
from lexicon.shape.extra import ServerOwnedExtra
from tests.factories import add_entry

ADMIN = Viewer(is_admin=True)

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


def revisions(session, entry_id) -> list[Revision]:
    session.expire_all()
    query = select(Revision).where(Revision.entry_id == entry_id).order_by(Revision.number)
    return list(session.exec(query).scalars())


def headwords(page: dict) -> list[str]:
    return [e["headword"]["seh"] for e in page["items"]]


def test_every_write_adds_one_revision_with_the_whole_entry_and_bumps_the_version(
    session, dictionary
):
    made = add_entry(session, dictionary, "nyumba", "house")
    assert made["version"] == 1
    changed = editing.update_entry(
        session=session,
        dictionary=dictionary,
        entry_id=made["id"],
        data=dict(made, headword={"seh": "nyumba"}, senses=[{"glosses": {"en": "home"}}]),
        version=1,
        editor="ana",
        comment="a better gloss",
    )
    assert changed["version"] == 2
    gone = editing.delete_entry(
        session=session, dictionary=dictionary, entry_id=made["id"], editor="ana", version=2
    )
    assert gone["version"] == 3 and gone["deleted"] is True
    history = revisions(session, made["id"])
    assert [(r.number, r.action) for r in history] == [(1, "create"), (2, "update"), (3, "delete")]
    assert history[1].editor == "ana" and history[1].comment == "a better gloss"
    assert [r.data["version"] for r in history] == [1, 2, 3]
    assert history[0].data["senses"][0]["glosses"] == {"en": "house"}
    assert history[1].data["senses"][0]["glosses"] == {"en": "home"}
    assert history[1].data == changed  # the revision holds the entry as written
    assert entry_row(session, dictionary, made["id"]).version == 3


def test_a_write_on_an_old_version_is_refused_with_the_current_entry(session, dictionary):
    made = add_entry(session, dictionary, "nyumba", "house")
    editing.update_entry(
        session=session,
        dictionary=dictionary,
        entry_id=made["id"],
        data=dict(made, senses=[{"glosses": {"en": "home"}}]),
        version=1,
    )
    with pytest.raises(StaleVersion) as info:
        editing.delete_entry(session=session, dictionary=dictionary, entry_id=made["id"], version=1)
    assert info.value.current["version"] == 2
    assert info.value.current["senses"][0]["glosses"] == {"en": "home"}
    with pytest.raises(StaleVersion):  # the old version named in the body counts as well
        editing.update_entry(
            session=session, dictionary=dictionary, entry_id=made["id"], data=made, version=None
        )
    unversioned = {k: v for k, v in made.items() if k != "version"}
    with pytest.raises(InvalidInput, match="version"):  # no version at all: refused, not forced
        editing.update_entry(
            session=session,
            dictionary=dictionary,
            entry_id=made["id"],
            data=unversioned,
            version=None,
        )
    row = entry_row(session, dictionary, made["id"])
    assert (row.version, row.deleted) == (2, False)
    assert len(revisions(session, made["id"])) == 2
    read = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=made["id"], viewer=ANONYMOUS
    )
    assert read["senses"][0]["glosses"] == {"en": "home"}


def test_restoring_an_old_revision_makes_it_current_as_a_new_revision(session, dictionary):
    made = add_entry(session, dictionary, "nyumba", "house", part_of_speech="n")
    editing.update_entry(
        session=session,
        dictionary=dictionary,
        entry_id=made["id"],
        data={
            "headword": {"seh": "nyumbo"},
            "senses": [{"glosses": {"en": "home"}}, {"glosses": {"en": "hut"}}],
        },
        version=1,
    )
    restored = editing.restore_revision(
        session=session, dictionary=dictionary, entry_id=made["id"], number=1, editor="ana"
    )
    assert restored["version"] == 3
    assert restored["headword"] == {"seh": "nyumba"}
    assert [s["glosses"] for s in restored["senses"]] == [{"en": "house"}]
    assert restored["senses"][0]["part_of_speech"] == "n"
    history = revisions(session, made["id"])
    assert [(r.number, r.action) for r in history] == [(1, "create"), (2, "update"), (3, "restore")]
    assert history[2].comment == "restored revision 1" and history[2].editor == "ana"
    assert history[1].data["headword"] == {"seh": "nyumbo"}  # history itself is never rewritten
    read = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=made["id"], viewer=ANONYMOUS
    )
    assert read["headword"] == {"seh": "nyumba"} and len(read["senses"]) == 1
    with pytest.raises(RevisionNotFound):
        editing.restore_revision(
            session=session, dictionary=dictionary, entry_id=made["id"], number=9
        )


def test_delete_is_soft_and_a_restore_brings_the_entry_back(session, dictionary):
    kept = add_entry(session, dictionary, "bala", "child")
    made = add_entry(session, dictionary, "nyumba", "house")
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=made["id"])

    with pytest.raises(EntryNotFound):
        entries.read_entry(
            session=session, dictionary=dictionary, entry_id=made["id"], viewer=ADMIN
        )
    listed = entries.list_entries(session=session, dictionary=dictionary, viewer=ADMIN)
    assert [e["id"] for e in listed["items"]] == [kept["id"]] and listed["total"] == 1
    assert entries.count_entries(session=session, dictionary=dictionary, viewer=ADMIN) == 1
    bin_ = entries.list_entries(session=session, dictionary=dictionary, viewer=ADMIN, deleted=True)
    assert [e["id"] for e in bin_["items"]] == [made["id"]]  # the row is still there
    assert entry_row(session, dictionary, made["id"]).deleted is True
    with pytest.raises(EntryNotFound):  # deleted: no edits, no second delete
        editing.update_entry(
            session=session, dictionary=dictionary, entry_id=made["id"], data=made, version=2
        )
    with pytest.raises(EntryNotFound):
        editing.delete_entry(session=session, dictionary=dictionary, entry_id=made["id"])

    back = editing.restore_revision(
        session=session, dictionary=dictionary, entry_id=made["id"], number=1
    )
    assert back["deleted"] is False and back["version"] == 3
    listed = entries.list_entries(session=session, dictionary=dictionary, viewer=ADMIN)
    assert headwords(listed) == ["bala", "nyumba"]
    assert (
        entries.list_entries(session=session, dictionary=dictionary, viewer=ADMIN, deleted=True)[
            "items"
        ]
        == []
    )
    read = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=made["id"], viewer=ANONYMOUS
    )
    assert read["senses"][0]["glosses"] == {"en": "house"}


def test_cursor_paging_visits_every_entry_once_in_order(session, dictionary):
    """Pages of 4 over 11 entries, five of which share one sort key (same headword and
    homograph number): the cursor breaks the tie by id, so none is skipped or repeated."""
    for word in ["pa", "ba", "ma", "ka", "da", "ta"]:
        add_entry(session, dictionary, word, "x")
    for _ in range(5):
        add_entry(session, dictionary, "nga", "same")
    whole = entries.list_entries(session=session, dictionary=dictionary, viewer=ANONYMOUS, limit=50)
    assert whole["next"] is None and whole["total"] == 11
    seen, cursor, pages = [], None, 0
    while True:
        page = entries.list_entries(
            session=session, dictionary=dictionary, viewer=ANONYMOUS, limit=4, cursor=cursor
        )
        pages += 1
        assert page["total"] == 11 and len(page["items"]) <= 4
        seen += [e["id"] for e in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [e["id"] for e in whole["items"]] and len(set(seen)) == 11
    assert headwords(whole) == ["ba", "da", "ka", "ma"] + ["nga"] * 5 + ["pa", "ta"]
    with pytest.raises(InvalidInput, match="cursor"):
        entries.list_entries(
            session=session, dictionary=dictionary, viewer=ANONYMOUS, cursor="not-a-cursor"
        )


def test_create_entries_writes_all_or_nothing(session, dictionary):
    existing = add_entry(session, dictionary, "bala", "child")
    before = len(session.exec(select(Revision)).scalars().all())
    bad_batches = [
        # the second item takes an id that exists already
        [{"headword": {"seh": "a"}}, {"id": existing["id"], "headword": {"seh": "b"}}],
        # the same new id twice in one batch
        [{"id": "e-1", "headword": {"seh": "a"}}, {"id": "e-1", "headword": {"seh": "b"}}],
        # the last item names media that was never stored
        [
            {"headword": {"seh": "a"}},
            {"headword": {"seh": "b"}, "pronunciations": [{"media": {"sha256": "1" * 64}}]},
        ],
    ]
    for batch in bad_batches:
        with pytest.raises(InvalidInput, match="id|media"):
            editing.create_entries(session=session, dictionary=dictionary, items=batch)
        session.rollback()
        ids = session.exec(select(Entry.id)).scalars().all()
        assert ids == [existing["id"]]
        assert len(session.exec(select(Revision)).scalars().all()) == before
    made = editing.create_entries(
        session=session,
        dictionary=dictionary,
        items=[{"headword": {"seh": "a"}}, {"id": "e-2", "headword": {"seh": "ba"}}],
        editor="importer",
    )
    assert [e["version"] for e in made] == [1, 1] and made[1]["id"] == "e-2"
    added = session.exec(select(Revision).where(Revision.action == "import")).scalars().all()
    assert sorted(r.entry_id for r in added) == sorted(e["id"] for e in made)
    assert {r.editor for r in added} == {"importer"}
    assert entries.count_entries(session=session, dictionary=dictionary, viewer=ANONYMOUS) == 3


def test_display_headword_prefers_citation_then_headword_then_lexeme():
    sena = SimpleNamespace(vernacular_ws=["seh", "seh-fonipa"])
    both = {"seh": "nyumba", "seh-fonipa": "ɲumba"}
    assert display_headword(sena, both) == "nyumba"  # the first vernacular writing system
    assert display_headword(sena, {"seh-fonipa": "ɲumba"}) == "ɲumba"
    assert display_headword(sena, both, {"seh": " nyumbá "}) == "nyumbá"  # citation first
    assert display_headword(sena, both, {"seh": "  "}) == "nyumba"  # a blank one does not count
    assert display_headword(sena, {}, {}, {"seh": "-umba"}) == "-umba"  # lexeme form last
    assert display_headword(sena, {"en": "house"}, {}, {}) == "house"  # any form, at worst
    assert display_headword(sena, {}, None, None) == ""


def test_the_displayed_headword_sets_the_order_and_follows_the_writing_systems(session, dictionary):
    editing.create_entry(
        session=session,
        dictionary=dictionary,
        data={"headword": {"seh": "zuwa"}, "citation": {"seh": "awa"}},
    )
    editing.create_entry(
        session=session,
        dictionary=dictionary,
        data={"headword": {"seh": "mbale", "seh-fonipa": "bale"}},
    )
    editing.create_entry(
        session=session, dictionary=dictionary, data={"headword": {"seh-fonipa": "kala"}}
    )

    def order():
        page = entries.list_entries(session=session, dictionary=dictionary, viewer=ANONYMOUS)
        return [display_headword(dictionary, e["headword"], e["citation"]) for e in page["items"]]

    assert order() == ["awa", "kala", "mbale"]  # "zuwa" files under its citation form
    rows = session.exec(select(Entry.headword_text, Entry.letter).order_by(Entry.sort_key)).all()
    assert [tuple(r) for r in rows] == [("awa", "a"), ("kala", "k"), ("mbale", "m")]
    editing.update_dictionary(
        session=session, dictionary=dictionary, data={"vernacular_ws": ["seh-fonipa", "seh"]}
    )
    session.expire_all()
    rows = session.exec(select(Entry.headword_text).order_by(Entry.sort_key)).scalars().all()
    assert rows == ["awa", "bale", "kala"]  # re-keyed: the phonetic form now comes first


def test_dictionary_writes_bump_the_generation_and_keep_server_owned_extra(
    session, dictionary, owner
):
    start = dictionary.generation
    made = add_entry(session, dictionary, "nyumba", "house")
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=made["id"])
    editing.update_dictionary(session=session, dictionary=dictionary, data={"title": "Sena"})
    assert dictionary.generation == start + 3
    session.expire_all()
    assert session.get(type(dictionary), dictionary.id).generation == start + 3

    editing.set_server_extra(session=session, dictionary=dictionary, values={"ws_map": {"a": 1}})
    with pytest.raises(ValueError, match="server-owned"):
        editing.set_server_extra(session=session, dictionary=dictionary, values={"theme": "x"})
    editing.update_dictionary(
        session=session, dictionary=dictionary, data={"extra": {"theme": "dark"}}
    )
    assert dictionary.extra == {"theme": "dark", "ws_map": {"a": 1}}  # kept, though left out
    with pytest.raises(ServerOwnedExtra):
        editing.update_dictionary(
            session=session, dictionary=dictionary, data={"extra": {"ws_map": {"a": 2}}}
        )
    assert dictionary.extra["ws_map"] == {"a": 1}
    with pytest.raises(DuplicateDictionary):
        editing.create_dictionary(
            session=session, data={"slug": "demo", "title": "Again"}, owner_id=owner.user.id
        )
