"""Two keepers saving one text: the three-way merge (lexicon.texts.merge) on its own, and the
keeper's save (lexicon.texts.saving): changes apart merge by themselves, clashes wait for a
choice, mine is kept in history when not all of it is kept, a third save means comparing
again, and segments hidden from the keeper stay hidden and as they are."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lexicon import texts
from lexicon.accounts.access import Viewer
from lexicon.models import TextRevision
from lexicon.texts.merge import merge_texts
from tests.lexicon.texts.test_store import story


def seg(sid: str, text: str, start: float | None = None, **fields) -> dict:
    end = None if start is None else start + 1
    return {"id": sid, "start": start, "end": end, "text": {"seh": text}, **fields}


def versions(*segment_lists) -> list[dict]:
    return [{"title": {"seh": "Nkhani"}, "genre": "", "segments": list(s)} for s in segment_lists]


# ---------------------------------------------------------------- the merge alone


def test_changes_apart_are_both_kept_and_clashes_named():
    a, b, c = seg("a", "one", 0), seg("b", "two", 1), seg("c", "three", 2)
    base, mine, theirs = versions([a, b, c], [dict(a, text={"seh": "ONE"}), b, c],
                                  [a, b, dict(c, text={"seh": "THREE"})])  # fmt: skip
    theirs["genre"] = "narrative"
    merged, clashes = merge_texts(base, mine, theirs)
    assert clashes == []
    assert [s["text"]["seh"] for s in merged["segments"]] == ["ONE", "two", "THREE"]
    assert merged["genre"] == "narrative"
    # Both change sentence 2 (differently), and the title; theirs wins unless mine is picked.
    mine["segments"][1] = dict(b, start=1.2)
    theirs["segments"][1] = dict(b, text={"seh": "TWO"})
    mine["title"], theirs["title"] = {"seh": "Mine"}, {"seh": "Theirs"}
    merged, clashes = merge_texts(base, mine, theirs)
    assert [c.key for c in clashes] == ["title", "segment:b"]
    assert clashes[1].number == 2 and clashes[1].mine["start"] == 1.2
    assert merged["title"] == {"seh": "Theirs"} and merged["segments"][1]["text"]["seh"] == "TWO"
    picked, _ = merge_texts(base, mine, theirs, {"title": "mine", "segment:b": "mine"})
    assert picked["title"] == {"seh": "Mine"} and picked["segments"][1]["start"] == 1.2
    assert [s["text"]["seh"] for s in picked["segments"]] == ["ONE", "two", "THREE"]


def test_removed_against_changed_is_a_clash_removed_alone_is_not():
    a, b, c = seg("a", "one", 0), seg("b", "two", 1), seg("c", "three", 2)
    base, mine, theirs = versions([a, b, c], [a, c], [a, dict(b, text={"seh": "TWO"}), c])
    merged, clashes = merge_texts(base, mine, theirs)
    assert [(x.key, x.mine, x.number) for x in clashes] == [("segment:b", None, 2)]
    assert len(merged["segments"]) == 3  # theirs until mine is picked
    picked, _ = merge_texts(base, mine, theirs, {"segment:b": "mine"})
    assert [s["id"] for s in picked["segments"]] == ["a", "c"]
    theirs["segments"][1] = b  # theirs did not change it: mine's removal stands
    merged, clashes = merge_texts(base, mine, theirs)
    assert clashes == [] and [s["id"] for s in merged["segments"]] == ["a", "c"]


def test_new_sentences_go_after_the_one_before_them_in_mine():
    a, b, c = seg("a", "one", 0), seg("b", "two", 1), seg("c", "three", 2)
    new1, new2, theirs_new = seg("n1", "one and a half"), seg("n2", "more"), seg("t", "start")
    base, mine, theirs = versions([a, b, c], [a, new1, new2, b, c], [theirs_new, a, c])
    merged, clashes = merge_texts(base, mine, theirs)
    assert clashes == []
    assert [s["id"] for s in merged["segments"]] == ["t", "a", "n1", "n2", "c"]
    # The same new sentence saved twice (the same form posted again) is one sentence.
    again, _ = merge_texts(base, dict(mine, segments=[a, dict(new1, id="x"), new2, b, c]),
                           merged)  # fmt: skip
    assert [s["id"] for s in again["segments"]] == ["t", "a", "n1", "n2", "c"]


def test_spaces_and_empty_values_are_not_changes():
    a = seg("a", "one", 0)
    base, mine, theirs = versions([a], [dict(a, text={"seh": "one "}, words=[])],
                                  [dict(a, text={"seh": "uno"})])  # fmt: skip
    mine["genre"] = None
    merged, clashes = merge_texts(base, mine, theirs)
    assert clashes == [] and merged["segments"][0]["text"] == {"seh": "uno"}


# ---------------------------------------------------------------- saving


@pytest.fixture
def editors(dictionary):
    return (Viewer(user_id=1, email="ana@example.org", roles={dictionary.id: "editor"}),
            Viewer(user_id=2, email="ben@example.org", roles={dictionary.id: "editor"}))  # fmt: skip


def change(index: int, **fields):
    """An `edit` as the form makes one: segment `index` changed, on the text as opened."""

    def edit(opened: dict) -> dict:
        opened["segments"][index].update(fields)
        return opened

    return edit


def save(session, dictionary, who, text_id, version, edit):
    return texts.save_text(session=session, dictionary=dictionary, viewer=who, text_id=text_id,
                           version=version, edit=edit)  # fmt: skip


def resolve(session, dictionary, who, text_id, edit, their_version, picks=None, every=None):
    return texts.resolve_conflict(
        session=session, dictionary=dictionary, viewer=who, text_id=text_id, version=1,
        their_version=their_version, edit=edit, picks=picks or {}, every=every,
    )  # fmt: skip


def comments(session, text_id) -> list[str]:
    stmt = select(TextRevision.comment).where(TextRevision.text_id == text_id)
    return list(session.exec(stmt.order_by(TextRevision.number)).scalars())


def clashing(session, dictionary, ben):
    """A new text whose sentence 2 Ben has moved to start at 1.1 (version 2), and Ana's edit,
    from the form she opened at version 1, moving it to 1.3: the one clash these tests need."""
    text = texts.create_text(session=session, dictionary=dictionary, data=story())
    save(session, dictionary, ben, text["id"], 1, change(1, start=1.1))
    return text, change(1, start=1.3)


def test_saves_apart_merge_and_clashes_wait_for_a_choice(session, dictionary, editors):
    ana, ben = editors
    text = texts.create_text(session=session, dictionary=dictionary, data=story())
    tid = text["id"]
    saved, merged = save(session, dictionary, ana, tid, 1, change(0, translation={"en": "Then"}))
    assert (saved["version"], merged) == (2, False)
    saved, merged = save(session, dictionary, ben, tid, 1, change(1, start=1.1))
    assert (saved["version"], merged) == (3, True)
    assert saved["segments"][0]["translation"] == {"en": "Then"}  # Ana's, kept
    assert saved["segments"][1]["start"] == 1.1  # and Ben's
    assert comments(session, tid)[-1] == "merged with a save made at the same time"
    # Both change sentence 2 from a form opened at version 1: a clash, nothing written.
    mine = change(1, text={"seh": "ndidapita kumunda"})
    with pytest.raises(texts.TextConflict) as conflict:
        save(session, dictionary, ana, tid, 1, mine)
    [clash] = conflict.value.clashes
    assert clash.key == f"segment:{text['segments'][1]['id']}"
    assert clash.mine["text"] == {"seh": "ndidapita kumunda"} and clash.theirs["start"] == 1.1
    assert texts.read_text(session=session, dictionary=dictionary, text_id=tid)["version"] == 3
    # Theirs chosen: mine is written first as its own revision, then the result.
    done = resolve(session, dictionary, ana, tid, mine, 3, {clash.key: "theirs"})
    assert done["version"] == 5 and done["segments"][1]["text"] == {"seh": "ndidapita"}
    assert done["segments"][0]["translation"] == {"en": "Then"}
    kept = texts.text_history(session=session, dictionary=dictionary, text_id=tid)[1]
    assert kept["comment"] == "edit made at the same time as another; kept in history"
    assert kept["data"]["segments"][1]["text"] == {"seh": "ndidapita kumunda"}
    assert comments(session, tid)[-1] == "conflict resolved: kept mine in 0 of 1 clashes"


def test_keeping_all_mine_writes_one_revision(session, dictionary, editors):
    ana, ben = editors
    text, mine = clashing(session, dictionary, ben)
    tid = text["id"]
    for picks, every in (({}, "mine"), ({f"segment:{text['segments'][1]['id']}": "mine"}, None)):
        version = texts.read_text(session=session, dictionary=dictionary, text_id=tid)["version"]
        if version > 2:  # put theirs back for the second round
            save(session, dictionary, ben, tid, version, change(1, start=1.1))
            version += 1
        done = resolve(session, dictionary, ana, tid, mine, version, picks, every)
        assert done["version"] == version + 1 and done["segments"][1]["start"] == 1.3
        assert comments(session, tid)[-1] == "conflict resolved: kept mine in 1 of 1 clashes"


def test_a_third_save_while_choosing_means_comparing_again(session, dictionary, editors):
    ana, ben = editors
    text, mine = clashing(session, dictionary, ben)
    tid = text["id"]
    with pytest.raises(texts.TextConflict):
        save(session, dictionary, ana, tid, 1, mine)
    save(session, dictionary, ben, tid, 2, change(0, start=0.0))  # while Ana chooses
    with pytest.raises(texts.TextConflict) as again:
        resolve(session, dictionary, ana, tid, mine, 2, every="mine")
    assert again.value.details["again"] and again.value.current["version"] == 3
    assert len(again.value.clashes) == 1
    assert texts.read_text(session=session, dictionary=dictionary, text_id=tid)["version"] == 3
    done = resolve(session, dictionary, ana, tid, mine, 3, every="mine")
    assert [s["start"] for s in done["segments"]] == [0.0, 1.3]


def test_a_keeper_outside_the_circle(session, dictionary, editors):
    """Ana is outside the elders' circle: the merge and the conflict never show her the
    elders' sentence, and it stays as it is; her edit of a sentence the elders then took into
    their circle is kept as a new sentence of her own."""
    ana, ben = editors
    elder = Viewer(user_id=3, email="eli@example.org", roles={dictionary.id: "editor"},
                   circles={dictionary.id: frozenset({"elders"})})  # fmt: skip
    data = story()
    data["segments"].append({"start": 2.0, "end": 2.5, "text": {"seh": "chinsinsi"},
                             "visibility": "restricted", "circle": "elders"})  # fmt: skip
    text = texts.create_text(session=session, dictionary=dictionary, data=data)
    tid, first, second = text["id"], text["segments"][0]["id"], text["segments"][1]["id"]

    # The elder changes the hidden sentence and sentence 1; Ana changes sentence 1 too.
    def elders_edit(opened):
        opened["segments"][0]["text"] = {"seh": "Ndiye"}
        opened["segments"][2]["text"] = {"seh": "chinsinsi chathu"}
        return opened

    save(session, dictionary, elder, tid, 1, elders_edit)
    mine = change(0, text={"seh": "Ndiye pa tsiku linango"})
    with pytest.raises(texts.TextConflict) as conflict:
        save(session, dictionary, ana, tid, 1, mine)
    assert "chinsinsi" not in repr(conflict.value.clashes) + repr(conflict.value.current)
    done = resolve(session, dictionary, ana, tid, mine, 2, every="mine")
    whole = texts.read_text(session=session, dictionary=dictionary, text_id=tid)
    assert [s["text"]["seh"] for s in whole["segments"]] == [
        "Ndiye pa tsiku linango", "ndidapita", "chinsinsi chathu"]  # fmt: skip
    assert whole["segments"][2]["circle"] == "elders" and "chinsinsi" not in repr(done)

    # The elder takes sentence 2 into the circle while Ana changes it: hers stays, as new.
    def restrict(opened):
        opened["segments"][1].update(visibility="restricted", circle="elders")
        return opened

    save(session, dictionary, elder, tid, whole["version"], restrict)
    mine = change(1, translation={"en": "I went off"})
    with pytest.raises(texts.TextConflict) as conflict:
        save(session, dictionary, ana, tid, whole["version"], mine)
    [clash] = conflict.value.clashes
    assert clash.key == f"segment:{second}" and clash.theirs is None  # hidden: as if removed
    resolve_at = whole["version"] + 1
    texts.resolve_conflict(session=session, dictionary=dictionary, viewer=ana, text_id=tid,
                           version=whole["version"], their_version=resolve_at, edit=mine,
                           picks={clash.key: "mine"})  # fmt: skip
    whole = texts.read_text(session=session, dictionary=dictionary, text_id=tid)
    hidden = [s for s in whole["segments"] if s["id"] == second]
    assert hidden[0]["circle"] == "elders" and hidden[0]["translation"] == {"en": "I went"}
    hers = [s for s in whole["segments"] if s["translation"] == {"en": "I went off"}]
    assert len(hers) == 1 and hers[0]["id"] not in (first, second)
    assert hers[0]["visibility"] == "public"


def test_when_the_clash_is_gone_the_choice_saves_the_merge(session, dictionary, editors):
    ana, ben = editors
    text, mine = clashing(session, dictionary, ben)
    tid = text["id"]
    with pytest.raises(texts.TextConflict):
        save(session, dictionary, ana, tid, 1, mine)
    save(session, dictionary, ben, tid, 2, change(1, start=1.0))  # Ben puts it back meanwhile
    with pytest.raises(texts.TextConflict) as again:
        resolve(session, dictionary, ana, tid, mine, 2, every="theirs")
    assert again.value.clashes == []  # nothing to choose now: saving keeps both
    done = resolve(session, dictionary, ana, tid, mine, 3)
    assert done["version"] == 4 and done["segments"][1]["start"] == 1.3
    assert comments(session, tid)[-2:] == ["", "merged with a save made at the same time"]


def test_a_text_deleted_meanwhile_is_saved_onto_only_once_restored(session, dictionary, editors):
    ana, ben = editors
    text = texts.create_text(session=session, dictionary=dictionary, data=story())
    tid = text["id"]
    save(session, dictionary, ben, tid, 1, change(1, start=1.1))
    texts.delete_text(session=session, dictionary=dictionary, text_id=tid, editor="ben")
    mine = change(0, translation={"en": "Then"})
    with pytest.raises(texts.TextDeleted) as gone:
        save(session, dictionary, ana, tid, 1, mine)
    assert gone.value.details["last_revision"] == 2 and "restore it" in gone.value.message
    with pytest.raises(texts.TextDeleted):  # the same through the API's save
        texts.save_sent_text(session=session, dictionary=dictionary, viewer=ana, text_id=tid,
                             version=1, data=story())  # fmt: skip
    assert len(comments(session, tid)) == 3  # nothing written
    done, merged = texts.restore_and_save(session=session, dictionary=dictionary, viewer=ana,
                                          text_id=tid, version=1, edit=mine)  # fmt: skip
    assert merged and done["version"] == 5
    assert done["segments"][0]["translation"] == {"en": "Then"}  # mine
    assert done["segments"][1]["start"] == 1.1  # and Ben's, from before the delete
    assert comments(session, tid)[-2:] == [
        "restored revision 2", "merged with a save made at the same time"]  # fmt: skip
    again, _ = texts.restore_and_save(session=session, dictionary=dictionary, viewer=ana,
                                      text_id=tid, version=5, edit=change(0, start=0.1))  # fmt: skip
    assert again["version"] == 6  # restored meanwhile (here by herself): only saved onto


def test_a_text_hidden_meanwhile_is_not_found_deleted_or_not(session, dictionary, editors):
    """Hidden from Ana since she opened it: not found (and not told apart from a deleted one,
    nor restored by her), nothing written."""
    ana, ben = editors
    text = texts.create_text(session=session, dictionary=dictionary, data=story())
    tid = text["id"]
    save(session, dictionary, ben, tid, 1,
         lambda opened: dict(opened, visibility="restricted", circle="elders"))  # fmt: skip
    for deleted in (False, True):
        if deleted:
            texts.delete_text(session=session, dictionary=dictionary, text_id=tid)
        with pytest.raises(texts.TextNotFound) as gone:
            save(session, dictionary, ana, tid, 1, change(0, translation={"en": "Then"}))
        assert not isinstance(gone.value, texts.TextDeleted)
        assert "nothing was saved" in gone.value.message
        with pytest.raises(texts.TextNotFound):
            texts.restore_and_save(session=session, dictionary=dictionary, viewer=ana,
                                   text_id=tid, version=1, edit=change(0, start=0.1))  # fmt: skip
    assert len(comments(session, tid)) == 3  # create, Ben's save, the delete
