"""Build data/demo/hdi.json from the Hdi CLDF Dictionary (Dictionaria, CC-BY-4.0).

Run once by the maintainers (needs a checkout of the dataset); the output is committed.
Usage: python scripts/build_demo.py PATH/TO/cldf-hdi/cldf data/demo/hdi.json [N]
"""

import csv
import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main(src: Path, dest: Path, limit: int) -> None:
    entries = rows(src / "entries.csv")
    senses = defaultdict(list)
    for row in rows(src / "senses.csv"):
        senses[row["Entry_ID"]].append(row)
    examples = defaultdict(list)
    for row in rows(src / "examples.csv"):
        for sense_id in row["Sense_IDs"].split(";"):
            examples[sense_id.strip()].append(row)
    # Prefer entries with examples so the demo shows the whole entry shape; keep order stable.
    chosen = [e for e in entries if any(examples[s["ID"]] for s in senses[e["ID"]])][: limit // 2]
    ids = {e["ID"] for e in chosen}
    chosen += [e for e in entries if e["ID"] not in ids and senses[e["ID"]]][: limit - len(chosen)]
    out = []
    for e in chosen:
        entry = {
            "id": "hdi-" + e["ID"],
            "headword": {"xed": nfc(e["Headword"])},
            "part_of_speech": nfc(e["Part_Of_Speech"]) or None,
            "notes": [
                {
                    "type": "general",
                    "text": {
                        k: v
                        for k, v in {
                            "en": nfc(e["Comment"]),
                            "fr": nfc(e["Comment_French"]),
                        }.items()
                        if v
                    },
                }
            ]
            if e["Comment"] or e["Comment_French"]
            else [],
            "senses": [],
        }
        for s in senses[e["ID"]]:
            sense = {
                "id": "hdi-" + s["ID"],
                "glosses": {
                    k: v
                    for k, v in {
                        "en": nfc(s["Description"]),
                        "fr": nfc(s["alt_translation1"]),
                    }.items()
                    if v
                },
                "semantic_domains": [
                    d.strip() for d in s["Semantic_Domain"].split(";") if d.strip()
                ],
                "examples": [],
            }
            if s["Scientific_Name"]:
                sense["extra"] = {"cldf": {"Scientific_Name": nfc(s["Scientific_Name"])}}
            for x in examples[s["ID"]]:
                sense["examples"].append(
                    {
                        "id": f"hdi-{x['ID']}-{s['ID']}",
                        "text": {"xed": nfc(x["Primary_Text"])},
                        "translations": {
                            k: v
                            for k, v in {
                                "en": nfc(x["Translated_Text"]),
                                "fr": nfc(x["alt_translation1"]),
                            }.items()
                            if v
                        },
                    }
                )
            entry["senses"].append(sense)
        out.append(entry)
    dictionary = {
        "slug": "hdi",
        "title": "Hdi Dictionary (demo excerpt)",
        "language_name": "Hdi",
        "language_code": "xed",
        "glottocode": "hdii1240",
        "vernacular_ws": ["xed"],
        "analysis_ws": ["en", "fr"],
        "alphabet": {
            "letters": [
                "a",
                "b",
                "ɓ",
                "d",
                "ɗ",
                "dz",
                "e",
                "ə",
                "f",
                "g",
                "gh",
                "gw",
                "h",
                "hl",
                "hw",
                "i",
                "j",
                "k",
                "kw",
                "l",
                "m",
                "n",
                "ŋ",
                "o",
                "p",
                "r",
                "s",
                "t",
                "ts",
                "u",
                "v",
                "w",
                "x",
                "y",
                "z",
                "zl",
            ],
            "ignore": ["-", "’", "'", "ʼ", "‘", "(", ")", ","],
            "confusables": [["ǝ", "ə"], ["ɡ", "g"], ["ŋ", "ng"]],
        },
        "licence": "CC-BY-4.0",
        "credits": "Frajzyngier, Zygmunt; Eguchi, Paul; Prafé, Roger; Schwabauer, Megan (with Erin "
        "Shay, Henry Tourneux). 2017. Hdi dictionary. Dictionaria 2. "
        "https://dictionaria.clld.org/contributions/hdi (excerpt)",
        "description": f"{len(out)} entries from the Hdi dictionary (Dictionaria), for trying Wordkeep.",
    }
    dest.write_text(
        json.dumps({"dictionary": dictionary, "entries": out}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    print(f"wrote {len(out)} entries to {dest}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 300)
