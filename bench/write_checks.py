"""What the access checks on writes cost: a keeper's save of an entry with recordings (every
file it names checked against who may hear it, lexicon/editing/named_media.py) and an editor's
re-import of a whole LIFT file (each stored entry read, its hidden parts put back,
lexicon/io/import_guard.py), against the same work with the checks switched off, in one run.

Run: `python bench/write_checks.py [--lift FILE] [--saves N]` (SQLite, a temporary file). The
LIFT file is imported once by the operator, then each of its entries is given a changed gloss
and the file imported again, once as an editor (checked) and once with the checks off.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, select  # noqa: E402

from lexicon import accounts, editing  # noqa: E402
from lexicon.db.engine import make_engine  # noqa: E402
from lexicon.editing import review, write  # noqa: E402
from lexicon.entries.read import entry_dicts, read_entry  # noqa: E402
from lexicon.io import import_guard, importer  # noqa: E402
from lexicon.media import audio  # noqa: E402
from lexicon.media.recordings import add_pronunciation_audio  # noqa: E402
from lexicon.media.storage import LocalStorage  # noqa: E402
from lexicon.models import Entry  # noqa: E402
from lexicon.operations.upgrade import upgrade  # noqa: E402

DEFAULT_LIFT = Path(__file__).resolve().parent.parent / "tests/fixtures/whole/lift-sena/Sena.lift"


@contextmanager
def checks_off():
    """The write paths as they were before the checks."""
    saved = (write.check_named_media, review.check_named_media, import_guard.bounding)
    write.check_named_media = review.check_named_media = lambda *a, **k: None
    import_guard.bounding = lambda viewer, dictionary: None
    try:
        yield
    finally:
        write.check_named_media, review.check_named_media, import_guard.bounding = saved


def timed_saves(session, dictionary, viewer, entry_id: str, count: int) -> dict[str, float]:
    """Median seconds of a save that changes a gloss of an entry holding recordings, checked
    and unchecked, taken in turns (so a slower moment of the machine weighs on both)."""
    times: dict[str, list[float]] = {"checked": [], "unchecked": []}
    for i in range(count):
        for label, switch in (("unchecked", checks_off), ("checked", nullcontext)):
            entry = read_entry(session=session, dictionary=dictionary, entry_id=entry_id,
                               viewer=viewer)  # fmt: skip
            entry["senses"][0]["glosses"]["en"] = f"house {label} {i}"
            with switch():
                start = time.perf_counter()
                review.change_entry(session=session, dictionary=dictionary, viewer=viewer,
                                    action="update", entry_id=entry_id, data=entry)  # fmt: skip
                times[label].append(time.perf_counter() - start)
    return {label: statistics.median(seconds) for label, seconds in times.items()}


def reimport_seconds(session, dictionary, viewer, path: Path) -> float:
    start = time.perf_counter()
    report = importer.import_file(session=session, dictionary=dictionary, path=path,
                                  viewer=viewer, editor="bench")  # fmt: skip
    assert report.updated > 0, report
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lift", type=Path, default=DEFAULT_LIFT)
    parser.add_argument("--saves", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        engine = make_engine(f"sqlite:///{tmp}/w.db")
        upgrade(engine)
        storage = LocalStorage(tmp / "media")
        with Session(engine, expire_on_commit=False) as session:
            dictionary = editing.create_dictionary(
                session=session, data={"slug": "b", "title": "B"}
            )
            user = accounts.create_user(session=session, email="editor@example.org")
            accounts.set_role(session=session, user=user, dictionary=dictionary, role="editor")
            editor = accounts.viewer_for_user(session=session, user=user)
            entry = editing.create_entry(session=session, dictionary=dictionary, data={
                "headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}}]})  # fmt: skip
            for seconds in (0.5, 0.6, 0.7):
                wav = tmp / f"{seconds}.wav"
                audio.write_tone(wav, container="wav", codec="pcm_s16le", tone=seconds)
                with open(wav, "rb") as fh:
                    add_pronunciation_audio(session=session, storage=storage, dictionary=dictionary,
                                            entry_id=entry["id"], fileobj=fh, filename=wav.name,
                                            fields={}, editor="bench")  # fmt: skip
            timed_saves(session, dictionary, editor, entry["id"], 5)  # warm up
            saves = timed_saves(session, dictionary, editor, entry["id"], args.saves)
            print(f"save of an entry with 3 recordings: {saves['checked'] * 1000:.2f} ms checked, "
                  f"{saves['unchecked'] * 1000:.2f} ms unchecked: "
                  f"x{saves['checked'] / saves['unchecked']:.2f}")  # fmt: skip

            importer.import_file(session=session, dictionary=dictionary, path=args.lift)
            rows = session.exec(select(Entry).where(Entry.dictionary_id == dictionary.id)).all()
            stored = entry_dicts(session=session, dictionary=dictionary, rows=list(rows))
            times = {}
            for label, switch in (("unchecked", checks_off), ("checked", nullcontext)):
                path = changed_file(tmp, stored, label)
                with switch():
                    times[label] = reimport_seconds(session, dictionary, editor, path)
            print(f"editor's re-import of {len(stored)} changed entries: "
                  f"{times['checked']:.2f} s checked, {times['unchecked']:.2f} s unchecked: "
                  f"x{times['checked'] / times['unchecked']:.2f}")  # fmt: skip


def changed_file(folder: Path, entries: list[dict], mark: str) -> Path:
    """The entries as a Wordkeep JSON file, each with a changed gloss."""
    changed = copy.deepcopy(entries)
    for entry in changed:
        for sense in entry["senses"][:1]:
            sense["glosses"] = {**sense["glosses"], "en": f"{mark} {sense['id'][:8]}"}
    path = folder / f"{mark}.json"
    path.write_text(json.dumps({"entries": changed}), encoding="utf-8")
    return path


if __name__ == "__main__":
    main()
