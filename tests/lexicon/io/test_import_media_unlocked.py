"""An import's recordings and pictures are decoded, transcoded and stored before its write
transaction, not inside it: on SQLite no keeper can save while a write transaction is open, and
a package with a thousand recordings takes minutes to transcode. A failed import still leaves
no file behind, and a file another import stored meanwhile is not stored twice."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lexicon import editing, texts
from lexicon.errors import ImportRejected
from lexicon.io import importer, mediafiles
from lexicon.io.exporter import export_dictionary
from lexicon.io.importer import import_file
from lexicon.io.texts import read_texts
from lexicon.media import audio, images
from lexicon.media.storage import LocalStorage
from lexicon.models import Media
from tests.factories import watch_lock

FIX = Path(__file__).parents[2] / "fixtures"
TWO_MP3 = FIX / "lift-patani-audio" / "two-mp3"
BOBBY = FIX / "texts" / "praatio-en" / "bobby_words.TextGrid"
BOBBY_WAV = FIX / "texts" / "praatio-en" / "bobby.wav"


@pytest.fixture
def storage(tmp_path):
    return LocalStorage(tmp_path / "media")


def stored_files(storage_root: Path) -> list[str]:
    return sorted(str(p.relative_to(storage_root)) for p in storage_root.rglob("*") if p.is_file())


def test_recordings_are_transcoded_while_others_can_save(session, engine, storage, monkeypatch):
    d = editing.create_dictionary(session=session, data={"slug": "pt", "title": "pt"})
    session.commit()
    seen = watch_lock(monkeypatch, audio, "make_web_derivative", engine, d.id)
    report = import_file(
        session=session, dictionary=d, path=TWO_MP3, format="lift", storage=storage
    )
    assert report.media_added == 2, report.warnings
    assert seen and all(seen), seen  # each transcoding ran with the lock free
    shas = set(session.exec(select(Media.sha256).where(Media.dictionary_id == d.id)).scalars())
    assert shas and all((storage.root / "audio" / "web" / s[:2]).exists() for s in shas)


def test_pictures_are_scaled_while_others_can_save(session, engine, storage, monkeypatch):
    d = editing.create_dictionary(session=session, data={"slug": "af", "title": "af"})
    session.commit()
    seen = watch_lock(monkeypatch, images, "make_web_copies", engine, d.id)
    report = import_file(
        session=session,
        dictionary=d,
        path=FIX / "lift-biatah" / "biatah.lift",
        format="lift",
        storage=storage,
    )
    assert report.media_added >= 1, report.warnings
    assert seen and all(seen), seen


def test_a_texts_recording_is_transcoded_while_others_can_save(
    session, engine, storage, monkeypatch, tmp_path
):
    source = editing.create_dictionary(session=session, data={"slug": "src", "title": "src"})
    data = read_texts(BOBBY)[0]
    data["title"] = {"en": "Bobby"}
    texts.import_text(session=session, storage=storage, dictionary=source, data=data,
                      audio_file=io.BytesIO(BOBBY_WAV.read_bytes()), audio_name="bobby.wav")  # fmt: skip
    package = export_dictionary(
        session=session, dictionary=source, format="lift", dest=tmp_path / "src.zip",
        storage=storage,
    )  # fmt: skip
    d = editing.create_dictionary(session=session, data={"slug": "copy", "title": "copy"})
    session.commit()
    fresh = LocalStorage(tmp_path / "fresh")
    seen = watch_lock(monkeypatch, audio, "make_web_derivative", engine, d.id)
    report = import_file(session=session, dictionary=d, path=package, format="lift",
                         storage=fresh)  # fmt: skip
    assert report.texts["created"] == 1, report.warnings
    assert seen and all(seen), seen
    assert any(name.startswith("audio/web/") for name in stored_files(fresh.root))


def test_a_failed_write_leaves_no_file_behind(session, storage, monkeypatch):
    d = editing.create_dictionary(session=session, data={"slug": "pt", "title": "pt"})
    session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("the disk filled up half-way through the write")

    monkeypatch.setattr(importer, "_write_entries", broken)
    with pytest.raises(RuntimeError, match="disk filled up"):
        import_file(session=session, dictionary=d, path=TWO_MP3, format="lift", storage=storage)
    assert stored_files(storage.root) == []
    assert session.exec(select(func.count()).select_from(Media)).scalar_one() == 0


def test_a_bad_recording_refuses_the_import_and_keeps_no_file(session, storage, tmp_path):
    folder = tmp_path / "pkg"
    (folder / "audio").mkdir(parents=True)
    (folder / "audio" / "good.mp3").write_bytes(
        (FIX / "lift-patani-audio" / "short.mp3").read_bytes()
    )
    (folder / "audio" / "bad.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot audio at all")
    (folder / "w.lift").write_text(
        '<lift version="0.13">'
        '<entry id="a"><lexical-unit><form lang="qaa"><text>a</text></form></lexical-unit>'
        '<pronunciation><media href="good.mp3"/></pronunciation></entry>'
        '<entry id="b"><lexical-unit><form lang="qaa"><text>b</text></form></lexical-unit>'
        '<pronunciation><media href="bad.wav"/></pronunciation></entry></lift>',
        encoding="utf-8",
    )
    d = editing.create_dictionary(session=session, data={"slug": "bad", "title": "bad"})
    report = import_file(session=session, dictionary=d, path=folder / "w.lift", format="lift",
                         storage=storage)  # fmt: skip
    # A recording that cannot be decoded is a warning (its reference kept), not a refusal.
    assert report.created == 2 and report.media_added == 1
    assert any("bad.wav" in w["message"] for w in report.warnings), report.warnings
    shas = set(session.exec(select(Media.sha256)).scalars())
    assert len(shas) == 1
    assert all(Path(f).name.split(".")[0] in shas for f in stored_files(storage.root))


def test_a_file_stored_meanwhile_is_not_stored_twice(session, storage, monkeypatch):
    """Another import stores the same recording after this one prepared it and before its
    write: the write adds no second Media row."""
    d = editing.create_dictionary(session=session, data={"slug": "pt", "title": "pt"})
    session.commit()
    original = mediafiles.add_prepared
    raced: list[str] = []

    def after_a_rival(session_, dictionary, prepared):
        if prepared.row is not None and not raced:
            rival = Media(**{c: getattr(prepared.row, c) for c in type(prepared.row).model_fields
                             if c != "id"})  # fmt: skip
            session_.add(rival)
            session_.flush()
            raced.append(prepared.sha256)
        original(session_, dictionary, prepared)

    monkeypatch.setattr(mediafiles, "add_prepared", after_a_rival)
    report = import_file(
        session=session, dictionary=d, path=TWO_MP3, format="lift", storage=storage
    )
    assert raced and report.media_added == 2
    rows = session.exec(
        select(func.count()).select_from(Media).where(Media.sha256 == raced[0])
    ).scalar_one()
    assert rows == 1


def test_a_refused_package_stores_nothing(session, storage, tmp_path):
    """Checking comes first: a package refused for a bad row transcodes and stores none of
    its recordings."""
    pkg = tmp_path / "p.zip"
    with zipfile.ZipFile(pkg, "w") as zf:
        zf.write(FIX / "lift-patani-audio" / "short.mp3", "audio/short.mp3")
        zf.writestr("words.csv", "headword,gloss_en,homograph,audio\n"
                    "nyumba,house,,short.mp3\nmoto,fire,x,\n")  # fmt: skip
    d = editing.create_dictionary(session=session, data={"slug": "r", "title": "r"})
    with pytest.raises(ImportRejected, match="line 3"):
        import_file(session=session, dictionary=d, path=pkg, format="csv", storage=storage)
    assert stored_files(storage.root) == []
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.write(FIX / "lift-patani-audio" / "short.mp3", "audio/short.mp3")
        zf.writestr("words.csv", "headword,gloss_en,audio\nnyumba,house,short.mp3\n")
    report = import_file(session=session, dictionary=d, path=good, format="csv", storage=storage)
    assert report.media_added == 1, report.warnings  # the same package, corrected, stores it


def test_a_copy_failing_half_way_leaves_no_file(session, storage, monkeypatch):
    """The disk fills between a recording's original and its web copy: the import fails and
    the original it had just stored goes too."""
    d = editing.create_dictionary(session=session, data={"slug": "pt", "title": "pt"})
    session.commit()
    put = storage.put

    def full_for_web_copies(key, source, **kwargs):
        if key.startswith("audio/web/"):
            raise OSError(28, "No space left on device")
        return put(key, source, **kwargs)

    monkeypatch.setattr(storage, "put", full_for_web_copies)
    with pytest.raises(OSError, match="No space left"):
        import_file(session=session, dictionary=d, path=TWO_MP3, format="lift", storage=storage)
    assert stored_files(storage.root) == []
    assert session.exec(select(func.count()).select_from(Media)).scalar_one() == 0
