"""How fast the alphabet derives what every entry write stores (sort key, letter, folded key).

    python bench/alphabet.py [N]      # default 50,000 generated headwords

Prints seconds per N and the ratio to ICU's own root sort key (a C call) on the same words.
DESIGN.md budgets ~0.5 s for 50,000 sort keys.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import icu

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_dictionary, generate_entries  # noqa: E402

from lexicon.alphabet import Alphabet  # noqa: E402


def machine() -> str:
    """CPU model, cores and Python, for the figures' closing note."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def best_of(fn, words, rounds=3) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for w in words:
            fn(w)
        times.append(time.perf_counter() - started)
    return min(times)


def main(n: int) -> dict:
    words = [e["headword"]["qaa"] for e in generate_entries(n, seed=7)]
    alphabet = Alphabet.from_config(generate_dictionary()["alphabet"])
    alphabet.sort_key("warm up")  # builds the tables once, as the store's cache does
    collator = icu.Collator.createInstance(icu.Locale.getRoot())
    baseline = best_of(lambda w: collator.getSortKey(w).hex(), words)
    figures = {
        "words": n,
        "machine": machine(),
        "icu_root_key_s": round(baseline, 4),
    }
    for name, fn in [
        ("sort_key", alphabet.sort_key),
        ("letter_of", alphabet.letter_of),
        ("tokenize", alphabet.tokenize),
        ("fold", alphabet.fold),
    ]:
        seconds = best_of(fn, words)
        figures[f"{name}_s"] = round(seconds, 4)
        figures[f"{name}_x_icu"] = round(seconds / baseline, 1)
    started = time.perf_counter()
    Alphabet.from_config(generate_dictionary()["alphabet"]).sort_key("x")
    figures["build_tables_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return figures


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000), indent=1))
