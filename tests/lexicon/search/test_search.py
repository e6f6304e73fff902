"""Search and browse in the domain (lexicon.search), on SQLite and on PostgreSQL.

The dictionary fixture has the alphabet `a b ch d e g h i k l m n ng o p r s t u w y '` with a
`ŋ` ~ `ng` confusable (tests/conftest.py).
"""

import sys
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite

from lexicon import editing, entries, search
from lexicon.accounts.access import ANONYMOUS, Viewer
from lexicon.errors import InvalidInput
from lexicon.search import browse
from lexicon.search import plan as search_plan
from lexicon.search import ranking as search_ranking
from lexicon.search.index import search_text

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from generate import generate_entries  # noqa: E402


def add(session, dictionary, word, gloss="", homograph=0, **sense):
    senses = [{"glosses": {"en": gloss} if gloss else {}, **sense}] if gloss or sense else []
    data = {"headword": {"seh": word}, "homograph": homograph, "senses": senses}
    return editing.create_entry(session=session, dictionary=dictionary, data=data)


def find(session, dictionary, q, viewer=ANONYMOUS, **kw):
    return search.search(session=session, dictionary=dictionary, viewer=viewer, q=q, **kw)


def found(session, dictionary, q, **kw):
    return [
        (i["headword_text"], i["match"]["type"])
        for i in find(session, dictionary, q, **kw)["items"]
    ]


def browse_words(session, dictionary, **kw):
    page = browse.browse(session=session, dictionary=dictionary, viewer=ANONYMOUS, limit=500, **kw)
    return [i["headword_text"] for i in page["items"]]


def test_digraphs_order_and_file_by_the_dictionarys_alphabet(session, dictionary):
    words = ["nza", "nga", "na", "nyu", "ngoma", "ŋ̀gàmà", "cha", "ca", "cola", "bu", "d", "o"]
    for w in words:
        add(session, dictionary, w)
    everything = browse_words(session, dictionary)
    # ŋ̀gàmà is ng-g-a-m-a (ŋ ~ ng), so it comes before ngoma.
    assert everything == ["bu", "ca", "cola", "cha", "d", "na", "nyu", "nza", "nga", "ŋ̀gàmà",
                          "ngoma", "o"]  # fmt: skip
    assert browse_words(session, dictionary, letter="ng") == ["nga", "ŋ̀gàmà", "ngoma"]
    assert browse_words(session, dictionary, letter="NG") == ["nga", "ŋ̀gàmà", "ngoma"]
    assert browse_words(session, dictionary, letter="n") == ["na", "nyu", "nza"]
    # `c` is not a letter of this alphabet: those words are under "#" (other).
    assert browse_words(session, dictionary, letter="#") == ["ca", "cola"]
    with pytest.raises(InvalidInput, match="letter"):
        browse_words(session, dictionary, letter="q")


def test_homographs_follow_their_numbers(session, dictionary):
    for number in (2, 1, 3):
        add(session, dictionary, "bala", f"sense {number}", homograph=number)
    add(session, dictionary, "bal", "short")
    items = browse.browse(session=session, dictionary=dictionary, viewer=ANONYMOUS)["items"]
    assert [(i["headword_text"], i["homograph"]) for i in items] == [
        ("bal", 0), ("bala", 1), ("bala", 2), ("bala", 3)
    ]  # fmt: skip
    hits = find(session, dictionary, "bala")["items"][:3]
    assert [(i["homograph"], i["match"]["type"]) for i in hits] == [
        (1, "exact"), (2, "exact"), (3, "exact")
    ]  # fmt: skip


def test_ngama_finds_tone_marked_and_confusable_spellings(session, dictionary):
    add(session, dictionary, "ŋ̀gàmà", "river")
    add(session, dictionary, "ngàmà", "stream")
    add(session, dictionary, "kogama", "bridge")
    add(session, dictionary, "ngama", "to catch")
    assert found(session, dictionary, "ngama") == [
        ("ngama", "exact"), ("ngàmà", "folded"), ("ŋ̀gàmà", "folded")
    ]  # fmt: skip
    assert found(session, dictionary, "gama") == [
        ("kogama", "infix"), ("ngama", "infix"), ("ngàmà", "infix"), ("ŋ̀gàmà", "infix")
    ]  # fmt: skip
    # Keepers' "exact letters": tone marks and ŋ count, no typo tolerance.
    assert found(session, dictionary, "ŋ̀gàmà", exact=True) == [("ŋ̀gàmà", "exact")]
    assert found(session, dictionary, "ngàmà", exact=True) == [("ngàmà", "exact")]


def test_reverse_search_with_plurals_and_typos(session, dictionary):
    add(session, dictionary, "mtsinje", "river", definitions={"en": "where the water flows"})
    add(session, dictionary, "madzi", "water")
    add(session, dictionary, "bwato", "boat", examples=[
        {"text": {"seh": "Bwato pa mtsinje"}, "translations": {"en": "A boat on the rivers"}}
    ])  # fmt: skip
    # Examples fill in only for words no gloss holds (issue 20): "boat on the rivers" waits.
    assert found(session, dictionary, "river") == [("mtsinje", "gloss")]
    # A plural finds the singular gloss as a whole gloss ("stemming kept simple").
    assert found(session, dictionary, "rivers") == [("mtsinje", "gloss")]
    assert found(session, dictionary, "rivr") == [("mtsinje", "fuzzy")]
    assert found(session, dictionary, "RIVER")[0] == ("mtsinje", "gloss")
    assert found(session, dictionary, "riv") == [("mtsinje", "gloss_prefix")]
    assert found(session, dictionary, "water") == [("madzi", "gloss"), ("mtsinje", "definition")]
    # The vernacular of examples is searched too.
    assert ("bwato", "example") in found(session, dictionary, "pa")


def test_one_ranking_across_every_tier(session, dictionary):
    add(session, dictionary, "lolo", "thing", definitions={"en": "the tana of a house"})
    add(session, dictionary, "kiki", "tanager")
    add(session, dictionary, "dodo", "big tana")
    add(session, dictionary, "bola", "tana")
    add(session, dictionary, "tama", "x")
    add(session, dictionary, "matana", "y")
    add(session, dictionary, "tànàko", "z")
    add(session, dictionary, "tàná", "w")
    add(session, dictionary, "tanabe", "v")
    add(session, dictionary, "tana", "u")
    types = [t for _, t in found(session, dictionary, "tana")]
    # `tama` is one letter off, but typos fill in only when no whole word matches (issue 20).
    # Examples too fill in only for a word no gloss holds (issue 20).
    assert types == ["exact", "prefix", "folded", "folded_prefix", "infix", "gloss", "gloss_word",
                     "gloss_prefix", "definition"]  # fmt: skip
    assert types == [t for t in search_ranking.TIERS if t not in ("example", "fuzzy")]
    # Without whole-word matches the near-miss comes, after the partial matches.
    assert found(session, dictionary, "tanab")[0] == ("tanabe", "prefix")
    assert found(session, dictionary, "tanab")[-1][1] == "fuzzy"


def test_typos_are_a_fallback_below_every_whole_word_match(session, dictionary):
    """Issue 20: an exact gloss above a definition above a near-miss; no near-miss (least of
    all in another language) when the query's own word is found."""
    add(session, dictionary, "madzi", "water")
    add(session, dictionary, "mtsinje", "river", definitions={"en": "where the water flows"})
    add(session, dictionary, "bwalo", "wafer")  # English, one letter off
    editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "kuipa"}, "senses": [{"glosses": {"en": "spoil", "pt": "gater"}}]})  # fmt: skip
    assert found(session, dictionary, "water") == [("madzi", "gloss"), ("mtsinje", "definition")]
    assert [t for _, t in found(session, dictionary, "waters")] == ["gloss", "definition"]
    # A word found only in a definition still keeps near-misses out.
    assert found(session, dictionary, "flows") == [("mtsinje", "definition")]
    # A typo with no whole-word match: near-misses in every language, after partial matches.
    typo = found(session, dictionary, "watter")
    assert typo == [("madzi", "fuzzy")]
    assert {h for h, t in found(session, dictionary, "gatr") if t == "fuzzy"} == {"kuipa"}
    printed = search.matching_ids(session=session, dictionary=dictionary, viewer=ANONYMOUS,
                                  q="water")  # fmt: skip
    assert len(printed) == 2  # printing selects what the learner sees: no near-misses


def test_an_english_word_lists_its_whole_word_matches_not_headwords_containing_it(
    session, dictionary
):
    add(session, dictionary, "manda", "fence")  # a headword beginning with the query
    add(session, dictionary, "kuman", "lizard")  # one containing it
    add(session, dictionary, "mamuna", "man")
    add(session, dictionary, "nkazi", "woman", definitions={"en": "the wife of a man"})
    add(session, dictionary, "cilume", "manly")
    assert found(session, dictionary, "man") == [
        ("mamuna", "gloss"), ("nkazi", "definition"), ("cilume", "gloss_prefix")
    ]  # fmt: skip
    assert search.matching_ids(session=session, dictionary=dictionary, viewer=ANONYMOUS,
                               q="man") == {i["id"] for i in find(session, dictionary, "man")["items"]}  # fmt: skip
    # Typing on: no whole word yet, so headwords that begin with it are listed (and, as a
    # fallback after them, what is one letter off).
    assert found(session, dictionary, "mand") == [("manda", "prefix"), ("mamuna", "fuzzy")]
    # A headword that is the query keeps the headword order (as-you-type browsing).
    add(session, dictionary, "man", "a kind of drum")
    assert found(session, dictionary, "man")[:2] == [("man", "exact"), ("manda", "prefix")]


def test_a_gloss_above_a_definition_above_an_example_above_a_typo(engine, session, dictionary):
    """Issue 20: definitions and examples are indexed apart, so a word of an example ranks
    below a word of a definition, and examples fill in only for a word no gloss holds;
    near-misses come only as a fallback, below everything. The headwords run against the
    tiers alphabetically, so the order is the tiers' own."""
    ex = [{"text": {"seh": "Madzi"}, "translations": {"en": "the water is cold"}}]
    add(session, dictionary, "aka", "stone", examples=ex)  # example translation only
    add(session, dictionary, "bibi", "pot", definitions={"en": "holds cold water"})
    add(session, dictionary, "cece", "lake", definitions={"en": "much water"}, examples=ex)
    add(session, dictionary, "dodo", "water")  # the gloss itself
    add(session, dictionary, "eke", "wader")  # English, one letter off
    # A word in no gloss: its definitions, then its examples.
    assert found(session, dictionary, "cold") == [
        ("bibi", "definition"), ("aka", "example"), ("cece", "example")
    ]  # fmt: skip
    # A word a gloss holds: the gloss, then definitions; no examples, no near-misses.
    assert found(session, dictionary, "water") == [
        ("dodo", "gloss"), ("bibi", "definition"), ("cece", "definition")
    ]  # fmt: skip
    assert found(session, dictionary, "watr") == [("dodo", "fuzzy")]
    for q in ("cold", "water"):  # printing a search's results selects the same entries
        assert search.matching_ids(session=session, dictionary=dictionary, viewer=ANONYMOUS,
                                   q=q) == {i["id"] for i in find(session, dictionary, q)["items"]}  # fmt: skip
    # The same order whichever way the query is read (a headword or a translation word).
    for order in (search_ranking.TIERS, search_ranking.ANALYSIS_ORDER):
        ranks = [order.index(t) for t in ("gloss", "definition", "example", "fuzzy")]
        assert ranks == sorted(ranks), order
    # One row kind each: the example's row carries none of the definition's words.
    with engine.connect() as conn:
        kinds = conn.execute(
            select(search_text.c.kind, search_text.c.field, search_text.c.stems).where(
                search_text.c.kind.in_(("tx", "ex"))
            )
        ).all()
    assert sorted((k, f) for k, f, _ in kinds) == [
        ("ex", "example"), ("ex", "example"), ("tx", "definition"), ("tx", "definition")
    ]  # fmt: skip
    assert not [stems for _, _, stems in kinds if "much" in stems and "cold" in stems]


def test_migration_0019_splits_existing_text_rows_into_definitions_and_examples(
    engine, session, dictionary
):
    """A database indexed before 0019 holds definitions and examples in one `tx` row (as the
    downgrade leaves it); upgrading lists every entry and rebuilds them at head."""
    from alembic import command

    from lexicon.db.migrate import alembic_config
    from lexicon.operations.upgrade import upgrade

    ex = [{"text": {"seh": "Madzi"}, "translations": {"en": "the water is cold"}}]
    add(session, dictionary, "aka", "stone", examples=ex)
    add(session, dictionary, "bibi", "pot", definitions={"en": "holds water"})
    session.commit()
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0018_recording_consent")
        kinds = conn.execute(text("SELECT kind FROM search_text WHERE kind IN ('tx', 'ex')"))
        assert sorted(kinds.scalars()) == ["tx", "tx"]  # the older code's rows
    upgrade(engine)
    session.expire_all()
    assert found(session, dictionary, "water") == [("bibi", "definition"), ("aka", "example")]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM search_reindex")).scalar() == 0
        kinds = conn.execute(
            text("SELECT kind FROM search_text WHERE kind IN ('tx', 'ex')")
        ).scalars()
        assert sorted(kinds) == ["ex", "tx"]
    # Deleting rows keeps SQLite's full-text tables in step with them (the delete trigger).
    editing.delete_entry(session=session, dictionary=dictionary,
                       entry_id=find(session, dictionary, "cold")["items"][0]["id"])  # fmt: skip
    session.commit()
    assert found(session, dictionary, "cold") == []
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            for table, kind in (("search_fts_tx", "tx"), ("search_fts_ex", "ex")):
                conn.execute(text(f"CREATE VIRTUAL TABLE temp.v_{kind} USING "
                                  f"fts5vocab(main, {table}, instance)"))  # fmt: skip
                indexed = conn.execute(text(f"SELECT DISTINCT doc FROM temp.v_{kind}")).scalars()
                rows = conn.execute(text(f"SELECT id FROM search_text WHERE kind = '{kind}'"))
                assert set(indexed) == set(rows.scalars()), table


def test_water_on_the_demo_lists_no_near_miss_above_a_whole_word_match(session):
    from lexicon.operations.demo import load_demo

    hdi, _ = load_demo(session=session, path=Path(__file__).parents[3] / "data/demo/hdi.json")
    page = find(session, hdi, "water")["items"]
    types = [i["match"]["type"] for i in page]
    assert types and "fuzzy" not in types, types  # was: "spoil · gater", "fail · rater"
    # the demo's examples that say "water" wait: glosses hold the word (issue 20)
    assert types == ["gloss_word", "gloss_word"]
    # a word that only examples hold still finds them
    assert {i["match"]["type"] for i in find(session, hdi, "advice")["items"]} == {"example"}
    # The French near-misses were found against French glosses: still there for a French typo.
    assert "fuzzy" in [i["match"]["type"] for i in find(session, hdi, "gatter")["items"]]


def test_an_exact_headword_always_ranks_first(session, dictionary):
    entries = generate_entries(60, seed=5)
    for entry in entries:
        editing.create_entry(session=session, dictionary=dictionary,
                           data=dict(entry, headword={"seh": entry["headword"]["qaa"]}))  # fmt: skip
    for entry in entries:
        word = entry["headword"]["qaa"]
        first = find(session, dictionary, word, limit=5)["items"][0]
        assert first["headword_text"] == word and first["match"]["type"] == "exact", word


def test_nfd_and_nfc_find_each_other(session, dictionary):
    nfd = unicodedata.normalize("NFD", "ŋ̀gàmà")
    nfc = unicodedata.normalize("NFC", "bálà")
    add(session, dictionary, nfd, "river")
    add(session, dictionary, nfc, unicodedata.normalize("NFD", "rĩver"))
    assert found(session, dictionary, unicodedata.normalize("NFC", nfd)) == [("ŋ̀gàmà", "exact")]
    assert found(session, dictionary, unicodedata.normalize("NFD", nfc)) == [("bálà", "exact")]
    both = [("bálà", "gloss"), ("ŋ̀gàmà", "gloss")]  # glosses fold diacritics too
    assert found(session, dictionary, "rĩver") == both
    assert found(session, dictionary, unicodedata.normalize("NFD", "rĩver")) == both


def test_what_a_viewer_may_not_see_is_never_found(session, dictionary, owner):
    add(session, dictionary, "pala", "open secret")
    hidden = editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "pasa"}, "visibility": "restricted", "circle": "elders",
        "senses": [{"glosses": {"en": "secret"}}],
    })  # fmt: skip
    editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "pata"},
        "senses": [{"glosses": {"en": "drum"}},
                   {"glosses": {"en": "secret rite"}, "visibility": "community"}],
    })  # fmt: skip
    editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "pawa"}, "status": "draft", "senses": [{"glosses": {"en": "secret"}}],
    })  # fmt: skip
    assert found(session, dictionary, "secret") == [("pala", "gloss_word")]
    assert [h for h, _ in found(session, dictionary, "pa")] == ["pala", "pata"]
    member = Viewer(user_id=99, roles={dictionary.id: "viewer"})
    assert [h for h, _ in found(session, dictionary, "secret", viewer=member)] == ["pala", "pata"]
    elder = Viewer(user_id=98, roles={dictionary.id: "viewer"},
                   circles={dictionary.id: frozenset({"elders"})})  # fmt: skip
    assert [h for h, _ in found(session, dictionary, "secret", viewer=elder)][0] == "pasa"
    keeper = Viewer(user_id=owner.user.id, roles={dictionary.id: "owner"})
    assert {h for h, _ in found(session, dictionary, "secret", viewer=keeper)} == {
        "pasa", "pata", "pawa", "pala"
    }  # fmt: skip
    # Glosses of hidden senses are not shown either.
    pata = find(session, dictionary, "pata")["items"][0]
    assert pata["glosses"] == {"en": "drum"}
    # Deleted entries leave search and browse; a restore brings them back.
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=hidden["id"])
    assert "pasa" not in [h for h, _ in found(session, dictionary, "pasa", viewer=keeper)]
    editing.restore_revision(
        session=session, dictionary=dictionary, entry_id=hidden["id"], number=1
    )
    assert found(session, dictionary, "pasa", viewer=keeper)[0] == ("pasa", "exact")


def test_edits_reindex_and_pages_follow_cursors(session, dictionary):
    created = [add(session, dictionary, f"ka{c}", "word") for c in "abdegh"]
    add(session, dictionary, "bobo", "the ka of a person")  # a gloss word: a later round
    first = find(session, dictionary, "ka", limit=4)
    # The first page is full after the headword round; the total still counts the rest.
    assert first["total"] == 7 and len(first["items"]) == 4 and first["next"]
    second = find(session, dictionary, "ka", limit=4, cursor=first["next"])
    assert [(i["headword_text"], i["match"]["type"]) for i in first["items"] + second["items"]] == [
        ("kaa", "prefix"), ("kab", "prefix"), ("kad", "prefix"), ("kae", "prefix"),
        ("kag", "prefix"), ("kah", "prefix"), ("bobo", "gloss_word"),
    ]  # fmt: skip
    assert second["next"] is None and second["total"] == 7
    entry = created[0]
    editing.update_entry(session=session, dictionary=dictionary, entry_id=entry["id"],
                       data=dict(entry, headword={"seh": "zulu"}), version=entry["version"])  # fmt: skip
    assert "kaa" not in [h for h, _ in found(session, dictionary, "kaa")]
    assert found(session, dictionary, "zulu") == [("zulu", "exact")]


def test_a_new_alphabet_reindexes_folding_and_order(session, dictionary):
    add(session, dictionary, "bɛlɛ", "song")
    add(session, dictionary, "bele", "other")
    assert found(session, dictionary, "bele") == [("bele", "exact")]
    editing.update_dictionary(session=session, dictionary=dictionary, data={"alphabet": dict(
        dictionary.alphabet, confusables=[["ŋ", "ng"], ["ɛ", "e"]])})  # fmt: skip
    search.reindex_dictionary(session=session, dictionary=dictionary)
    assert found(session, dictionary, "bele") == [("bele", "exact"), ("bɛlɛ", "folded")]


def test_browse_by_domain_and_part_of_speech(session, dictionary):
    add(
        session,
        dictionary,
        "nyumba",
        "house",
        semantic_domains=["6.5.1 Building"],
        part_of_speech="n",
    )
    add(session, dictionary, "khomo", "door", semantic_domains=["6.5.2 Parts of a building"])
    add(session, dictionary, "mwala", "stone", semantic_domains=["1.2.2.1 Rock"])
    editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "dya"}, "part_of_speech": "v", "senses": [{"glosses": {"en": "eat"}}]})  # fmt: skip
    assert browse_words(session, dictionary, domain="6.5") == ["khomo", "nyumba"]
    assert browse_words(session, dictionary, domain="6.5.1") == ["nyumba"]
    assert browse_words(session, dictionary, domain="6.5.1 building") == ["nyumba"]
    assert browse_words(session, dictionary, pos="v") == ["dya"]
    facets = browse.facets(session=session, dictionary=dictionary, viewer=ANONYMOUS)
    assert [d["domain"] for d in facets["domains"]] == [
        "1.2.2.1 Rock", "6.5.1 Building", "6.5.2 Parts of a building"
    ]  # fmt: skip
    # Parts of speech come from entries and from senses.
    assert {p["pos"]: p["count"] for p in facets["parts_of_speech"]} == {"n": 1, "v": 1}
    assert browse_words(session, dictionary, pos="n") == ["nyumba"]
    counts = {f["letter"]: f["count"] for f in facets["letters"]}
    assert counts["n"] == 1 and counts["k"] == 1 and counts["m"] == 1 and counts["ch"] == 0
    assert [f["label"] for f in facets["letters"]][:3] == ["A", "B", "Ch"]


def test_word_of_the_day_is_stable_per_day_and_visible(session, dictionary):
    assert browse.word_of_the_day(session=session, dictionary=dictionary, viewer=ANONYMOUS,
                                  day=date(2026, 1, 1)) is None  # fmt: skip
    for w in ["aka", "bala", "dada", "eka", "gaga"]:
        add(session, dictionary, w, "x")
    editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "hidden"}, "visibility": "community"})  # fmt: skip
    picks = {
        browse.word_of_the_day(
            session=session, dictionary=dictionary, viewer=ANONYMOUS, day=date(2026, 1, d)
        )["headword_text"]  # fmt: skip
        for d in range(1, 29)
    }
    assert picks <= {"aka", "bala", "dada", "eka", "gaga"} and len(picks) > 1
    again = [browse.word_of_the_day(session=session, dictionary=dictionary, viewer=ANONYMOUS,
                                    day=date(2026, 3, 3))["id"] for _ in range(2)]  # fmt: skip
    assert again[0] == again[1]


def test_search_sql_is_built_apart_from_running(dictionary):
    alphabet = entries.alphabet_for(dictionary)
    query = search.parse_query("Ngáma", alphabet=alphabet)
    assert (query.norm, query.folded, query.words) == ("ngáma", "ngama", ("ngama",))
    for dialect, engine_dialect, marks in [
        ("sqlite", sqlite.dialect(), ["search_fts MATCH", "search_tri MATCH", "search_fts_ex"]),
        ("postgresql", postgresql.dialect(), ["to_tsvector", "LIKE"]),
    ]:
        stmt, params = search.search_sql(dictionary=dictionary, viewer=ANONYMOUS, query=query,
                                         dialect=dialect, need=21, fuzzy_words=["ngamo"])  # fmt: skip
        sql = str(stmt.compile(dialect=engine_dialect))
        assert all(m in sql for m in marks), sql
        # every tier once, typo tolerance twice (headwords, glosses)
        assert sql.count("UNION ALL") == len(search_ranking.TIERS)
        assert params["norm"] == "ngáma" and params["folded"] == "ngama" and params["lim"] == 31
    exact = search.parse_query("ngáma", alphabet=alphabet, exact=True)
    stmt, _ = search.search_sql(dictionary=dictionary, viewer=ANONYMOUS, query=exact,
                                dialect="sqlite", need=21)  # fmt: skip
    # no folding, no fuzzy: headword exact and prefix, three gloss tiers, definition, example
    assert str(stmt.compile(dialect=sqlite.dialect())).count("UNION ALL") == 6
    assert search.search_sql(dictionary=dictionary, viewer=ANONYMOUS, dialect="sqlite", need=1,
                             query=search.parse_query("  ", alphabet=alphabet)) == (None, {})  # fmt: skip
    with pytest.raises(InvalidInput, match="q:"):
        search.parse_query("x" * 201, alphabet=alphabet)


def test_text_preparation_helpers():
    assert [search.stem(w) for w in ["rivers", "cities", "boxes", "casas", "bus", "class", "is"]] == [
        "river", "city", "box", "casa", "bus", "class", "is"
    ]  # fmt: skip
    assert search.words("to go, (quickly)") == ["to", "go", "quickly"]
    assert search.words("कुल घर") == ["कुल", "घर"]  # vowel signs stay inside words
    assert search.edit_distance("rivr", "river") == 1
    assert search.edit_distance("rievr", "river") == 1  # a transposition is one edit
    assert search.edit_distance("abc", "xyz") == 3
    assert "rivr" in search.deletions("river")


def test_a_verb_glossed_with_to_is_a_gloss_match_for_the_bare_verb(session, dictionary):
    def found(q):
        return [
            (i["headword_text"], i["match"]["type"]) for i in find(session, dictionary, q)["items"]
        ]

    for word, gloss in (("lankhula", "to speak"), ("kugona", "go to sleep"), ("nkhani", "speech")):
        editing.create_entry(session=session, dictionary=dictionary,
                           data={"headword": {"seh": word}, "senses": [{"glosses": {"en": gloss}}]})  # fmt: skip
    assert found("speak")[0] == ("lankhula", "gloss")
    assert found("speaks")[0] == ("lankhula", "gloss")
    assert found("to speak")[0] == ("lankhula", "gloss")
    assert ("kugona", "gloss_word") in found("to")  # a lone "to" is still a word
    assert found("go to sleep") == [("kugona", "gloss")]


def test_a_leading_article_is_not_part_of_a_gloss(session, dictionary):
    """A learner asks for "the fox" or "a fox": the entry glossed "fox" comes first, as a
    gloss, not the example sentences that hold "the fox"; a gloss written with an article
    ("a kind of tree") is a whole gloss without it."""

    def found(q):
        return [
            (i["headword_text"], i["match"]["type"]) for i in find(session, dictionary, q)["items"]
        ]

    for word, gloss, example in (
        ("nkhandwe", "fox", ""),
        ("kuona", "see", "I saw the fox in the bush"),
        ("mtengo", "a kind of tree", ""),
        ("a", "the letter a", ""),
    ):
        examples = [{"text": {"seh": "ndaona"}, "translations": {"en": example}}] if example else []
        editing.create_entry(session=session, dictionary=dictionary, data={
            "headword": {"seh": word},
            "senses": [{"glosses": {"en": gloss}, "examples": examples}],
        })  # fmt: skip
    for q in ("the fox", "a fox", "The Fox", "foxes"):
        assert found(q) == [("nkhandwe", "gloss")], q
    assert found("kind of tree")[0] == ("mtengo", "gloss")
    assert found("a kind of trees")[0] == ("mtengo", "gloss")
    assert found("a")[0] == ("a", "exact")  # a lone "a" is still a word
    assert found("the letter a") == found("letter a") == [("a", "gloss")]


def stems_as_before(connection, sqlite: bool, *, now: str, before: str) -> None:
    """Gloss rows whose stems are `now` written back as an older version wrote them, `before`
    (with SQLite's full-text index of them), for a migration to find."""
    from sqlalchemy import text

    where = f"kind = 'gl' AND stems = '{now}'"
    if sqlite:
        connection.execute(text("INSERT INTO search_fts(search_fts, rowid, stems) SELECT "
                                f"'delete', id, stems FROM search_text WHERE {where}"))  # fmt: skip
    connection.execute(text(f"UPDATE search_text SET stems = '{before}' WHERE {where}"))
    if sqlite:
        connection.execute(text("INSERT INTO search_fts(rowid, stems) SELECT id, stems "
                                f"FROM search_text WHERE stems = '{before}'"))  # fmt: skip


def test_migration_0012_rewrites_stored_gloss_stems_and_keeps_the_full_text_index_whole(
    engine, session, dictionary
):
    from alembic import command
    from sqlalchemy import text

    from lexicon.db.migrate import alembic_config
    from lexicon.operations.upgrade import upgrade

    editing.create_entry(session=session, dictionary=dictionary,
                       data={"headword": {"seh": "lankhula"}, "senses": [{"glosses": {"en": "to speak"}}]})  # fmt: skip
    session.commit()
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:  # back to 0011, with the row as 0011 wrote it
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0011_import_job_heartbeat")
        stems_as_before(connection, sqlite, now="speak", before="to speak")
    upgrade(engine)
    with engine.connect() as connection:
        stems = connection.execute(text("SELECT stems FROM search_text WHERE kind = 'gl'"))
        assert stems.scalars().all() == ["speak"]
        if sqlite:  # the old words left the full-text index, the new ones are in it
            connection.execute(
                text("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")
            )
            match = "SELECT count(*) FROM search_fts WHERE search_fts MATCH :q"
            assert connection.execute(text(match), {"q": "to"}).scalar() == 0
            assert connection.execute(text(match), {"q": "speak"}).scalar() == 1
    session.expire_all()
    assert find(session, dictionary, "speaks")["items"][0]["match"]["type"] == "gloss"


def test_migration_0024_reindexes_glosses_that_begin_with_an_article(engine, session, dictionary):
    from alembic import command
    from sqlalchemy import text

    from lexicon.db.migrate import alembic_config
    from lexicon.operations.upgrade import upgrade

    editing.create_entry(session=session, dictionary=dictionary,
                         data={"headword": {"seh": "mtengo"}, "senses": [{"glosses": {"en": "a tree"}}]})  # fmt: skip
    editing.create_entry(session=session, dictionary=dictionary,
                         data={"headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}}]})  # fmt: skip
    session.commit()
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:  # back to 0023, with the row as 0023 wrote it
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0023_new_dictionary_jobs")
        connection.execute(text("DELETE FROM search_reindex"))  # as if rebuilt at 0023 already
        stems_as_before(connection, sqlite, now="tree", before="a tree")
    upgrade(engine)
    with engine.connect() as connection:
        stems = connection.execute(text("SELECT stems FROM search_text WHERE kind = 'gl' "
                                        "ORDER BY stems")).scalars().all()  # fmt: skip
        assert stems == ["house", "tree"]
        if sqlite:
            connection.execute(
                text("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")
            )
    session.expire_all()
    assert find(session, dictionary, "the tree")["items"][0]["match"]["type"] == "gloss"


@st.composite
def word_and_typo(draw):
    """A word and the same word after 0-2 random edits (change, add, drop, swap)."""
    word = draw(st.text(alphabet="abcdé", max_size=7))
    typo = list(word)
    for _ in range(draw(st.integers(0, 2))):
        op, at = draw(st.integers(0, 3)), draw(st.integers(0, 8))
        letter = draw(st.sampled_from("abcdé"))
        if op == 0 and typo:
            typo[at % len(typo)] = letter
        elif op == 1:
            typo.insert(at % (len(typo) + 1), letter)
        elif op == 2 and typo:
            typo.pop(at % len(typo))
        elif op == 3 and len(typo) > 1:
            i = at % (len(typo) - 1)
            typo[i], typo[i + 1] = typo[i + 1], typo[i]
    return word, "".join(typo)


@given(word_and_typo())
def test_one_edit_apart_agrees_with_the_edit_distance(pair):
    a, b = pair
    assert search.one_edit_apart(a, b) == (search.edit_distance(a, b) == 1)
    assert search.one_edit_apart(b, a) == search.one_edit_apart(a, b)


def test_headword_and_gloss_branches_never_visit_the_table_on_sqlite(engine, session, dictionary):
    """Migration 0013: on SQLite each headword and gloss branch is answered from a covering
    index (the planner's own report), for rows and for counting, and browse's label lookups
    use their partial indexes."""
    from lexicon.db.prepared import driver_plan

    if engine.dialect.name != "sqlite":
        pytest.skip("covering indexes are SQLite's (PostgreSQL keeps narrower ones)")
    add(session, dictionary, "ngama", "river")
    raw = session.connection().connection.driver_connection

    def plan(stmt, params) -> str:
        sql, _, sources = driver_plan(engine.dialect, stmt, params)
        values = [params[s[1]] if s[0] == "p" else params[s[1]][s[2]] if s[0] == "l" else s[1]
                  for s in sources]  # fmt: skip
        return " | ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, values))

    alphabet = entries.alphabet_for(dictionary)
    for q, names, index in [
        ("ngama", ("exact", "prefix", "folded", "folded_prefix"), "ix_search_hw_"),
        ("ng", ("prefix", "folded_prefix"), "2 "),  # two characters: their own index, in order
        ("n", ("prefix", "folded_prefix"), "ix_search_text_order"),  # one: the letter's block
        ("river", ("gloss",), "ix_search_text_stems"),
    ]:
        query = search.parse_query(q, alphabet=alphabet)
        _, params = search_plan.plan_branches(query, "sqlite", ["ngamo"])
        for name in (*names, "fuzzy_hw"):
            dense = search_plan.dense_mode(name, params, "sqlite")
            for count in (False, True):
                stmt = search_plan.build((name,), ((name, dense),) if dense else (), "sqlite", count,
                                     ANONYMOUS, dictionary)  # fmt: skip
                report = plan(stmt, {**params, "lim": 31})
                assert "USING COVERING INDEX" in report and "SCAN search_text" not in report, (
                    name, report)  # fmt: skip
                if name != "fuzzy_hw":
                    assert index in report, (q, name, report)
                if dense and not count:  # read in order: no sorting of every match
                    assert "TEMP B-TREE FOR ORDER BY" not in report, (q, name, report)
    for kind, label in (("dom", "6.5"), ("dom", "Water"), ("pos", "noun")):
        report = plan(browse._label_clause(dictionary, ANONYMOUS, kind, label), {})
        assert f"ix_search_{kind}_" in report, report
