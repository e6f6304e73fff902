"""Build the demo's small sample dictionaries (data/demo/samples/*.json) with real recordings and
pictures, each in the language it belongs to (data/demo/SOURCE.txt credits them).

Run once by the maintainers (needs the LIFT sets named below); the output and the media files in
data/demo/media/ are committed. `wordkeep serve --demo` loads them (lexicon/operations/demo.py).
Usage: python scripts/build_demo_samples.py PATH/TO/shared/data
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lexicon.io.lift.package import read_lift  # noqa: E402

OUT = ROOT / "data" / "demo"
UNDOCUMENTED = (
    "Not documented: the recording comes from the python-sil-lift test corpus (MIT licence);"
    " its speaker and the consent given are not recorded there."
)


def _entry(e: dict, prefix: str, slug_of: str) -> dict:
    """The parts the demo shows: headword, IPA, part of speech, glosses and definitions."""
    senses = []
    pos = lambda value: None if value in (None, "", "unknown") else value  # noqa: E731
    for i, s in enumerate(e["senses"], 1):
        definitions = {k: v for k, v in (s.get("definitions") or {}).items() if "Zxxx" not in k}
        senses.append(
            {
                "id": f"{prefix}-{slug_of}-s{i}",
                "part_of_speech": pos(s.get("part_of_speech")),
                "glosses": s.get("glosses") or definitions,  # Moma has definitions only
                "definitions": definitions,
            }
        )
    prons = [{"ipa": p["ipa"]} for p in e["pronunciations"] if p.get("ipa") and not p.get("media")]
    return {
        "id": f"{prefix}-{slug_of}",
        "headword": {k: v for k, v in e["headword"].items() if "Zxxx" not in k},
        "part_of_speech": pos(e.get("part_of_speech")),
        "pronunciations": prons,
        "senses": senses,
    }


def moma(data: Path) -> dict:
    src = data / "lift-moma-audio"
    with read_lift(src / "Moma.lift") as doc:
        entries = [_entry(e, "moma", e["headword"]["myl"]) for e in doc.entries]
    # The lexical unit's recording of each word (the file names are FieldWorks' own).
    files = {"moma-loka": "adat-63531587437330.wav", "moma-mata": "mata-63531587590792.wav"}
    media = []
    for entry_id, name in files.items():
        shutil.copyfile(src / "audio" / name, OUT / "media" / name)
        fields = {"consent": UNDOCUMENTED}
        media.append({"entry": entry_id, "kind": "audio", "file": name, "fields": fields})
    shutil.copyfile(src / "LICENSE", OUT / "media" / "LICENSE-python-sil-lift.txt")
    return {
        "dictionary": {
            "slug": "moma-sample",
            "title": "Moma: two words with their recordings (sample)",
            "language_name": "Moma",
            "language_code": "myl",
            "vernacular_ws": ["myl"],
            "analysis_ws": ["en", "es"],
            "licence": "MIT",
            "credits": "Entries and recordings from the Moma sample of sillsdev/python-sil-lift"
            " (MIT licence, © SIL International); see data/demo/SOURCE.txt.",
            "description": "Two Moma (Sulawesi, Indonesia) words with the recordings that came"
            " with them: press play on an entry to hear the word.",
        },
        "entries": entries,
        "media": media,
    }


def biatah(data: Path, count: int = 40) -> dict:
    src = data / "lift-biatah"
    with read_lift(src / "biatah.lift") as doc:
        live = [e for e in doc.entries if e["senses"] and e["headword"].get("bth")]
    chosen = live[:count]
    entries = []
    for i, e in enumerate(chosen):
        entries.append(_entry(e, "biatah", str(i + 1)))
    shutil.copyfile(src / "pictures" / "waterBasket1.png", OUT / "media" / "waterBasket1.png")
    shutil.copyfile(src / "LICENSE", OUT / "media" / "LICENSE-wesay.txt")
    [abit] = [x for x in entries if x["headword"]["bth"] == "abit"]
    picture = {
        "entry": abit["id"],
        "kind": "picture",
        "sense": 0,
        "file": "waterBasket1.png",
        "fields": {
            "caption": {"en": "water carrying basket"},
            "credit": "WeSay's Biatah sample project (sillsdev/wesay)",
            "licence": "MIT",
        },
    }
    return {
        "dictionary": {
            "slug": "biatah-sample",
            "title": "Biatah: the first words of the WeSay sample (with a picture)",
            "language_name": "Biatah",
            "language_code": "bth",
            "vernacular_ws": ["bth", "bth-fonipa"],
            "analysis_ws": ["en"],
            "licence": "MIT",
            "credits": "Entries and the picture from WeSay's Biatah sample project"
            " (sillsdev/wesay, MIT licence, © SIL International); see data/demo/SOURCE.txt.",
            "description": f"The first {count} words of WeSay's Biatah (Bidayuh, Sarawak) sample"
            " dictionary; 'abit' (water carrying basket) has its picture.",
        },
        "entries": entries,
        "media": [picture],
    }


def main(data: Path) -> None:
    for name, build in (("moma", moma), ("biatah", biatah)):
        payload = build(data)
        path = OUT / "samples" / f"{name}.json"
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(path, len(payload["entries"]), "entries,", len(payload["media"]), "media")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
