"""A dictionary's texts travel in its LIFT and JSON exports (beside the dictionary file in the
zip, recordings under audio/) and come back from that zip: measured by the same fact
comparison as the texts' own round trips; only what the exporter may see leaves."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from lexicon import editing, texts
from lexicon.accounts.access import ANONYMOUS, Viewer
from lexicon.errors import ImportRejected
from lexicon.io.elan.facts import eaf_facts
from lexicon.io.exporter import ExportRefused, export_dictionary
from lexicon.io.flextext.facts import flextext_facts
from lexicon.io.importer import import_file
from lexicon.io.textgrid.facts import textgrid_facts
from lexicon.io.texts import read_texts, write_text
from lexicon.media import audio
from lexicon.media.storage import LocalStorage
from lexicon.models import Entry

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "texts"
KICHWA = FIXTURES / "kichwa-ch2" / "kichwa_ch2_excerpt.eaf"
BOBBY = FIXTURES / "praatio-en" / "bobby_words.TextGrid"
BOBBY_WAV = FIXTURES / "praatio-en" / "bobby.wav"
FLEX = FIXTURES / "sil-flextext" / "FullyAnalyzed.flextext"
FACTS = {"eaf": eaf_facts, "textgrid": textgrid_facts, "flextext": flextext_facts}
SOURCES = {"eaf": KICHWA, "textgrid": BOBBY, "flextext": FLEX}


def fact_ratio(before: set, after: set) -> float:
    return len(before & after) / len(before | after)


def new_dictionary(session, slug: str):
    return editing.create_dictionary(
        session=session,
        data={"slug": slug, "title": slug, "language_code": "qu", "vernacular_ws": ["qu"],
              "analysis_ws": ["es", "en"]},
    )  # fmt: skip


def fill(session, storage, dictionary) -> dict[str, str]:
    """One text from each format (the TextGrid with its recording); {format: text id}."""
    editing.create_entry(session=session, dictionary=dictionary,
                         data={"headword": {"qu": "punlla"}, "senses": [{"glosses": {"es": "día"}}]})  # fmt: skip
    ids = {}
    for fmt, path in SOURCES.items():
        data = read_texts(path)[0]
        data["title"] = data.get("title") or {"en": path.stem}
        audio = {}
        if fmt == "textgrid":
            audio = {"audio_file": io.BytesIO(BOBBY_WAV.read_bytes()), "audio_name": "bobby.wav"}
        ids[fmt] = texts.import_text(session=session, storage=storage, dictionary=dictionary,
                                     data=data, **audio)["id"]  # fmt: skip
    return ids


@pytest.mark.parametrize("fmt", ["lift", "json"])
def test_texts_come_back_from_the_export_zip(fmt, session, tmp_path):
    storage = LocalStorage(tmp_path / "media")
    source = new_dictionary(session, "source")
    ids = fill(session, storage, source)
    out = export_dictionary(session=session, dictionary=source, format=fmt,
                            dest=tmp_path / "out.zip", storage=storage)  # fmt: skip
    names = zipfile.ZipFile(out).namelist()
    assert "audio/bobby.wav" in names
    if fmt == "lift":  # beside the .lift: a FLExText per text for FLEx, and Wordkeep's shape
        assert "texts/texts.json" in names
        assert sum(n.endswith(".flextext") for n in names) == 3
    else:  # inside the JSON document
        doc = json.loads(zipfile.ZipFile(out).read("source.json"))
        assert sorted(t["id"] for t in doc["texts"]) == sorted(ids.values())
    target = new_dictionary(session, "target")
    dry = import_file(session=session, dictionary=target, path=out, format=fmt, storage=storage,
                      dry_run=True)  # fmt: skip
    assert dry.texts == {"read": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert texts.list_texts(session=session, dictionary=target) == []
    report = import_file(session=session, dictionary=target, path=out, format=fmt, storage=storage)
    assert report.texts == {"read": 3, "created": 3, "updated": 0, "unchanged": 0}
    stored = [texts.read_text(session=session, dictionary=target, text_id=t["id"])
              for t in texts.list_texts(session=session, dictionary=target)]  # fmt: skip
    assert {t["extra"]["source_id"] for t in stored} == set(ids.values())  # ids taken by source
    for kind, path in SOURCES.items():
        residue = {"eaf": "elan"}.get(kind, kind)  # extra.<format> (docs/text-shape.md)
        text = next(t for t in stored if residue in t["extra"])
        ratio = fact_ratio(FACTS[kind](path.read_bytes(), path.name),
                           FACTS[kind](write_text(text, kind), path.name))  # fmt: skip
        assert ratio >= 0.999, (kind, ratio)
        if kind == "textgrid":
            assert text["media"]["duration"] == pytest.approx(1.195, abs=0.05)
    # The same zip again: nothing changes.
    again = import_file(session=session, dictionary=target, path=out, format=fmt, storage=storage)
    assert again.texts == {"read": 3, "created": 0, "updated": 0, "unchanged": 3}
    # A text changed here since: the dry run says it would be updated, and the import does it.
    first = texts.list_texts(session=session, dictionary=target)[0]
    current = texts.read_text(session=session, dictionary=target, text_id=first["id"])
    texts.update_text(session=session, dictionary=target, text_id=first["id"],
                      data=dict(current, genre="changed"), version=current["version"])  # fmt: skip
    dry = import_file(session=session, dictionary=target, path=out, format=fmt, storage=storage,
                      dry_run=True)  # fmt: skip
    assert dry.texts == {"read": 3, "created": 0, "updated": 1, "unchanged": 2}
    done = import_file(session=session, dictionary=target, path=out, format=fmt, storage=storage)
    assert done.texts == dry.texts
    back = texts.read_text(session=session, dictionary=target, text_id=first["id"])
    assert back["genre"] != "changed" and back["version"] == current["version"] + 2


def tone(path: Path, seconds: float) -> bytes:
    audio.write_tone(path, container="wav", codec="pcm_s16le", lead=0.2, tone=seconds - 0.4,
                     tail=0.2)  # fmt: skip
    return path.read_bytes()


def guarded(session, storage, dictionary, tmp_path) -> None:
    """A public text with a segment restricted to the elders, and a text only they see."""
    segments = [
        {"start": 0.1, "end": 0.9, "text": {"qu": "sunlitword"}, "translation": {"es": "sol"}},
        {"start": 1.0, "end": 1.8, "text": {"qu": "hiddenmoss"}, "translation": {"es": "musgo"},
         "visibility": "restricted", "circle": "elders"},
    ]  # fmt: skip
    texts.import_text(session=session, storage=storage, dictionary=dictionary,
                      data={"title": {"es": "Abierto"}, "segments": segments},
                      audio_file=io.BytesIO(tone(tmp_path / "t.wav", 2.5)), audio_name="t.wav")  # fmt: skip
    texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"es": "secretgrove"}, "visibility": "restricted", "circle": "elders",
        "segments": [{"text": {"qu": "darkfern"}, "translation": {"es": "helecho"}}]})  # fmt: skip


@pytest.mark.parametrize("fmt", ["lift", "json"])
def test_only_what_the_exporter_may_see_leaves(fmt, session, tmp_path):
    storage = LocalStorage(tmp_path / "media")
    d = new_dictionary(session, "guarded")
    guarded(session, storage, d, tmp_path)
    outside = Viewer(user_id=7, roles={d.id: "viewer"})
    elder = Viewer(user_id=8, roles={d.id: "viewer"}, circles={d.id: {"elders"}})
    for who, sees in ((ANONYMOUS, False), (outside, False), (elder, True), (None, True)):
        out = export_dictionary(session=session, dictionary=d, format=fmt, storage=storage,
                                dest=tmp_path / f"{fmt}-{id(who)}.zip", viewer=who)  # fmt: skip
        with zipfile.ZipFile(out) as zf:
            blob = b"".join(zf.read(n) for n in zf.namelist())
            names = zf.namelist()
        assert b"sunlitword" in blob
        for word in (b"hiddenmoss", b"darkfern", b"secretgrove", b"musgo"):
            assert (word in blob) == sees, (who, word)
        # The long recording holds the hidden segment's speech: it stays home.
        assert any(n.startswith("audio/") for n in names) == sees, who


def test_a_plain_json_with_recorded_texts_is_refused(session, tmp_path):
    storage = LocalStorage(tmp_path / "media")
    d = new_dictionary(session, "plainjson")
    texts.create_text(session=session, dictionary=d, data={
        "title": {"es": "Sin audio"}, "segments": [{"text": {"qu": "rimay"}}]})  # fmt: skip
    plain = export_dictionary(session=session, dictionary=d, format="json", storage=storage,
                              dest=tmp_path / "d.json")  # fmt: skip
    assert json.loads(plain.read_text())["texts"][0]["segments"][0]["text"] == {"qu": "rimay"}
    guarded(session, storage, d, tmp_path)
    with pytest.raises(ExportRefused, match=r"audio/t\.wav.*d2\.zip"):
        export_dictionary(session=session, dictionary=d, format="json", storage=storage,
                          dest=tmp_path / "d2.json")  # fmt: skip
    assert not (tmp_path / "d2.json").exists()


def test_a_broken_text_in_the_package_writes_nothing(session, tmp_path):
    d = new_dictionary(session, "broken")
    doc = {"format": "wordkeep-dictionary", "version": 1, "dictionary": {},
           "entries": [{"headword": {"qu": "wasi"}}],
           "texts": [{"title": {"es": "Mal"}, "segments": [{"start": 2.0, "end": 1.0}]}]}  # fmt: skip
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ImportRejected, match=r"broken\.json: text 1 \('Mal'\): segments\.0"):
        import_file(session=session, dictionary=d, path=path)
    assert texts.list_texts(session=session, dictionary=d) == []
    assert session.exec(select(Entry).where(Entry.dictionary_id == d.id)).all() == []


def test_a_plain_lift_with_texts_is_refused_and_one_without_stays_plain(session, tmp_path):
    d = new_dictionary(session, "plainlift")
    editing.create_entry(session=session, dictionary=d, data={"headword": {"qu": "wasi"}})
    plain = export_dictionary(
        session=session, dictionary=d, format="lift", dest=tmp_path / "a.lift"
    )
    assert not zipfile.is_zipfile(plain)
    texts.create_text(session=session, dictionary=d, data={
        "title": {"es": "Cuento"}, "segments": [{"text": {"qu": "rimay"}}]})  # fmt: skip
    with pytest.raises(ExportRefused, match=r"texts/.*b\.zip"):
        export_dictionary(session=session, dictionary=d, format="lift", dest=tmp_path / "b.lift")
    assert not (tmp_path / "b.lift").exists()
