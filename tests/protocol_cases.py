"""The protocol cases of issue 16, built once for every test that walks read paths.

`build_cases(client, session, dictionary, owner)` fills the `demo` dictionary (conftest) with:

- nested circles: a public entry whose sense is restricted to circle `alpha` and holds an
  example and a subsense restricted to circle `beta` (only members of both see those);
- an entry restricted to `alpha`;
- a public entry related to the restricted entry and to the restricted sense above;
- a public entry whose only recording is restricted to `alpha`;
- a public entry with a picture (itself public) in a sense restricted to `alpha`;
- a history case: a public sense made restricted in revision 2, and a second restricted sense
  added in revision 3 (for restore and old-revision tests).

Every hidden part carries a word found nowhere else (plain ASCII, so HTML, JSON, URLs and PDF
text keep it). `Cases.hidden_from(person)` lists the words a person must never meet, and
`Cases.seen_by(person)` those they must meet, so a walk that finds nothing cannot pass by
accident. People: `anonymous` (no headers), `viewer` (member, no circle), `beta_only` (member
of `beta`, not of `alpha`), `insider` (member of both), `editor_outside` (editor, no circle),
`contributor` (no circle). The owner sees everything.

Use it from a test module as a fixture:

    from tests.protocol_cases import protocol  # noqa: F401  (the fixture)

    def test_x(client, protocol): ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from lexicon import editing, entries
from lexicon.accounts.access import Viewer
from tests.api.test_leaks import tone_wav
from tests.conftest import FIXTURES, make_user

PICTURE = FIXTURES / "lift-biatah" / "pictures" / "waterBasket1.png"
ALPHA, BETA = "alpha", "beta"

# Visible to everyone (the walks check these are there, so a broken route cannot pass).
PUBLIC_WORDS = {
    "nested_hw": "kholamba",
    "nested_gloss": "openlark",
    "related_hw": "mzindiko",
    "soundless_hw": "pilikanya",
    "pictured_hw": "chithunzo",
    "history_hw": "kalekale",
}
# Hidden from everyone outside `alpha` (the insider sees them).
ALPHA_WORDS = {
    "nested_sense": "amberfinch",  # the alpha sense's gloss
    "restricted_hw": "ndakubisa",  # the restricted entry's headword
    "restricted_gloss": "mossharbor",
    "restricted_pos": "burrowverb",  # a part of speech only the restricted entry uses
    "recording_ipa": "ziwandaka",  # the hidden recording's transcription
    "picture_caption": "saltlantern",
    "pictured_sense": "cinderfox",
    "history_first": "oldquarry",  # public in revision 1, restricted from revision 2
    "history_second": "latebrook",  # added restricted in revision 3
    "sense_target_label": "quietsorrel",  # the stored label of the relation to the sense
}
# Inside the alpha sense and restricted to `beta`: hidden from beta-only members too.
NESTED_WORDS = {
    "example_text": "mbalambanda",
    "example_translation": "thistlegate",
    "subsense_gloss": "copperwren",
}


@dataclass
class Cases:
    ids: dict  # entry ids by case name
    sense_ids: dict  # alpha sense, subsense, pictured sense, history senses
    example_ids: dict
    shas: dict  # "recording", "picture", "public_recording"
    people: dict  # name -> SimpleNamespace(user, email, token, headers); "anonymous" -> None
    owner: SimpleNamespace
    words: dict = field(default_factory=dict)  # every word above, by name

    def headers(self, person: str) -> dict:
        who = self.people.get(person)
        return who.headers if who is not None else {}

    def hidden_from(self, person: str) -> set[str]:
        if person in ("owner", "insider"):
            return set()
        return set(ALPHA_WORDS.values()) | set(NESTED_WORDS.values())

    def seen_by(self, person: str) -> set[str]:
        seen = set(PUBLIC_WORDS.values())
        if person in ("owner", "insider"):
            seen |= set(ALPHA_WORDS.values()) - {"quietsorrel"}  # the label is replaced
            seen |= set(NESTED_WORDS.values())
        return seen

    def hidden_ids(self, person: str) -> set[str]:
        """Ids a person must never meet (entries, senses, examples)."""
        if person in ("owner", "insider"):
            return set()
        return {
            self.ids["restricted"],
            self.sense_ids["alpha"],
            self.sense_ids["subsense"],
            self.example_ids["nested"],
            self.sense_ids["pictured"],
        }


def _sense(gloss: str, **extra) -> dict:
    return {"glosses": {"en": gloss}, **extra}


def build_cases(client, session, dictionary, owner) -> Cases:
    """Build every protocol case in `dictionary` (slug `demo`) and return what was built."""
    admin = Viewer(is_admin=True)

    def create(data: dict) -> dict:
        return editing.create_entry(
            session=session, dictionary=dictionary, data=data, editor=owner.email
        )

    def full(entry_id: str) -> dict:
        return entries.read_entry(
            session=session, dictionary=dictionary, entry_id=entry_id, viewer=admin
        )

    people = {
        "anonymous": None,
        "viewer": make_user(session, "viewer@example.org", "viewer", dictionary),
        "beta_only": make_user(session, "beta@example.org", "viewer", dictionary, [BETA]),
        "insider": make_user(session, "insider@example.org", "viewer", dictionary, [ALPHA, BETA]),
        "editor_outside": make_user(session, "editor@example.org", "editor", dictionary),
        "contributor": make_user(session, "contrib@example.org", "contributor", dictionary),
    }
    ids, senses, examples = {}, {}, {}
    W = {**PUBLIC_WORDS, **ALPHA_WORDS, **NESTED_WORDS}

    nested = create(
        {
            "headword": {"seh": W["nested_hw"]},
            "senses": [
                _sense(W["nested_gloss"]),
                _sense(
                    W["nested_sense"],
                    visibility="restricted",
                    circle=ALPHA,
                    examples=[
                        {
                            "text": {"seh": W["example_text"]},
                            "translations": {"en": W["example_translation"]},
                            "visibility": "restricted",
                            "circle": BETA,
                        }
                    ],
                    subsenses=[_sense(W["subsense_gloss"], visibility="restricted", circle=BETA)],
                ),
            ],
        }
    )
    ids["nested"] = nested["id"]
    alpha_sense = nested["senses"][1]
    senses["alpha"] = alpha_sense["id"]
    senses["subsense"] = alpha_sense["subsenses"][0]["id"]
    examples["nested"] = alpha_sense["examples"][0]["id"]

    restricted = create(
        {
            "headword": {"seh": W["restricted_hw"]},
            "part_of_speech": W["restricted_pos"],
            "visibility": "restricted",
            "circle": ALPHA,
            "senses": [_sense(W["restricted_gloss"])],
        }
    )
    ids["restricted"] = restricted["id"]

    ids["related"] = create(
        {
            "headword": {"seh": W["related_hw"]},
            "senses": [_sense("gladefern")],
            "relations": [
                {
                    "type": "synonym",
                    "target_id": restricted["id"],
                    "target_headword": W["restricted_hw"],
                },
                {
                    "type": "compare",
                    "target_id": senses["alpha"],
                    "target_headword": W["sense_target_label"],
                },
                {"type": "compare", "target_id": nested["id"], "target_headword": "oldlabel"},
            ],
        }
    )["id"]

    ids["soundless"] = create(
        {"headword": {"seh": W["soundless_hw"]}, "senses": [_sense("hushmarten")]}
    )["id"]
    done = client.post(
        f"/api/dictionaries/{dictionary.slug}/entries/{ids['soundless']}/pronunciations",
        files={"file": ("hidden.wav", tone_wav(0.5, hz=660.0))},
        data={"ipa": W["recording_ipa"], "visibility": "restricted", "circle": ALPHA},
        headers=owner.headers,
    )
    assert done.status_code == 201, done.text
    recording = done.json()["pronunciations"][0]

    pictured = create(
        {
            "headword": {"seh": W["pictured_hw"]},
            "senses": [
                _sense("brightowl"),
                _sense(W["pictured_sense"], visibility="restricted", circle=ALPHA),
            ],
        }
    )
    ids["pictured"] = pictured["id"]
    senses["pictured"] = pictured["senses"][1]["id"]
    done = client.post(
        f"/api/dictionaries/{dictionary.slug}/entries/{ids['pictured']}"
        f"/senses/{senses['pictured']}/pictures",
        files={"file": ("basket.png", PICTURE.read_bytes())},
        data={"caption_en": W["picture_caption"], "visibility": "public"},
        headers=owner.headers,
    )
    assert done.status_code == 201, done.text
    picture = next(
        p for s in done.json()["senses"] if s["id"] == senses["pictured"] for p in s["pictures"]
    )

    # A public entry with a recording everyone may hear, to tell has_audio apart.
    ids["voiced"] = create({"headword": {"seh": "liwulo"}, "senses": [_sense("loudcrane")]})["id"]
    done = client.post(
        f"/api/dictionaries/{dictionary.slug}/entries/{ids['voiced']}/pronunciations",
        files={"file": ("open.wav", tone_wav(0.5, hz=330.0))},
        data={"ipa": "liwulo"},
        headers=owner.headers,
    )
    assert done.status_code == 201, done.text
    public_recording = done.json()["pronunciations"][0]

    # History: revision 1 public; revision 2 makes the first sense restricted; revision 3 adds
    # a second restricted sense.
    history = create({"headword": {"seh": W["history_hw"]}, "senses": [_sense(W["history_first"])]})
    ids["history"] = history["id"]
    history["senses"][0].update(visibility="restricted", circle=ALPHA)
    history["senses"].append(_sense("stillpond"))
    history = editing.update_entry(
        session=session, dictionary=dictionary, entry_id=history["id"], data=history,
        version=history["version"], editor=owner.email,
    )  # fmt: skip
    history["senses"].append(_sense(W["history_second"], visibility="restricted", circle=ALPHA))
    history = editing.update_entry(
        session=session, dictionary=dictionary, entry_id=history["id"], data=history,
        version=history["version"], editor=owner.email,
    )  # fmt: skip
    senses["history_first"] = history["senses"][0]["id"]
    senses["history_second"] = history["senses"][2]["id"]
    session.commit()
    assert full(ids["history"])["version"] == 3

    return Cases(
        ids=ids,
        sense_ids=senses,
        example_ids=examples,
        shas={
            "recording": recording["media"]["sha256"],
            "picture": picture["media"]["sha256"],
            "public_recording": public_recording["media"]["sha256"],
        },
        people=people,
        owner=owner,
        words=W,
    )


@pytest.fixture
def protocol(client, session, dictionary, owner) -> Cases:
    """The protocol cases, built in the `demo` dictionary (runs on every test database)."""
    cases = build_cases(client, session, dictionary, owner)
    cases.people["owner"] = owner
    return cases
