"""FieldWorks/WeSay audio writing systems (`*-Zxxx-x-audio`): recordings in, recordings out."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import av
import pytest
from lxml import etree
from sqlalchemy import select

from lexicon import editing
from lexicon.io.exporter import export_dictionary
from lexicon.io.importer import import_file
from lexicon.io.lift.elements import is_audio_ws
from lexicon.io.lift.facts import lift_facts
from lexicon.io.lift.package import read_lift, write_lift
from lexicon.media.storage import LocalStorage
from lexicon.models import Media
from tests.factories import all_entries

FIX = Path(__file__).parents[2] / "fixtures"
SRC = FIX / "lift-audio-ws"
LIFT = SRC / "audio-ws.lift"
NYUMBA = "636791234567890123nyumba.wav"
IPA = "636791234567890124nyumba-ipa.wav"
EXAMPLE = "636791234567890125example.wav"
TRANSLATION = "636791234567890126translation.wav"
GLOSS = "636791234567890127gloss.wav"


def _sha(name: str) -> str:
    return hashlib.sha256((SRC / "audio" / name).read_bytes()).hexdigest()


def _rng():
    return etree.RelaxNG(etree.parse(str(FIX / "lift-schema" / "lift-0.13.rng")))


def _audio_forms(path: Path) -> list[tuple[str, str, str]]:
    """(parent tag, lang, file name) of every audio form, in document order."""
    tree = etree.parse(str(path))
    return [
        (f.getparent().tag, f.get("lang"), f.findtext("text"))
        for f in tree.iter("form", "gloss")
        if is_audio_ws(f.get("lang"))
    ]


def test_audio_ws_tags():
    assert is_audio_ws("seh-Zxxx-x-audio") and is_audio_ws("en-zxxx-x-audio")
    assert is_audio_ws("seh-Zxxx-1901-x-audio")
    assert not is_audio_ws("seh") and not is_audio_ws("seh-fonipa") and not is_audio_ws(None)


def test_fixture_is_valid_lift_the_way_flex_writes_it():
    assert _rng().validate(etree.parse(str(LIFT))), _rng().error_log.last_error
    assert len(_audio_forms(LIFT)) == 8


def test_reader_attaches_recordings_to_the_objects(tmp_path):
    with read_lift(LIFT) as doc:
        nyumba, madzi = doc.entries
        # The headword's recording is the entry's pronunciation recording, not headword text.
        assert nyumba["headword"] == {"seh": "nyumba"}
        first, ipa = nyumba["pronunciations"]
        assert first["media"]["href"] == NYUMBA and first["ipa"] == ""
        assert ipa["ipa"] == "ɲumba" and ipa["media"]["href"] == IPA
        sense = nyumba["senses"][0]
        assert sense["glosses"] == {"en": "house", "pt": "casa"}
        example = sense["examples"][0]
        assert example["text"] == {"seh": "Nyumba ndi yaing'ono."}
        assert example["media"]["href"] == EXAMPLE
        assert example["translations"] == {"en": "The house is small."}
        assert madzi["citation"] == {"seh": "madzi"}
        assert madzi["pronunciations"][0]["media"]["href"] == EXAMPLE
        found = {Path(m["path"]).name for m in doc.media if m["path"]}
        assert found == {NYUMBA, IPA, EXAMPLE, TRANSLATION, GLOSS}
        out = write_lift(doc, tmp_path / "out")
    assert lift_facts(LIFT) == lift_facts(out)
    assert sorted(_audio_forms(out)) == sorted(_audio_forms(LIFT))


@pytest.fixture
def storage(media_dir):
    return LocalStorage(media_dir)


def test_import_stores_recordings_and_export_writes_them_back(session, storage, tmp_path):
    d = editing.create_dictionary(
        session=session, data={"slug": "seh", "title": "Sena", "language_code": "seh"}
    )
    report = import_file(session=session, dictionary=d, path=LIFT, format="lift", storage=storage)
    assert report.media_added == 5 and report.media_missing == 0, report.warnings
    rows = {m.original_name: m for m in session.exec(select(Media)).scalars()}
    assert set(rows) == {NYUMBA, IPA, EXAMPLE, TRANSLATION, GLOSS}
    for name, row in rows.items():
        # The audio pipeline ran: archival original kept byte for byte, a web copy made.
        assert row.sha256 == _sha(name) and row.kind == "audio" and row.mime == "audio/wav"
        with storage.open(row.original_key) as fh:
            assert fh.read() == (SRC / "audio" / name).read_bytes()
        assert row.derivative_key and row.derivative_key != row.original_key
        with storage.open(row.derivative_key) as fh, av.open(fh) as web:
            assert web.streams.audio and row.derivative_mime.startswith("audio/")
        assert row.duration and 0.4 < row.duration < 1.3

    ents = {e["headword"]["seh"]: e for e in all_entries(session, d)}
    nyumba = ents["nyumba"]
    assert nyumba["pronunciations"][0]["media"]["sha256"] == _sha(NYUMBA)
    assert nyumba["pronunciations"][0]["media"]["url"]
    assert nyumba["pronunciations"][1]["media"]["sha256"] == _sha(IPA)
    sense = nyumba["senses"][0]
    assert sense["examples"][0]["media"]["sha256"] == _sha(EXAMPLE)
    kept = sense["extra"]["lift"]["audio"]
    assert kept["glosses"]["en-Zxxx-x-audio"]["sha256"] == _sha(GLOSS)
    tr = sense["examples"][0]["extra"]["lift"]["audio"]["translations"]["en-Zxxx-x-audio"]
    assert tr["sha256"] == _sha(TRANSLATION)
    assert ents["-madzi"]["pronunciations"][0]["media"]["sha256"] == _sha(EXAMPLE)

    out = export_dictionary(
        session=session, dictionary=d, format="lift", dest=tmp_path / "x.zip", storage=storage
    )
    folder = tmp_path / "o"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(folder)
    for name in (NYUMBA, IPA, EXAMPLE, TRANSLATION, GLOSS):
        assert (folder / "audio" / name).read_bytes() == (SRC / "audio" / name).read_bytes()
    lift = next(folder.glob("*.lift"))
    # Same tag, same writing system, same file name under audio/: FLEx finds its sounds again.
    assert sorted(_audio_forms(lift)) == sorted(_audio_forms(LIFT))
    assert lift_facts(LIFT) == lift_facts(lift)
    assert _rng().validate(etree.parse(str(lift))), _rng().error_log.last_error

    # The export comes back unchanged: the same recordings, nothing updated.
    again = import_file(session=session, dictionary=d, path=folder, format="lift", storage=storage)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2), again.warnings


def test_missing_recording_keeps_its_name(session, storage, tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.lift").write_bytes(LIFT.read_bytes())  # no audio/ folder beside it
    d = editing.create_dictionary(session=session, data={"slug": "s2", "title": "S"})
    report = import_file(session=session, dictionary=d, path=pkg / "a.lift", format="lift",
                         storage=storage)  # fmt: skip
    assert report.media_added == 0 and report.media_missing == 5
    assert any("not in the package" in w["message"] for w in report.warnings)
    out = export_dictionary(
        session=session, dictionary=d, format="lift", dest=tmp_path / "x.zip", storage=storage
    )
    with zipfile.ZipFile(out) as zf:
        zf.extractall(tmp_path / "o")
    assert sorted(_audio_forms(next((tmp_path / "o").glob("*.lift")))) == sorted(_audio_forms(LIFT))
