"""api.forms: the keepers' entry form's posted pairs -> the entry dict, the entry -> the form the
editor renders -> the same entry again, and the settings form -> a dictionary update."""

from __future__ import annotations

import pytest

from api import forms
from lexicon import editing, entries
from lexicon.accounts.access import Viewer
from tests.api.test_editor import login
from tests.factories import posted_fields

PAIRS = [
    ("csrf_token", "t0ken"),
    ("_action", "save"),
    ("version", "3"),
    ("headword.seh", " nyumba "),
    ("headword.seh-fonipa", ""),
    ("part_of_speech", "n"),
    ("status", "published"),
    ("visibility", "community"),
    ("pron.0.id", "p1"),
    ("pron.0.ipa", "ɲumba"),
    ("pron.0.media", "ab" * 32),
    ("pron.0.notes", "1"),
    ("pron.0.speaker", "Ana"),
    ("pron.0.consent_publish", "yes"),
    ("pron.0.consent_speech_tools", "no"),
    ("pron.0.speaker_named", "1"),
    ("pron.1.ipa", "gone"),
    ("pron.1.remove", "1"),
    ("sense.1.gloss.en", "home"),
    ("sense.0.gloss.en", "house"),
    ("sense.0.def.en", "a building to live in"),
    ("sense.0.domains", "6.5.1 Building; 6.5.1 Building\n6.5 Dwelling"),
    ("sense.0.part_of_speech", ""),
    ("sense.0.visibility", "restricted"),
    ("sense.0.circle", "elders"),
    ("sense.0.ex.0.text.seh", "Nyumba yanga."),
    ("sense.0.ex.0.tr.en", "My house."),
    ("sense.0.ex.0.source", "Field notes"),
    ("sense.0.ex.1.text.seh", "removed"),
    ("sense.0.ex.1.remove", "1"),
    ("sense.2.gloss.en", ""),  # an empty sense is left out
    ("note.0.type", "general"),
    ("note.0.text.en", "Also a family."),
    ("note.1.text.en", ""),
    ("variant.0.type", "dialect"),
    ("variant.0.form.seh", "nyumba\u0301"),
    ("rel.0.type", ""),
    ("rel.0.target_id", "e9"),
    ("rel.0.target_headword", "mudzi"),
]


def test_pairs_to_entry():
    form = forms.parse_form(PAIRS)
    assert "csrf_token" not in form and "_action" not in form
    assert forms.form_version(form) == 3
    assert forms.form_version(forms.parse_form([("version", "")])) is None
    entry = forms.entry_from_form(form)
    assert entry["headword"] == {"seh": "nyumba"}
    assert (entry["part_of_speech"], entry["status"]) == ("n", "published")
    assert entry["visibility"] == "community"
    [pron] = entry["pronunciations"]
    assert pron["id"] == "p1" and pron["ipa"] == "ɲumba"
    assert pron["media"] == {"sha256": "ab" * 32}
    assert (pron["speaker"], pron["consent_publish"], pron["consent_speech_tools"]) == (
        "Ana", True, False,
    )  # fmt: skip
    assert pron["speaker_named"] is True
    house, home = entry["senses"]
    assert house["glosses"] == {"en": "house"}
    assert house["definitions"] == {"en": "a building to live in"}
    assert house["semantic_domains"] == ["6.5.1 Building", "6.5 Dwelling"]
    assert house["part_of_speech"] is None
    assert (house["visibility"], house["circle"]) == ("restricted", "elders")
    [example] = house["examples"]
    assert example["text"] == {"seh": "Nyumba yanga."}
    assert example["translations"] == {"en": "My house."}
    assert example["source"] == "Field notes"
    assert home["glosses"] == {"en": "home"} and home["examples"] == []
    assert entry["notes"] == [{"type": "general", "text": {"en": "Also a family."}}]
    # the posted text is NFC: n + combining acute becomes one character
    assert entry["variants"] == [{"form": {"seh": "nyumb\u00e1"}, "type": "dialect", "extra": {}}]
    assert entry["relations"] == [
        {"type": "see", "target_id": "e9", "target_headword": "mudzi", "extra": {}}
    ]


def test_repeated_names_take_the_last_value_and_the_base_fills_what_the_form_hides():
    base = {
        "id": "e1",
        "version": 2,
        "headword": {"seh": "old", "pt": "velho"},
        "citation": {"seh": "cit"},
        "senses": [{"id": "s1", "glosses": {"en": "old"}, "pictures": [{"id": "pic"}]}],
    }
    form = forms.parse_form(
        [("headword.seh", "a"), ("headword.seh", "b"), ("sense.0.id", "s1"),
         ("sense.0.gloss.en", "")]
    )  # fmt: skip
    entry = forms.entry_from_form(form, base)
    assert "id" not in entry and "version" not in entry
    assert entry["headword"] == {"seh": "b", "pt": "velho"}
    assert entry["citation"] == {"seh": "cit"}
    # the gloss is cleared but the sense stays: it still has a picture
    [sense] = entry["senses"]
    assert sense["id"] == "s1" and sense["glosses"] == {} and sense["pictures"] == [{"id": "pic"}]


SHOWN = ("headword", "part_of_speech", "status", "visibility", "senses", "pronunciations",
         "notes", "variants", "relations")  # fmt: skip


def test_entry_to_form_to_entry_round_trip(client, session, dictionary, owner):
    login(client, owner.email)
    target = editing.create_entry(
        session=session, dictionary=dictionary, data={"headword": {"seh": "mudzi"}}
    )
    data = {
        "headword": {"seh": "nyumba"},
        "part_of_speech": "n",
        "status": "published",
        "citation": {"seh": "nyumba"},
        "pronunciations": [{"ipa": "ɲumba"}],
        "senses": [
            {
                "glosses": {"en": "house", "pt": "casa"},
                "definitions": {"en": "a building"},
                "semantic_domains": ["6.5.1 Building"],
                "examples": [
                    {
                        "text": {"seh": "Nyumba yanga."},
                        "translations": {"en": "My house."},
                        "source": "notes",
                    }
                ],
            },  # fmt: skip
            {"glosses": {"en": "home"}},
        ],
        "notes": [{"type": "general", "text": {"en": "A note."}}],
        "variants": [{"form": {"seh": "nyumb"}, "type": "dialect"}],
        "relations": [{"type": "synonym", "target_id": target["id"], "target_headword": "mudzi"}],
    }
    made = editing.create_entry(session=session, dictionary=dictionary, data=data)
    page = client.get(f"/d/demo/edit/entries/{made['id']}")
    assert page.status_code == 200
    form = forms.parse_form(posted_fields(page.text, form_id="entry-form"))
    assert forms.form_version(form) == made["version"]
    viewer = Viewer(is_admin=True)
    stored = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=made["id"], viewer=viewer
    )
    base = editing.opened_version(
        session=session, dictionary=dictionary, entry_id=made["id"], version=made["version"],
        viewer=viewer,
    )  # fmt: skip
    again = forms.entry_from_form(form, base)
    for key in SHOWN:
        assert again.get(key) == base.get(key), key
    assert again["citation"] == stored["citation"]  # not on the form: carried over


def test_settings_form():
    form = {
        "title": " Sena ",
        "language_name": "Sena",
        "vernacular_ws": "seh, seh-fonipa",
        "analysis_ws": "en pt",
        "letters": "a b ch\nNg ng\nŋ",
        "ignore": "-",
        "confusables": "ŋ=ng",
        "visibility": "public",
        "default_entry_visibility": "community",
    }
    changes = forms.settings_changes(form)
    assert changes["title"] == "Sena"
    assert changes["vernacular_ws"] == ["seh", "seh-fonipa"]
    assert changes["alphabet"] == {
        "letters": ["a", "b", "ch", "Ng ng", "ŋ"],
        "ignore": ["-"],
        "confusables": [["ŋ", "ng"]],
    }
    # the alphabet written back into the form reads as the same alphabet
    text = forms.alphabet_text(changes["alphabet"])
    assert text == "a b ch\nNg ng\nŋ"
    assert forms.alphabet_config(text, "-", "ŋ=ng") == changes["alphabet"]
    with pytest.raises(forms.SettingsInvalid) as bad:
        forms.settings_changes({**form, "title": "", "analysis_ws": "e_n", "visibility": "x"})
    assert set(bad.value.details["errors"]) == {"title", "analysis_ws", "visibility"}


def test_sort_preview():
    preview = forms.sort_preview(letters="a b ch c", ignore="", words="cha\nca\nba\n\nab")
    assert [w["word"] for w in preview["words"]] == [
        "ab",
        "ba",
        "cha",
        "ca",
    ]  # ch is a letter, before c
    assert preview["error"] is None
