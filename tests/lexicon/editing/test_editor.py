"""The keeper's save of an entry deleted or hidden while they edited it (lexicon.editing.editor):
nothing is written and the error says which (EntryDeleted, to restore; EntryNotFound, hidden,
deleted or not); `restore_and_save` restores it and saves the form onto it, at once when nobody
saved between the form's opening and the delete, else as any save made meanwhile (a conflict,
the restore kept)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lexicon import editing
from lexicon.accounts.access import Viewer
from lexicon.editing import review
from lexicon.errors import EntryDeleted, EntryNotFound, Forbidden, InvalidInput, StaleVersion
from lexicon.models import Entry, Revision
from tests.factories import add_entry


@pytest.fixture
def people(dictionary):
    ana = Viewer(user_id=1, email="ana@example.org", roles={dictionary.id: "editor"})
    ben = Viewer(user_id=2, email="ben@example.org", roles={dictionary.id: "editor"})
    cara = Viewer(user_id=3, email="cara@example.org", roles={dictionary.id: "contributor"})
    return ana, ben, cara


def glossed(gloss: str):
    """An `edit` as the form makes one: the first sense's English gloss, on the entry as opened."""

    def edit(opened: dict) -> dict:
        opened["senses"][0]["glosses"]["en"] = gloss
        return opened

    return edit


def save(session, dictionary, viewer, entry_id, version, edit):
    opened = editing.opened_version(session=session, dictionary=dictionary, entry_id=entry_id,
                                    version=version, viewer=viewer)  # fmt: skip
    return editing.save_entry(session=session, dictionary=dictionary, viewer=viewer,
                              entry_id=entry_id, entry=edit(opened), version=version)  # fmt: skip


def actions(session, entry_id) -> list[str]:
    session.expire_all()
    rows = session.exec(select(Revision).where(Revision.entry_id == entry_id)).scalars().all()
    return [r.action for r in sorted(rows, key=lambda r: r.number)]


def restore_and_save(session, dictionary, viewer, entry_id, version, edit):
    return editing.restore_and_save(session=session, dictionary=dictionary, viewer=viewer,
                                    entry_id=entry_id, version=version, edit=edit)  # fmt: skip


def test_an_entry_deleted_meanwhile_is_saved_onto_once_restored(session, dictionary, people):
    ana, ben, cara = people
    entry = add_entry(session, dictionary, "nyumba", "house")
    eid = entry["id"]
    review.change_entry(session=session, dictionary=dictionary, viewer=ben, action="delete",
                        entry_id=eid, version=1)  # fmt: skip
    with pytest.raises(EntryDeleted) as gone:
        save(session, dictionary, ana, eid, 1, glossed("hut"))
    assert gone.value.details["last_revision"] == 1 and "restore it" in gone.value.message
    for who in (ana, cara):  # the API's PUT, an editor's or a contributor's: the same answer
        with pytest.raises(EntryDeleted):
            review.change_entry(session=session, dictionary=dictionary, viewer=who,
                                action="update", entry_id=eid, data=entry, version=1)  # fmt: skip
    with pytest.raises(Forbidden):  # only an editor restores
        restore_and_save(session, dictionary, cara, eid, 1, glossed("hut"))
    assert actions(session, eid) == ["create", "delete"]  # nothing written

    done = restore_and_save(session, dictionary, ana, eid, 1, glossed("hut"))
    assert done.entry["version"] == 4 and done.entry["senses"][0]["glosses"]["en"] == "hut"
    assert actions(session, eid) == ["create", "delete", "restore", "update"]
    again = restore_and_save(session, dictionary, ana, eid, 4, glossed("shed"))
    assert again.entry["version"] == 5  # not deleted (here: restored by herself): only saved


def test_a_save_between_the_opening_and_the_delete_means_choosing(session, dictionary, people):
    """Ben saved, then deleted it: restored as Ben left it, Ana's form onto it is a conflict
    (her form against his version); the restore stays for her to choose on."""
    ana, ben, _ = people
    eid = add_entry(session, dictionary, "nyumba", "house")["id"]
    save(session, dictionary, ben, eid, 1, glossed("dwelling"))
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=eid, editor="ben")
    with pytest.raises(StaleVersion) as stale:
        restore_and_save(session, dictionary, ana, eid, 1, glossed("hut"))
    assert stale.value.current["senses"][0]["glosses"]["en"] == "dwelling"
    assert stale.value.details["mine"]["senses"][0]["glosses"]["en"] == "hut"
    assert actions(session, eid) == ["create", "update", "delete", "restore"]
    assert not session.get(Entry, eid).deleted


def test_a_form_that_cannot_be_saved_restores_nothing(session, dictionary, people):
    ana, ben, _ = people
    eid = add_entry(session, dictionary, "nyumba", "house")["id"]
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=eid, editor="ben")

    def no_headword(opened):
        return dict(opened, headword={"seh": " "})

    with pytest.raises(InvalidInput) as bad:
        restore_and_save(session, dictionary, ana, eid, 1, no_headword)
    assert "headword" in bad.value.details["errors"]
    assert actions(session, eid) == ["create", "delete"]
    assert session.get(Entry, eid).deleted


def test_an_entry_hidden_meanwhile_is_not_found_deleted_or_not(session, dictionary, people):
    """Hidden from Ana since she opened it: not found (not told apart from a deleted one, nor
    restored by her), and nothing written; an elder sees it deleted, to restore."""
    ana, _, _ = people
    elder = Viewer(user_id=4, email="elder@example.org", roles={dictionary.id: "editor"},
                   circles={dictionary.id: frozenset({"elders"})})  # fmt: skip
    eid = add_entry(session, dictionary, "nyumba", "house")["id"]
    save(session, dictionary, elder, eid, 1,
         lambda opened: dict(opened, visibility="restricted", circle="elders"))  # fmt: skip
    for deleted in (False, True):
        if deleted:
            editing.delete_entry(session=session, dictionary=dictionary, entry_id=eid)
        with pytest.raises(EntryNotFound) as gone:
            save(session, dictionary, ana, eid, 1, glossed("hut"))
        assert not isinstance(gone.value, EntryDeleted)
        assert "nothing was saved" in gone.value.message and "elders" not in gone.value.message
        with pytest.raises(EntryNotFound):
            restore_and_save(session, dictionary, ana, eid, 1, glossed("hut"))
    assert actions(session, eid) == ["create", "update", "delete"]
    with pytest.raises(EntryDeleted):
        save(session, dictionary, elder, eid, 2, glossed("hut"))
