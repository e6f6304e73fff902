"""The cases walk (issue 16): every read path, asked by an anonymous visitor, members
outside the circles, a member of the inner circle only and a member of both, against the cases
of tests/protocol_cases.py (nested circles, relations to hidden entries and senses, a hidden
recording in a public entry, a picture in a restricted sense, restricted history).

Read paths: entry page, API entry JSON, entry lists (API, home page, editor list), search
(API and page, match text included), browse (API and page), exports in every format (zips
opened, every member read), print (the PDF read back with pdftotext, and the JSON document
that feeds it), media URLs (web copy and original), history (API and page), proposals.
"""

from __future__ import annotations

import io
import json
import subprocess
import zipfile

import pytest
from alembic import command
from sqlalchemy import literal, select, text

from lexicon import accounts, editing, entries
from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.db.migrate import alembic_config
from lexicon.editing import review
from lexicon.models import User
from lexicon.operations.upgrade import upgrade
from lexicon.printing.options import PrintOptions
from lexicon.printing.render import build_document
from lexicon.printing.service import Selection, select_entries
from lexicon.search.index import search_text
from tests.conftest import make_user
from tests.protocol_cases import ALPHA, BETA, Cases, build_cases


@pytest.fixture
def cases(client, session, dictionary, owner) -> Cases:
    built = build_cases(client, session, dictionary, owner)
    built.people["owner"] = owner
    return built


OUTSIDERS = ("anonymous", "viewer", "beta_only", "editor_outside")
FORMATS = ("json", "lift", "mdf", "csv", "cldf")


def _viewer(session, cases, person: str) -> Viewer:
    who = cases.people.get(person)
    if who is None:
        return Viewer()
    user = session.exec(select(User).where(User.id == who.user.id)).scalar_one()
    return accounts.viewer_for_user(session=session, user=user)


def _pdf_text(data: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8", "replace")


def _zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def read_everything(client, session, cases, person: str) -> dict[str, str]:
    """Every read path as `person`: {path label: what it answered (text)}."""
    headers = cases.headers(person)
    out: dict[str, str] = {}

    def get(label, url, **params):
        answer = client.get(url, params=params, headers=headers, follow_redirects=False)
        assert answer.status_code < 500, (label, answer.status_code, answer.text[:300])
        out[label] = answer.text if answer.status_code == 200 else ""
        return answer

    for name, entry_id in cases.ids.items():
        get(f"entry page {name}", f"/d/demo/entries/{entry_id}")
        get(f"entry json {name}", f"/api/dictionaries/demo/entries/{entry_id}")
        get(f"revisions {name}", f"/api/dictionaries/demo/entries/{entry_id}/revisions")
        get(f"history page {name}", f"/d/demo/edit/entries/{entry_id}/history")
        get(f"editor form {name}", f"/d/demo/edit/entries/{entry_id}")
    get("entry list", "/api/dictionaries/demo/entries", limit=500)
    get("home page", "/d/demo/")
    get("editor list", "/d/demo/edit/")
    for word in sorted(set(cases.words.values())):
        get(f"search {word}", "/api/dictionaries/demo/search", q=word)
        get(f"search page {word}", "/d/demo/search", q=word)
        # the page repeats the query in its search box: what it found is what counts
        out[f"search page {word}"] = out[f"search page {word}"].replace(word, "")
    get("browse", "/api/dictionaries/demo/browse", limit=500)
    get("browse page", "/d/demo/browse")
    for letter in ("k", "m", "n", "p", "c", "l"):
        get(f"browse {letter}", "/api/dictionaries/demo/browse", letter=letter)
        get(f"browse page {letter}", "/d/demo/browse", letter=letter)
    for fmt in FORMATS:
        answer = client.get(
            "/api/dictionaries/demo/export", params={"format": fmt}, headers=headers
        )
        assert answer.status_code == 200, (fmt, answer.text[:300])
        out[f"export {fmt}"] = _zip_text(answer.content)
    answer = client.get("/api/dictionaries/demo/print.pdf", headers=headers)
    assert answer.status_code == 200, answer.text[:300]
    out["print pdf"] = _pdf_text(answer.content)
    viewer = _viewer(session, cases, person)
    dictionary = entries.get_dictionary(session=session, slug="demo")
    selected = select_entries(
        session=session, dictionary=dictionary, viewer=viewer, selection=Selection()
    )
    document, _ = build_document(
        dictionary=dictionary.model_dump(exclude={"id", "created_at", "updated_at"}),
        entries=selected,
        layout="dictionary",
        options=PrintOptions(),
    )
    out["print json"] = json.dumps(document, ensure_ascii=False, default=str)
    return out


def _leaks(texts: dict[str, str], needles: set[str]) -> list[str]:
    return [
        f"{label}: {needle}"
        for label, body in texts.items()
        for needle in sorted(needles)
        if needle in body
    ]


@pytest.mark.parametrize("person", OUTSIDERS)
def test_no_hidden_word_or_id_on_any_read_path(client, session, cases, person):
    texts = read_everything(client, session, cases, person)
    assert not _leaks(texts, cases.hidden_from(person) | cases.hidden_ids(person))
    everything = "\n".join(texts.values())
    missing = [w for w in cases.seen_by(person) if w not in everything]
    assert not missing, f"{person} never met {missing}: a read path or the fixture is broken"


def test_the_inner_circle_sees_every_case(client, session, cases):
    texts = read_everything(client, session, cases, "insider")
    everything = "\n".join(texts.values())
    missing = [w for w in cases.seen_by("insider") if w not in everything]
    assert not missing
    for path in ("entry json related", "export json", "print pdf", "print json", "export mdf"):
        assert cases.words["restricted_hw"] in texts[path], path


# ---------------------------------------------------------------- finding 2: nested circles


@pytest.mark.parametrize("word", ["example_text", "example_translation", "subsense_gloss"])
def test_search_needs_every_enclosing_circle(client, cases, word):
    """The example and subsense (circle beta) sit in a sense of circle alpha: a member of beta
    alone finds nothing, in the API or the page; a member of both finds them."""
    q = cases.words[word]
    for person in ("beta_only", "viewer", "anonymous"):
        found = client.get(
            "/api/dictionaries/demo/search", params={"q": q}, headers=cases.headers(person)
        ).json()
        assert found["items"] == [] and found["total"] == 0, (person, found)
        page = client.get("/d/demo/search", params={"q": q}, headers=cases.headers(person))
        assert page.status_code == 200
        shown = page.text.replace(q, "")  # the search box repeats the query
        assert not {*cases.words.values(), cases.words["nested_hw"]} - {q} & set(shown.split())
        assert cases.words["nested_hw"] not in shown and cases.ids["nested"] not in shown
    found = client.get(
        "/api/dictionaries/demo/search", params={"q": q}, headers=cases.headers("insider")
    ).json()
    assert [i["id"] for i in found["items"]] == [cases.ids["nested"]]
    assert q in found["items"][0]["match"]["text"]


def test_nested_scopes_are_one_conjunction(session, dictionary):
    assert access.conjunction(("public", None), ("restricted", "a")) == ("restricted", "a")
    assert access.conjunction(("community", None), ("public", None)) == ("community", None)
    joined = access.conjunction(("restricted", "b"), ("restricted", "a"), ("restricted", "a"))
    assert joined[0] == "restricted" and access.circle_names(joined[1]) == {"a", "b"}
    assert access.conjunction(("restricted", "a"), ("restricted", None)) == ("restricted", None)
    assert access.conjunction(("bogus", "a")) == ("restricted", None)
    both = Viewer(user_id=1, roles={dictionary.id: "viewer"}, circles={dictionary.id: {"a", "b"}})
    one = Viewer(user_id=2, roles={dictionary.id: "viewer"}, circles={dictionary.id: {"b"}})
    no_role = Viewer(user_id=3, circles={dictionary.id: frozenset({"a", "b"})})
    for viewer, sees in ((both, True), (one, False), (no_role, False)):
        assert access.can_see(viewer, dictionary, *joined) is sees
    # The same rule in SQL, on the database itself.
    for viewer, sees in ((both, True), (one, False), (no_role, False)):
        row = select(
            literal(joined[0]).label("visibility"),
            literal(joined[1]).label("circle"),
            literal("published").label("status"),
        ).subquery()
        clause = access.entry_clause(viewer, dictionary, row.c)
        got = session.execute(select(row.c.visibility).where(clause)).all()
        assert bool(got) is sees, viewer


def test_migration_rebuilds_rows_that_kept_only_the_narrowest_scope(cases, engine):
    """Rows written by the old index (the example's row carried circle beta alone) are listed
    by migration 0017 and rebuilt with both circles when the schema is brought to head."""
    example = cases.words["example_text"]
    with engine.begin() as conn:
        conn.execute(
            search_text.update()
            .where(search_text.c.text.contains(example))
            .values(visibility="restricted", circle=BETA)
        )
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:  # back to the schema before 0017, then 0017 alone
        cfg.attributes["connection"] = conn
        conn.execute(text("DROP TABLE search_reindex"))
        command.stamp(cfg, "0016_site_secret")
        command.upgrade(cfg, "0017_nested_scopes")
        command.stamp(cfg, "head")
        assert conn.execute(text("SELECT count(*) FROM search_reindex")).scalar() >= 2
    with engine.connect() as conn:  # still the old scope: nothing rebuilt it yet
        circles = conn.execute(
            select(search_text.c.circle).where(search_text.c.text.contains(example))
        ).scalars()
        assert list(circles) == [BETA]
    upgrade(engine)
    with engine.connect() as conn:
        circles = conn.execute(
            select(search_text.c.circle).where(search_text.c.text.contains(example))
        ).scalars()
        assert [access.circle_names(c) for c in circles] == [{ALPHA, BETA}]
        assert conn.execute(text("SELECT count(*) FROM search_reindex")).scalar() == 0


# ---------------------------------------------------------------- finding 3: relations


def test_relations_to_hidden_targets_are_left_out(client, cases):
    related = cases.ids["related"]
    hidden = {cases.ids["restricted"], cases.sense_ids["alpha"]}
    for person in OUTSIDERS:
        entry = client.get(
            f"/api/dictionaries/demo/entries/{related}", headers=cases.headers(person)
        ).json()
        assert [r["target_id"] for r in entry["relations"]] == [cases.ids["nested"]]
        # labelled with the target's headword now, not the label stored with the relation
        assert entry["relations"][0]["target_headword"] == cases.words["nested_hw"]
        assert not hidden & {r["target_id"] for r in entry["relations"]}
    entry = client.get(
        f"/api/dictionaries/demo/entries/{related}", headers=cases.headers("insider")
    ).json()
    assert [r["target_id"] for r in entry["relations"]] == [
        cases.ids["restricted"], cases.sense_ids["alpha"], cases.ids["nested"],
    ]  # fmt: skip
    assert [r["target_headword"] for r in entry["relations"]] == [
        cases.words["restricted_hw"], cases.words["nested_hw"], cases.words["nested_hw"],
    ]  # fmt: skip


def test_saving_what_one_sees_keeps_relations_one_cannot(client, cases, session, dictionary):
    related = cases.ids["related"]
    headers = cases.headers("editor_outside")
    seen = client.get(f"/api/dictionaries/demo/entries/{related}", headers=headers).json()
    seen["senses"][0]["glosses"]["en"] = "gladefern renewed"
    # a forged relation to the hidden entry is not the editor's to write
    seen["relations"].append({"type": "antonym", "target_id": cases.ids["restricted"]})
    saved = client.put(f"/api/dictionaries/demo/entries/{related}", json=seen, headers=headers)
    assert saved.status_code == 200, saved.text
    assert cases.words["restricted_hw"] not in saved.text
    full = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=related, viewer=Viewer(is_admin=True)
    )
    assert sorted((r["type"], r["target_id"]) for r in full["relations"]) == sorted(
        [
            ("synonym", cases.ids["restricted"]),
            ("compare", cases.sense_ids["alpha"]),
            ("compare", cases.ids["nested"]),
        ]
    )


def test_accepting_a_proposal_keeps_relations_its_author_could_not_see(
    client, cases, session, dictionary
):
    related = cases.ids["related"]
    headers = cases.headers("contributor")
    seen = client.get(f"/api/dictionaries/demo/entries/{related}", headers=headers).json()
    assert [r["target_id"] for r in seen["relations"]] == [cases.ids["nested"]]
    seen["senses"][0]["glosses"]["en"] = "gladefern proposed"
    proposed = client.put(f"/api/dictionaries/demo/entries/{related}", json=seen, headers=headers)
    assert proposed.status_code == 202, proposed.text
    listed = client.get("/api/dictionaries/demo/proposals", headers=cases.headers("editor_outside"))
    assert cases.words["restricted_hw"] not in listed.text
    assert cases.ids["restricted"] not in listed.text
    number = proposed.json()["id"]
    done = client.post(
        f"/api/dictionaries/demo/proposals/{number}/accept", headers=cases.owner.headers
    )
    assert done.status_code == 200, done.text
    session.commit()  # end the read snapshot, to see what the request wrote
    full = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=related, viewer=Viewer(is_admin=True)
    )
    assert full["senses"][0]["glosses"]["en"] == "gladefern proposed"
    assert sorted(r["target_id"] for r in full["relations"]) == sorted(
        [cases.ids["restricted"], cases.sense_ids["alpha"], cases.ids["nested"]]
    )


def test_restoring_a_revision_keeps_relations_the_restorer_cannot_see(
    client, cases, session, dictionary
):
    """Revision 2 of the public `nested` entry adds a relation to the restricted entry; an
    editor outside the circle restores revision 1: the relation stays, and is not shown."""
    nested = cases.ids["nested"]
    full = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=nested, viewer=Viewer(is_admin=True)
    )
    full["relations"] = [{"type": "synonym", "target_id": cases.ids["restricted"]}]
    editing.update_entry(
        session=session, dictionary=dictionary, entry_id=nested, data=full,
        version=full["version"], editor=cases.owner.email,
    )  # fmt: skip
    session.commit()
    done = client.post(
        f"/api/dictionaries/demo/entries/{nested}/revisions/1/restore",
        headers=cases.headers("editor_outside"),
    )
    assert done.status_code == 200, done.text
    assert cases.ids["restricted"] not in done.text
    assert cases.words["restricted_hw"] not in done.text
    session.commit()
    full = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=nested, viewer=Viewer(is_admin=True)
    )
    assert [r["target_id"] for r in full["relations"]] == [cases.ids["restricted"]]


# ---------------------------------------------------------------- finding 13: has_audio


def test_has_audio_counts_only_recordings_the_viewer_may_hear(client, cases):
    def audio(person, word):
        found = client.get(
            "/api/dictionaries/demo/search", params={"q": word}, headers=cases.headers(person)
        ).json()["items"]
        browsed = client.get(
            "/api/dictionaries/demo/browse", params={"letter": word[0]},
            headers=cases.headers(person),
        ).json()["items"]  # fmt: skip
        return [i["has_audio"] for i in found] + [
            i["has_audio"] for i in browsed if i["headword_text"] == word
        ]

    for person in ("anonymous", "viewer", "beta_only"):
        assert audio(person, cases.words["soundless_hw"]) == [False, False], person
        assert audio(person, "liwulo") == [True, True], person
    assert audio("insider", cases.words["soundless_hw"]) == [True, True]


def test_keepers_list_counts_hidden_parts_as_missing(client, cases):
    """The keepers' "missing audio/example/gloss" filters never tell that a hidden part
    exists: for someone outside the circles, what is hidden is missing."""

    def listed(person, missing):
        page = client.get(
            "/d/demo/edit/", params={"missing": missing}, headers=cases.headers(person)
        )
        assert page.status_code == 200, page.text[:300]
        return {name for name, entry_id in cases.ids.items() if entry_id in page.text}

    for person in ("contributor", "editor_outside"):
        assert "soundless" in listed(person, "audio")  # its only recording is hidden
        assert "voiced" not in listed(person, "audio")
        assert "nested" in listed(person, "example")  # its only example is hidden
    assert "soundless" not in listed("owner", "audio")
    assert "nested" not in listed("owner", "example")
    assert "nested" not in listed("contributor", "gloss")  # its public sense has a gloss


# ---------------------------------------------------------------- media


@pytest.mark.parametrize("what", ["recording", "picture"])
def test_hidden_media_urls_are_refused(client, cases, what):
    sha = cases.shas[what]
    for person in OUTSIDERS:
        for suffix in ("", "/original"):
            answer = client.get(f"/media/demo/{sha}{suffix}", headers=cases.headers(person))
            assert answer.status_code in (403, 404), (person, suffix, answer.status_code)
    answer = client.get(f"/media/demo/{sha}", headers=cases.headers("insider"))
    assert answer.status_code == 200
    public = client.get(f"/media/demo/{cases.shas['public_recording']}")
    assert public.status_code == 200


# ---------------------------------------------------------------- finding 15: proposals total


def test_proposal_total_counts_only_proposals_the_caller_may_see(
    client, cases, session, dictionary
):
    insider = make_user(session, "elder@example.org", "contributor", dictionary, [ALPHA])
    author = accounts.viewer_for_user(session=session, user=insider.user)
    review.propose(
        session=session, dictionary=dictionary, viewer=author, action="update",
        entry_id=cases.ids["restricted"],
        data={"headword": {"seh": cases.words["restricted_hw"]}, "version": 1},
    )  # fmt: skip
    review.propose(
        session=session, dictionary=dictionary, viewer=author, action="create",
        data={"headword": {"seh": "wonekera"}},
    )  # fmt: skip
    listed = client.get(
        "/api/dictionaries/demo/proposals", headers=cases.headers("editor_outside")
    ).json()
    assert [i["data"]["headword"] for i in listed["items"]] == [{"seh": "wonekera"}]
    assert listed["total"] == 1
    listed = client.get("/api/dictionaries/demo/proposals", headers=cases.owner.headers).json()
    assert listed["total"] == 2 and len(listed["items"]) == 2
    listed = client.get(
        "/api/dictionaries/demo/proposals", params={"limit": 1}, headers=insider.headers
    ).json()
    assert listed["total"] == 2 and len(listed["items"]) == 1 and listed["next"]


@pytest.mark.parametrize("person", ("contributor", "editor_outside"))
def test_a_stale_write_answers_409_without_relations_to_hidden_targets(
    client, cases, session, dictionary, person
):
    """A 409's `current` (API and the editor's conflict view) is the entry as the writer may see
    it now: a relation to a target hidden from them is left out there too."""
    related = cases.ids["related"]
    full = client.get(
        f"/api/dictionaries/demo/entries/{related}", headers=cases.owner.headers
    ).json()
    full["senses"][0]["glosses"]["en"] = "gladefern again"
    bumped = client.put(
        f"/api/dictionaries/demo/entries/{related}", json=full, headers=cases.owner.headers
    )
    assert bumped.status_code == 200, bumped.text
    headers = cases.headers(person)
    seen = client.get(f"/api/dictionaries/demo/entries/{related}", headers=headers).json()
    stale = {**seen, "version": seen["version"] - 1}
    answers = {
        "put": client.put(f"/api/dictionaries/demo/entries/{related}", json=stale, headers=headers),
        "delete": client.request(
            "DELETE",
            f"/api/dictionaries/demo/entries/{related}",
            headers={**headers, "If-Match": f'"{stale["version"]}"'},
        ),
    }
    for how, answer in answers.items():
        assert answer.status_code == 409, (how, answer.text)
        current = answer.json()["current"]
        assert [r["target_id"] for r in current["relations"]] == [cases.ids["nested"]], how
        hidden = {cases.ids["restricted"], cases.sense_ids["alpha"], cases.words["restricted_hw"]}
        assert not [h for h in hidden if h in answer.text], how
