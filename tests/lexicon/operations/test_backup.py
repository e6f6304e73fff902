"""Backup and restore: snapshot while writing, media with checksums, refusals that change nothing.

Runs on SQLite and, when WORDKEEP_TEST_DATABASE_URL is set, on PostgreSQL (restoring into a
second, new database on the same server).
"""

from __future__ import annotations

import json
import threading
import zipfile
from pathlib import Path

import pytest
import typer
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from typer.testing import CliRunner

from lexicon import accounts, editing, entries, media
from lexicon.db.engine import make_engine
from lexicon.io.exporter import export_dictionary
from lexicon.media import audio
from lexicon.media.storage import LocalStorage, storage_from_url
from lexicon.models import Revision
from lexicon.operations.backup import (
    MANIFEST,
    BackupRejected,
    RestoreTargetNotEmpty,
    create_backup,
    restore_backup,
    verify_backup,
)
from tests.factories import S3_CREDENTIALS, new_s3_bucket
from wordkeep.cli_backup import backup_command, restore_command

WORDS = [
    ("nyumba", "house"),
    ("ŋ̀gàmà", "river"),  # combining marks, NFC-sensitive
    ("ɗàá", "water"),
    ("ᏣᎳᎩ", "Cherokee"),
    ("नमस्ते", "greeting"),
    ("سلام", "peace"),
    ("chinthu", "thing"),
]


@pytest.fixture
def filled(session, dictionary, owner, media_dir, tmp_path):
    """A dictionary with scripts, history, a deleted and a restricted entry, and a recording."""
    items = [{"headword": {"seh": w}, "senses": [{"glosses": {"en": g}}]} for w, g in WORDS]
    entries = editing.create_entries(session=session, dictionary=dictionary, items=items)
    first = entries[0]
    first["senses"][0]["glosses"]["pt"] = "casa"
    editing.update_entry(
        session=session, dictionary=dictionary, entry_id=first["id"], data=first,
        version=1, editor="owner",
    )  # fmt: skip
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=entries[1]["id"])
    hidden = dict(entries[2], visibility="restricted", circle="elders")
    editing.update_entry(
        session=session, dictionary=dictionary, entry_id=hidden["id"], data=hidden, version=1
    )
    clip = tmp_path / "word.wav"
    audio.write_tone(clip, container="wav", codec="pcm_s16le")
    with open(clip, "rb") as fh:
        media.add_pronunciation_audio(
            session=session, storage=LocalStorage(media_dir), dictionary=dictionary,
            entry_id=entries[3]["id"], fileobj=fh, filename="word.wav",
            fields={"speaker": "Elder"}, editor="owner",
        )  # fmt: skip
    return dictionary


def export_all(engine, storage, out: Path) -> dict[str, bytes]:
    """The JSON and LIFT exports (every file in their zips, media included), the history and
    the stored media: what must survive a restore unchanged."""
    out.mkdir(parents=True)
    found: dict[str, bytes] = {}
    with Session(engine, expire_on_commit=False) as session:
        dictionary = entries.get_dictionary(session=session, slug="demo")
        for fmt in ("json", "lift"):
            package = export_dictionary(
                session=session, dictionary=dictionary, format=fmt, dest=out / f"{fmt}.zip",
                storage=storage,
            )  # fmt: skip
            with zipfile.ZipFile(package) as zf:
                found.update({f"{fmt}:{name}": zf.read(name) for name in zf.namelist()})
        history = (
            session.exec(select(Revision).order_by(Revision.entry_id, Revision.number))
            .scalars()
            .all()
        )
        found["history"] = json.dumps([r.model_dump(mode="json") for r in history]).encode()
    for key in sorted(storage.keys()):
        found[f"media:{key}"] = storage.open(key).read()
    return found


@pytest.fixture
def target(db_kind, tmp_path, database_url):
    """A new, empty database (not even migrated) to restore into."""
    if db_kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
        yield engine
        engine.dispose()
        return
    url = make_url(database_url)
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_backup_then_restore_gives_the_same_exports(
    filled, owner, engine, media_dir, target, tmp_path
):
    storage = LocalStorage(media_dir)
    before = export_all(engine, storage, tmp_path / "before")
    manifest = create_backup(engine=engine, storage=storage, dest=tmp_path / "backup")
    assert manifest["database"]["counts"]["entry"] == len(WORDS)
    assert manifest["missing_media"] == []
    assert {f["key"] for f in manifest["files"] if "key" in f} == set(storage.keys())

    restored_media = LocalStorage(tmp_path / "restored-media")
    restore_backup(engine=target, storage=restored_media, source=tmp_path / "backup")
    after = export_all(target, restored_media, tmp_path / "after")
    assert sorted(after) == sorted(before)
    for name in before:
        assert after[name] == before[name], name
    assert any(n.startswith("lift:") and n.endswith(".lift") for n in before)
    assert len([n for n in before if n.startswith("media:")]) == 2

    with Session(target) as session:  # accounts came along: the owner's token still works
        viewer = accounts.viewer_for_user_id(session=session, user_id=owner.user.id)
        dictionary = entries.get_dictionary(session=session, slug="demo")
        assert viewer is not None
        # New rows get fresh ids after the restored ones (sequences were moved on).
        made = editing.create_entry(
            session=session,
            dictionary=dictionary,
            data={"headword": {"seh": "new"}, "senses": [{"glosses": {"en": "after restore"}}]},
        )
        assert made["version"] == 1


def test_backup_is_consistent_while_someone_writes(filled, engine, media_dir, target, tmp_path):
    """Edits keep committing during the backup; the snapshot holds whole transactions only."""
    stop = threading.Event()
    saved = []

    def writer():
        with Session(engine, expire_on_commit=False) as session:
            dictionary = entries.get_dictionary(session=session, slug="demo")
            entry_id = editing.create_entry(
                session=session, dictionary=dictionary, data={"headword": {"seh": "busy"}}
            )["id"]
            version = 1
            while not stop.is_set() and version < 400:
                data = {"headword": {"seh": f"busy{version}"}, "senses": [{"glosses": {"en": "x"}}]}
                version = editing.update_entry(
                    session=session, dictionary=dictionary, entry_id=entry_id, data=data,
                    version=version,
                )["version"]  # fmt: skip
                saved.append(version)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(saved) < 5:  # the backup starts while the writer is mid-stream
            stop.wait(0.01)
        create_backup(engine=engine, storage=LocalStorage(media_dir), dest=tmp_path / "b")
    finally:
        stop.set()
        thread.join()
    restore_backup(engine=target, storage=LocalStorage(tmp_path / "m"), source=tmp_path / "b")
    with target.connect() as conn:
        for entry_id, version in conn.execute(text("SELECT id, version FROM entry")):
            numbers = [
                n for (n,) in conn.execute(
                    text("SELECT number FROM revision WHERE entry_id = :e ORDER BY number"),
                    {"e": entry_id},
                )
            ]  # fmt: skip
            assert numbers == list(range(1, version + 1)), entry_id


def _tamper_media(backup: Path) -> str:
    path = next(p for p in (backup / "media").rglob("*") if p.is_file())
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path.name


def _drop_database_file(backup: Path) -> str:
    manifest = json.loads((backup / MANIFEST).read_text())
    name = manifest["files"][0]["path"]
    (backup / name).unlink()
    return Path(name).name


def _add_file(backup: Path) -> str:
    (backup / "media" / "extra.bin").write_bytes(b"not from the backup")
    return "extra.bin"


def _cut_manifest(backup: Path) -> str:
    path = backup / MANIFEST
    path.write_text(path.read_text()[:100])
    return MANIFEST


def _truncate_database_file(backup: Path) -> str:
    manifest = json.loads((backup / MANIFEST).read_text())
    path = backup / manifest["files"][0]["path"]
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path.name


@pytest.mark.parametrize(
    "damage",
    [_tamper_media, _drop_database_file, _add_file, _cut_manifest, _truncate_database_file],
)
def test_a_damaged_backup_is_refused_and_changes_nothing(
    filled, engine, media_dir, target, tmp_path, damage
):
    create_backup(engine=engine, storage=LocalStorage(media_dir), dest=tmp_path / "b")
    named = damage(tmp_path / "b")
    restored_media = tmp_path / "restored-media"
    with pytest.raises(BackupRejected) as refused:
        restore_backup(engine=target, storage=LocalStorage(restored_media), source=tmp_path / "b")
    assert named in refused.value.message
    assert inspect(target).get_table_names() == []  # not even migrated
    assert not restored_media.exists() or not any(restored_media.rglob("*"))


def test_restore_refuses_a_database_that_has_data(filled, engine, media_dir, tmp_path):
    create_backup(engine=engine, storage=LocalStorage(media_dir), dest=tmp_path / "b")
    with pytest.raises(RestoreTargetNotEmpty, match="not empty"):
        restore_backup(engine=engine, storage=LocalStorage(media_dir), source=tmp_path / "b")
    assert verify_backup(tmp_path / "b")["database"]["counts"]["entry"] == len(WORDS)


def test_cli_backup_and_restore(filled, engine, database_url, media_dir, target, tmp_path):
    cli = typer.Typer()
    cli.command("backup")(backup_command)
    cli.command("restore")(restore_command)
    runner = CliRunner()
    env = {"WORDKEEP_DATABASE_URL": database_url, "WORDKEEP_MEDIA_DIR": str(media_dir)}
    done = runner.invoke(cli, ["backup", "-o", str(tmp_path / "b")], env=env)
    assert done.exit_code == 0, done.output
    assert f"{len(WORDS)} entries, 2 media files" in done.output

    again = runner.invoke(cli, ["backup", "-o", str(tmp_path / "b")], env=env)
    assert again.exit_code == 2 and "must be new or empty" in again.output

    env = {
        "WORDKEEP_DATABASE_URL": target.url.render_as_string(hide_password=False),
        "WORDKEEP_MEDIA_DIR": str(tmp_path / "restored-media"),
    }
    _tamper_media(tmp_path / "b")
    refused = runner.invoke(cli, ["restore", str(tmp_path / "b")], env=env)
    assert refused.exit_code == 2 and "checksum differs" in refused.output
    assert inspect(target).get_table_names() == []


@pytest.fixture(scope="module")
def s3_media(s3_endpoint):
    """An S3 store (moto's server on loopback), like several app servers would share."""
    with pytest.MonkeyPatch.context() as env:
        for key, value in S3_CREDENTIALS.items():
            env.setenv(key, value)
        yield storage_from_url(new_s3_bucket(s3_endpoint))


def test_backup_from_object_storage(session, dictionary, engine, s3_media, target, tmp_path):
    clip = tmp_path / "word.wav"
    audio.write_tone(clip, container="wav", codec="pcm_s16le")
    entry = editing.create_entry(
        session=session, dictionary=dictionary, data={"headword": {"seh": "x"}}
    )
    with open(clip, "rb") as fh:
        media.add_pronunciation_audio(
            session=session, storage=s3_media, dictionary=dictionary, entry_id=entry["id"],
            fileobj=fh, filename="word.wav", fields={}, editor="owner",
        )  # fmt: skip
    manifest = create_backup(engine=engine, storage=s3_media, dest=tmp_path / "b")
    keys = {f["key"] for f in manifest["files"] if "key" in f}
    assert len(keys) == 2 and manifest["missing_media"] == []
    restored = LocalStorage(tmp_path / "restored-media")  # from S3 back to a folder
    restore_backup(engine=target, storage=restored, source=tmp_path / "b")
    for key in keys:
        assert restored.open(key).read() == s3_media.open(key).read()
