"""Time and peak memory of printing N generated entries as a full dictionary PDF.

    python bench/print.py [N ...] [--layout dictionary] [--repeat 3]   # default 500 5000 20000

Baseline in the same run: Typst compiling the same data.json with the same template alone
(`typst.compile` on files already written), so the ratio shows what Wordkeep adds around
Typst: ordering, sectioning, the reversal index, the glyph coverage check, writing JSON.
Each measurement runs in a fresh process so its peak RSS is its own (render_pdf compiles in
a child process of its own; the larger of the two peaks is shown).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate_dictionary, generate_entries  # noqa: E402

from lexicon.printing import PrintOptions, build_document, render_pdf  # noqa: E402
from lexicon.printing.render import _choose, default_template_dir  # noqa: E402


def peak_mb() -> float:
    """Peak RSS of this process or of its largest child (render_pdf compiles in a child)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, child) / 1024


def measure(n: int, mode: str, layout: str) -> dict:
    """One measurement in this process: 'full' (render_pdf) or 'bare' (typst.compile only)."""
    import typst

    dictionary = generate_dictionary("bench")
    entries = generate_entries(n)
    options = PrintOptions(date="2026-01-01")
    before = peak_mb()
    if mode == "full":
        start = time.perf_counter()
        pdf = render_pdf(dictionary=dictionary, entries=entries, layout=layout, options=options)
        seconds = time.perf_counter() - start
    else:
        doc, _ = build_document(
            dictionary=dictionary, entries=entries, layout=layout, options=options
        )
        text = json.dumps(doc, ensure_ascii=False)
        families = list(_choose(doc, text, options)[0].families)
        with tempfile.TemporaryDirectory() as tmp:
            for src in default_template_dir().glob("*.typ"):
                shutil.copyfile(src, Path(tmp) / src.name)
            (Path(tmp) / "data.json").write_text(text, "utf-8")
            (Path(tmp) / "fonts.json").write_text(json.dumps(families), "utf-8")
            del doc, entries, text
            start = time.perf_counter()
            pdf = typst.compile(str(Path(tmp) / f"{layout}.typ"), root=tmp)
            seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_mb(), "before_mb": before, "bytes": len(pdf)}


def run_child(n: int, mode: str, layout: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--layout", layout, str(n)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[500, 5000, 20000])
    parser.add_argument("--layout", default="dictionary")
    parser.add_argument("--child", choices=["full", "bare"])
    parser.add_argument(
        "--repeat", type=int, default=1, help="Runs per size; the fastest is shown (shared CPUs)."
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.sizes[0], args.child, args.layout)))
        return
    print(f"layout={args.layout}  (peak RSS includes the generated entries)")
    print(
        f"{'entries':>8} {'full s':>8} {'bare s':>8} {'ratio':>6} "
        f"{'full MB':>8} {'bare MB':>8} {'PDF MB':>7}"
    )
    for n in args.sizes:
        # Alternate full and bare runs so a busy spell on a shared machine hits both alike.
        fulls, bares = [], []
        for _ in range(max(1, args.repeat)):
            fulls.append(run_child(n, "full", args.layout))
            bares.append(run_child(n, "bare", args.layout))
        full = min(fulls, key=lambda r: r["seconds"])
        bare = min(bares, key=lambda r: r["seconds"])
        print(
            f"{n:>8} {full['seconds']:>8.2f} {bare['seconds']:>8.2f} "
            f"{full['seconds'] / bare['seconds']:>6.2f} {full['peak_mb']:>8.0f} "
            f"{bare['peak_mb']:>8.0f} {full['bytes'] / 1e6:>7.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
