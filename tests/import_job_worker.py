"""Run one import job in a process of its own, as a server worker would (for test_import_jobs).

    python tests/import_job_worker.py DATABASE_URL SLUG JOB_ID FILE GATE_DIR

The import is the real one, in small batches; before writing batch n (n >= 2) it waits until
the file GATE_DIR/go-n exists, so a test can poll between batches or kill the process while
it holds the import's write transaction open.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lexicon.db.engine import make_engine  # noqa: E402
from lexicon.io import importer, jobs  # noqa: E402

BATCH = 5


def gated(create_entries, gate: Path):
    batches = [0]

    def create(**kwargs):
        batches[0] += 1
        go = gate / f"go-{batches[0]}"
        while batches[0] > 1 and not go.exists():
            time.sleep(0.02)
        return create_entries(**kwargs)

    return create


def main() -> None:
    url, slug, job_id, path, gate = sys.argv[1:6]
    importer.BATCH = BATCH
    jobs.BEAT_EVERY = 0.1
    jobs.PUBLISH_EVERY = 0.02
    importer.create_entries = gated(importer.create_entries, Path(gate))  # what the import calls
    engine = make_engine(url)
    jobs.run_job(
        engine=engine,
        job_id=job_id,
        slug=slug,
        import_kwargs={"path": Path(path), "format": "lift", "editor": "worker"},
    )
    engine.dispose()


if __name__ == "__main__":
    main()
