"""Writing spreadsheets (CSV, XLSX): one row per sense, formula-like cells neutralised."""

from __future__ import annotations

import csv
from pathlib import Path

from lexicon.io.tabular.read import guess_mapping, neutralise
from lexicon.shape.entry import iter_sense_paths, named_file


def _flat_senses(entry: dict):
    """(number, sense) for every sense: "1", "1.1" (its first subsense), "2" ..."""
    for at in iter_sense_paths(entry):
        yield ".".join(str(i + 1) for i in at.path), at.sense


def _langs(entries: list[dict], getter) -> list[str]:
    seen: dict[str, None] = {}
    for e in entries:
        for _number, s in _flat_senses(e):
            for lang in getter(e, s):
                seen.setdefault(lang, None)
    return list(seen)


def table_columns(entries: list[dict], vernacular: str | None = None) -> list[str]:
    """The export's header row, from the languages and fields the entries use."""
    hw_langs = list(dict.fromkeys(k for e in entries for k in (e.get("headword") or {})))
    vern = vernacular or (hw_langs[0] if hw_langs else "und")
    cols = ["id"] + [
        "headword" if lang == vern else f"headword_{lang}"
        for lang in ([vern] + [x for x in hw_langs if x != vern])
    ]
    cit_langs = list(dict.fromkeys(k for e in entries for k in (e.get("citation") or {})))
    cols += ["citation" if lang == vern else f"citation_{lang}" for lang in cit_langs]
    cols += ["homograph", "pos", "sense", "ipa", "audio"]
    cols += [f"gloss_{x}" for x in _langs(entries, lambda e, s: s.get("glosses") or {})]
    cols += [f"definition_{x}" for x in _langs(entries, lambda e, s: s.get("definitions") or {})]
    cols += ["example"] + [
        f"example_{x}"
        for x in _langs(
            entries, lambda e, s: [k for ex in s.get("examples") or [] for k in ex["translations"]]
        )
    ]
    cols += ["semantic_domain", "picture"]
    cols += [
        f"note_{x}"
        for x in _langs(
            entries, lambda e, s: [k for n in s.get("notes") or [] for k in n.get("text") or {}]
        )
    ]
    cols += list(
        dict.fromkeys(
            f"extra:{k}"
            for e in entries
            for _, s in _flat_senses(e)
            for k in ((s.get("extra") or {}).get("table") or {})
        )
    )
    return cols


def table_rows(entries: list[dict], columns: list[str]):
    """One row per sense (plus a row per further example), cells already neutralised."""
    mapping = guess_mapping([c for c in columns if not c.startswith("extra:")])
    for e in entries:
        base = {
            "id": e["id"],
            "homograph": str(e.get("homograph") or 0) if e.get("homograph") else "",
        }
        for col, target in mapping.items():
            if target.startswith("headword"):
                lang = target.partition(":")[2]
                base[col] = next(
                    (
                        v
                        for k, v in (e.get("headword") or {}).items()
                        if k == lang or (lang == "und" and col == "headword")
                    ),
                    "",
                )
        for lang, text in (e.get("citation") or {}).items():
            base["citation" if f"citation_{lang}" not in columns else f"citation_{lang}"] = text
        hw_col = next((c for c in columns if c == "headword"), None)
        if hw_col and not base.get(hw_col):
            base[hw_col] = next(iter((e.get("headword") or {}).values()), "")
        pron = next((p for p in e.get("pronunciations") or []), None)
        if pron:
            base["ipa"] = pron.get("ipa") or ""
            base["audio"] = (pron.get("media") or {}).get("original_name") or named_file(pron)
        senses = list(_flat_senses(e)) or [("", None)]
        for number, s in senses:
            row = dict(base)
            row["sense"] = number
            if s is not None:
                _sense_cells(row, s)
            yield [neutralise(row.get(c, "")) for c in columns]
            for ex in (s or {}).get("examples", [])[1:]:
                more = {"id": e["id"], "sense": number, **_example_cells(ex)}
                yield [neutralise(more.get(c, "")) for c in columns]


def _example_cells(ex: dict) -> dict:
    row = {"example": next(iter((ex.get("text") or {}).values()), "")}
    for lang, text in (ex.get("translations") or {}).items():
        row[f"example_{lang}"] = text
    return row


def _sense_cells(row: dict, s: dict) -> None:
    row["pos"] = s.get("part_of_speech") or ""
    for lang, text in (s.get("glosses") or {}).items():
        row[f"gloss_{lang}"] = text
    for lang, text in (s.get("definitions") or {}).items():
        row[f"definition_{lang}"] = text
    if s.get("examples"):
        row.update(_example_cells(s["examples"][0]))
    row["semantic_domain"] = "; ".join(s.get("semantic_domains") or [])
    if s.get("pictures"):
        picture = s["pictures"][0]
        row["picture"] = (picture.get("media") or {}).get("original_name") or named_file(picture)
    for n in s.get("notes") or []:
        for lang, text in (n.get("text") or {}).items():
            row[f"note_{lang}"] = (
                f"{row[f'note_{lang}']}; {text}" if row.get(f"note_{lang}") else text
            )
    for k, val in ((s.get("extra") or {}).get("table") or {}).items():
        row[f"extra:{k}"] = val


def write_table(entries: list[dict], dest, *, vernacular: str | None = None) -> Path:
    """Write entries to `dest` (.csv or .xlsx), one row per sense."""
    dest = Path(dest)
    columns = table_columns(entries, vernacular)
    header = [c.partition(":")[2] if c.startswith("extra:") else c for c in columns]
    if dest.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("entries")
        ws.append(header)
        for row in table_rows(entries, columns):
            ws.append(row)
        wb.save(dest)
    else:
        with open(dest, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(table_rows(entries, columns))
    return dest
