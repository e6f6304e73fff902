"""How long an import with recordings keeps other keepers from saving (SQLite).

Run: `python bench/import_lock.py [--files N] [--seconds S] [--lift FILE]`. It writes N WAV
recordings of S seconds each (tones with a little noise, each file different) and a LIFT file
whose entries name them (or takes FILE), then imports it into a fresh SQLite file while a second thread, as another keeper would,
saves a small entry of another dictionary every 50 ms. It prints the import's time and how long
those saves took, as a ratio to the same save with no import running (median of 20, same run).

Every save must wait while the import's write transaction is open (SQLite lets one writer in at
a time): the longest wait is how long the import held the lock. Decoding and transcoding the
recordings is most of an import like this one; done inside the transaction, it blocks every save
for the whole import, and a save that waits longer than the busy timeout (15 s) fails with
"database is locked".
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import struct
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.exc import OperationalError  # noqa: E402
from sqlmodel import Session  # noqa: E402

from lexicon import editing  # noqa: E402
from lexicon.db.engine import make_engine  # noqa: E402
from lexicon.io.importer import import_file  # noqa: E402
from lexicon.media.storage import LocalStorage  # noqa: E402
from lexicon.operations.upgrade import upgrade  # noqa: E402

RATE = 16000


def write_wav(path: Path, seconds: float, rng: random.Random) -> None:
    """A mono 16-bit recording: a tone of its own pitch between short silences, some noise."""
    pitch, n = rng.uniform(120, 400), int(seconds * RATE)
    frames = bytearray()
    for i in range(n):
        t = i / RATE
        voiced = 0.2 * seconds < t < 0.8 * seconds
        sample = (0.4 * math.sin(2 * math.pi * pitch * t) if voiced else 0) + rng.gauss(0, 0.01)
        frames += struct.pack("<h", max(-32767, min(32767, int(sample * 32767))))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))


def write_lift(folder: Path, files: int, seconds: float) -> Path:
    (folder / "audio").mkdir(parents=True)
    rng = random.Random(7)
    entries = []
    for i in range(files):
        write_wav(folder / "audio" / f"w{i}.wav", seconds, rng)
        entries.append(
            f'<entry id="w{i}" guid="00000000-0000-4000-8000-{i:012d}">'
            f'<lexical-unit><form lang="qaa"><text>word{i}</text></form></lexical-unit>'
            f'<pronunciation><media href="w{i}.wav"/></pronunciation>'
            f'<sense><gloss lang="en"><text>gloss {i}</text></gloss></sense></entry>'
        )
    lift = folder / "words.lift"
    lift.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<lift version="0.13">\n'
        + "\n".join(entries)
        + "\n</lift>\n",
        encoding="utf-8",
    )
    return lift


class Keeper(threading.Thread):
    """Saves a small entry every 50 ms until told to stop; keeps each save's seconds."""

    def __init__(self, engine, dictionary):
        super().__init__(daemon=True)
        self.engine, self.dictionary = engine, dictionary
        self.times: list[float] = []
        self.failed: list[str] = []
        self.stop = threading.Event()

    def save(self) -> float:
        start = time.perf_counter()
        with Session(self.engine, expire_on_commit=False) as session:
            editing.create_entry(
                session=session,
                dictionary=self.dictionary,
                data={"headword": {"qaa": f"k{time.perf_counter_ns()}"}},
            )
        return time.perf_counter() - start

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.times.append(self.save())
            except OperationalError as exc:
                self.failed.append(str(exc.orig))
            self.stop.wait(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=150, help="recordings (one per entry)")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each recording")
    parser.add_argument("--lift", type=Path, help="import this file instead (no recordings made)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lift = args.lift or write_lift(tmp / "upload", args.files, args.seconds)
        engine = make_engine(f"sqlite:///{tmp / 'bench.db'}")
        upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            target = editing.create_dictionary(session=session, data={"slug": "t", "title": "T"})
            other = editing.create_dictionary(session=session, data={"slug": "o", "title": "O"})
        keeper = Keeper(engine, other)
        bare = statistics.median(keeper.save() for _ in range(20))
        keeper.start()
        start = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session:
            report = import_file(
                session=session,
                dictionary=target,
                path=lift,
                format="lift",
                storage=LocalStorage(tmp / "media"),
            )
        took = time.perf_counter() - start
        keeper.stop.set()
        keeper.join()
        engine.dispose()
    saves = keeper.times
    made = "" if args.lift else f" of {args.seconds:g} s"
    print(f"import of {lift.name}: {report.created} entries, {report.media_added} recordings"
          f"{made}, {took:.2f} s")  # fmt: skip
    print(f"a save with no import running: {bare * 1000:.1f} ms (median of 20)")
    if saves:
        longest = max(saves)
        print(f"saves during the import: {len(saves)}, median {statistics.median(saves) * 1000:.1f}"
              f" ms, longest {longest:.2f} s = {longest / bare:,.0f}x a bare save, "
              f"{longest / took:.0%} of the import")  # fmt: skip
    print(f"saves refused (database is locked): {len(keeper.failed)}")


if __name__ == "__main__":
    main()
