"""Who spoke a recording and the consent given (issue 24): stored, edited in the form, shown to
learners only when the speaker agreed to be named, and carried by LIFT, CLDF and MDF."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from api import forms
from lexicon import editing, entries, media
from lexicon.accounts.access import Viewer
from lexicon.io.exporter import export_dictionary
from lexicon.io.importer import import_file
from lexicon.media import audio
from lexicon.media.storage import LocalStorage

FIX = Path(__file__).parents[1] / "fixtures"
ADMIN = Viewer(is_admin=True)
NOTES = {
    "speaker": "Maria Tembo",
    "dialect": "Podzo",
    "place": "Caia",
    "recorded_on": "2024-05-01",
    "consent": "oral, recorded at the start of the session",
    "consent_publish": True,
    "consent_speech_tools": False,
    "speaker_named": True,
}
EX_NOTES = {**NOTES, "speaker": "João Banda", "consent_speech_tools": None, "place": ""}


@pytest.fixture
def storage(media_dir):
    return LocalStorage(media_dir)


@pytest.fixture
def recorded(session, storage, dictionary, tmp_path):
    """An entry with a recorded pronunciation and a recorded example, each with its notes."""
    wav = tmp_path / "tone.wav"
    audio.write_tone(wav, container="wav", codec="pcm_s16le")
    entry = editing.create_entry(
        session=session, dictionary=dictionary, editor="owner@example.org",
        data={"headword": {"seh": "nyumba"},
              "senses": [{"glosses": {"en": "house"}, "examples": [{"text": {"seh": "Nyumba."}}]}]},
    )  # fmt: skip
    with wav.open("rb") as fh:
        media.add_pronunciation_audio(
            session=session, storage=storage, dictionary=dictionary, entry_id=entry["id"],
            fileobj=fh, filename="nyumba.wav", fields={**NOTES, "ipa": "ɲumba"}, editor="owner",
        )  # fmt: skip
    example_id = entry["senses"][0]["examples"][0]["id"]
    wav = tmp_path / "sentence.wav"  # another file: CLDF keeps notes per media file
    audio.write_tone(wav, container="wav", codec="pcm_s16le", tone=1.2)
    with wav.open("rb") as fh:
        return media.add_example_audio(
            session=session, storage=storage, dictionary=dictionary, entry_id=entry["id"],
            example_id=example_id, fileobj=fh, filename="example.wav",
            fields={k: v for k, v in EX_NOTES.items() if v not in ("", None)}, editor="owner",
        )  # fmt: skip


def _notes(item: dict) -> dict:
    return {k: item.get(k) for k in NOTES}


def test_notes_are_stored_and_read_back(session, dictionary, recorded):
    session.expire_all()
    entry = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=recorded["id"], viewer=ADMIN
    )
    [pron] = entry["pronunciations"]
    assert _notes(pron) == NOTES and pron["ipa"] == "ɲumba"
    example = entry["senses"][0]["examples"][0]
    assert _notes(example["recording"]) == EX_NOTES
    assert "recording" not in example["extra"]  # its own field now, not import residue


def test_a_pronunciation_without_notes_has_the_defaults(session, dictionary):
    entry = editing.create_entry(
        session=session, dictionary=dictionary,
        data={"headword": {"seh": "madzi"}, "pronunciations": [{"ipa": "madzi"}]},
    )  # fmt: skip
    [pron] = entry["pronunciations"]
    assert pron["consent_publish"] is None and pron["consent_speech_tools"] is None
    assert pron["speaker_named"] is False and pron["speaker"] == ""


@pytest.mark.parametrize("fmt", ["lift", "cldf", "mdf"])
def test_export_and_import_carry_the_notes(fmt, session, storage, dictionary, recorded, tmp_path):
    out = export_dictionary(
        session=session, dictionary=dictionary, format=fmt, dest=tmp_path / "x.zip",
        storage=storage,
    )  # fmt: skip
    folder = tmp_path / "x"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(folder)
    source = {
        "lift": lambda: next(folder.glob("*.lift")),
        "cldf": lambda: folder / "cldf",
        "mdf": lambda: next(folder.glob("*.sfm")),
    }[fmt]()
    if fmt == "lift":
        rng = etree.RelaxNG(etree.parse(str(FIX / "lift-schema" / "lift-0.13.rng")))
        assert rng.validate(etree.parse(str(source))), rng.error_log.last_error
        tree = etree.parse(str(source))
        traits = {t.get("name"): t.get("value") for t in tree.iterfind(".//pronunciation/trait")}
        assert traits["speaker"] == "Maria Tembo" and traits["consent-publish"] == "yes"
    if fmt == "mdf":
        text = source.read_text(encoding="utf-8")
        assert "\\sf-speaker Maria Tembo" in text and "\\sfx-speaker João Banda" in text
    back = editing.create_dictionary(
        session=session, data={"slug": f"back-{fmt}", "title": "Back", "language_code": "seh",
                               "vernacular_ws": ["seh"], "analysis_ws": ["en", "pt"]},
    )  # fmt: skip
    import_file(session=session, dictionary=back, path=source, format=fmt, storage=storage)
    [entry] = entries.list_entries(session=session, dictionary=back, viewer=ADMIN)["items"]
    entry = entries.read_entry(session=session, dictionary=back, entry_id=entry["id"], viewer=ADMIN)
    recorded_prons = [p for p in entry["pronunciations"] if p["media"]]
    assert [_notes(p) for p in recorded_prons] == [NOTES]
    [example] = entry["senses"][0]["examples"]
    assert _notes(example["recording"]) == EX_NOTES
    # LIFT has no place yet for a recording made in Wordkeep of an example (FieldWorks puts it
    # in an audio writing system); CLDF and MDF bring the file back too.
    assert example["media"] or fmt == "lift"


def _form(entry: dict, **pron) -> dict:
    p = entry["pronunciations"][0]
    return {
        "version": str(entry["version"]),
        "headword": {"seh": "nyumba"},
        "status": "published",
        "pron": {"0": {"id": p["id"], "media": p["media"]["sha256"], "ipa": "ɲumba", **pron}},
        "sense": {"0": {"id": entry["senses"][0]["id"], "gloss": {"en": "house"}}},
    }


def test_the_form_sets_the_notes_and_keeps_them_when_not_shown(recorded):
    fields = {"notes": "1", "speaker": "Ana", "dialect": "", "place": "Sena",
              "recorded_on": "2023", "consent": "", "consent_publish": "no",
              "consent_speech_tools": "yes", "visibility": "community"}  # fmt: skip
    entry = forms.entry_from_form(_form(recorded, **fields), recorded)
    pron = entry["pronunciations"][0]
    assert _notes(pron) == {
        "speaker": "Ana", "dialect": "", "place": "Sena", "recorded_on": "2023", "consent": "",
        "consent_publish": False, "consent_speech_tools": True, "speaker_named": False,
    }  # fmt: skip
    assert pron["visibility"] == "community"
    # A form that did not show the notes (no `notes` field) keeps the stored ones.
    kept = forms.entry_from_form(_form(recorded), recorded)["pronunciations"][0]
    assert _notes(kept) == NOTES


def test_a_recording_the_speaker_did_not_agree_to_publish_cannot_be_public(recorded, dictionary):
    public = forms.entry_from_form(
        _form(recorded, notes="1", consent_publish="no", visibility="public"), recorded
    )
    errors = editing.validate(public, dictionary=dictionary)
    assert "pron.0.consent_publish" in errors
    assert "did not agree to publication" in str(errors["pron.0.consent_publish"])
    community = forms.entry_from_form(
        _form(recorded, notes="1", consent_publish="no", visibility="community"), recorded
    )
    assert editing.validate(community, dictionary=dictionary) == {}


def test_learners_see_spoken_by_only_when_the_speaker_may_be_named(
    client, session, dictionary, recorded
):
    page = client.get(f"/d/demo/entries/{recorded['id']}").text
    assert "Spoken by Maria Tembo" in page and "Spoken by João Banda" in page
    entry = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=recorded["id"], viewer=ADMIN
    )
    entry["pronunciations"][0]["speaker_named"] = False
    entry["senses"][0]["examples"][0]["recording"]["speaker_named"] = False
    editing.update_entry(
        session=session, dictionary=dictionary, entry_id=entry["id"], data=entry,
        version=entry["version"], editor="owner@example.org",
    )  # fmt: skip
    page = client.get(f"/d/demo/entries/{recorded['id']}").text
    assert "Maria Tembo" not in page and "João Banda" not in page  # not even in aria-label
    assert "<audio" in page


def test_migration_moves_an_examples_recording_notes_out_of_extra(tmp_path):
    """0018 gives examples a `recording` column and moves the notes an upload kept in
    `extra["recording"]` there (and back down again)."""
    from alembic import command
    from sqlalchemy import text
    from sqlmodel import Session

    from lexicon.db.engine import make_engine
    from lexicon.db.migrate import alembic_config
    from lexicon.operations.upgrade import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine)
    with Session(engine) as session:
        d = editing.create_dictionary(session=session, data={"slug": "m", "title": "M"})
        entry = editing.create_entry(
            session=session, dictionary=d,
            data={"headword": {"und": "x"}, "senses": [{"examples": [{"text": {"und": "y"}}]}]},
        )  # fmt: skip
    example_id = entry["senses"][0]["examples"][0]["id"]
    cfg = alembic_config(str(engine.url))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0017_nested_scopes")
        connection.execute(
            text("UPDATE example SET extra = :extra WHERE id = :id"),
            {"extra": '{"recording": {"speaker": "Ana"}, "lift": {"k": 1}}', "id": example_id},
        )
    upgrade(engine)
    with engine.connect() as connection:
        extra, recording = connection.execute(
            text("SELECT extra, recording FROM example WHERE id = :id"), {"id": example_id}
        ).one()
    assert json.loads(recording) == {"speaker": "Ana"} and json.loads(extra) == {"lift": {"k": 1}}
    engine.dispose()


def test_the_form_sets_an_examples_recording_notes(recorded, dictionary):
    example = recorded["senses"][0]["examples"][0]
    form = _form(recorded, notes="1")
    form["sense"]["0"]["ex"] = {
        "0": {
            "id": example["id"], "text": {"seh": "Nyumba."}, "visibility": "public",
            "rec": {"notes": "1", "speaker": "Rosa", "consent_publish": "no",
                    "consent_speech_tools": "", "speaker_named": "1"},
        }
    }  # fmt: skip
    entry = forms.entry_from_form(form, recorded)
    notes = entry["senses"][0]["examples"][0]["recording"]
    assert (notes["speaker"], notes["consent_publish"], notes["speaker_named"]) == (
        "Rosa", False, True,
    )  # fmt: skip
    assert notes["consent_speech_tools"] is None and notes["dialect"] == EX_NOTES["dialect"]
    errors = editing.validate(entry, dictionary=dictionary)
    assert list(errors) == ["sense.0.ex.0.rec.consent_publish"]  # public, but no consent


def test_an_example_recorded_in_wordkeep_goes_to_lift_and_comes_back(
    session, storage, dictionary, recorded, tmp_path
):
    """LIFT's example has no <media>: the recording goes out as FieldWorks writes one, an audio
    form of the sentence's language, its file under audio/, and a re-import attaches it."""
    out = export_dictionary(
        session=session, dictionary=dictionary, format="lift", dest=tmp_path / "x.zip",
        storage=storage, viewer=ADMIN,
    )  # fmt: skip
    folder = tmp_path / "o"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(folder)
    lift = etree.parse(str(next(folder.glob("*.lift"))))
    [form] = lift.findall(".//example/form[@lang='seh-Zxxx-x-audio']")
    assert (folder / "audio" / form.findtext("text")).is_file()
    other = editing.create_dictionary(
        session=session, data={"slug": "again", "title": "Again", "language_code": "seh"}
    )
    import_file(session=session, dictionary=other, path=folder, format="lift", storage=storage)
    [entry] = entries.list_entries(session=session, dictionary=other, viewer=ADMIN)["items"]
    example = entry["senses"][0]["examples"][0]
    assert example["media"]["sha256"] == recorded["senses"][0]["examples"][0]["media"]["sha256"]
    assert example["text"] == {"seh": "Nyumba."}
