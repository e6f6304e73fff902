"""Compile one Typst document in a process of its own (run as a script, imports only typst).

The typst wheel keeps its incremental-compilation caches for the life of the process and
offers no way to evict them: in a long-running server each print would add 100-300 MB.
A short-lived process gives the memory back; it costs about 30 ms.

    python worker.py  < job.json      # job: input, root, font_paths, format, ppi, timestamp
"""

import json
import sys
from pathlib import Path


def main() -> int:
    import typst

    job = json.load(sys.stdin)
    try:
        result = typst.compile(
            job["input"],
            root=job["root"],
            font_paths=job["font_paths"],
            format=job["format"],
            ppi=job.get("ppi"),
            timestamp=job["timestamp"],
        )
    except typst.TypstError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    out = Path(job["output_dir"])
    pages = result if isinstance(result, list) else [result]
    for number, data in enumerate(pages, start=1):
        (out / f"page-{number:05d}.{job['format']}").write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
