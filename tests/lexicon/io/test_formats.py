"""Toolbox MDF, CLDF, CSV/XLSX and JSON readers and writers on real (excerpted) data."""

from __future__ import annotations

import csv
import json
import unicodedata
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lexicon.errors import ImportRejected
from lexicon.io.cldf.read import CldfError, read_cldf
from lexicon.io.cldf.write import write_cldf
from lexicon.io.jsonio import read_json, write_json
from lexicon.io.lift.package import read_lift
from lexicon.io.mdf.read import MdfError, read_mdf
from lexicon.io.tabular.read import guess_mapping, neutralise, read_table, unneutralise
from lexicon.io.tabular.write import write_table

FIX = Path(__file__).parents[2] / "fixtures"
WHOLE = Path(__file__).parents[2] / "fixtures" / "whole"  # whole files, not excerpts


def _hw(e: dict) -> str:
    return next(iter(e["headword"].values()), "")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _headwords_and_glosses(entries):
    return (
        {_hw(e) for e in entries},
        {(_hw(e), _squash(s["glosses"].get("en", ""))) for e in entries for s in e["senses"]},
    )


@pytest.mark.parametrize("root", [FIX, WHOLE])
def test_hdi_mdf_and_cldf_agree(root):
    mdf = read_mdf(root / "toolbox-hdi" / "db.sfm", vernacular="xed", national="fr")
    cldf = read_cldf(root / "cldf-hdi" / "cldf")
    m_hw, m_gl = _headwords_and_glosses(mdf.entries)
    c_hw, c_gl = _headwords_and_glosses(cldf.entries)
    assert len(m_hw) > 50
    assert m_hw == c_hw
    assert m_gl == c_gl


def test_mdf_hdi_details():
    doc = read_mdf(
        FIX / "toolbox-hdi" / "db.sfm",
        vernacular="xed",
        national="fr",
        marker_map={"dn": ("gloss", "N"), "cm": ("note", "comment")},
    )
    raw = (FIX / "toolbox-hdi" / "db.sfm").read_bytes()
    assert b"\r\n" in raw
    first = doc.entries[0]
    assert _hw(first) == "-a-"
    assert first["senses"][0]["glosses"] == {
        "en": "[verbal plural marker]",
        "fr": "[marque du pluriel verbal]",
    }
    # \cm was wrapped over three lines: one value, joined with spaces
    note = first["senses"][0]["notes"][0]
    assert note["type"] == "comment"
    assert note["text"]["en"].startswith("inserted after the first consonant")
    assert "plurality of the object, plurality" in note["text"]["en"]
    # unknown markers are kept, in order, where they were written
    kept = [
        m
        for e in doc.entries
        for o in [e, *e["senses"]]
        for m in o.get("extra", {}).get("mdf", {}).get("markers", [])
    ]
    assert ["zcom2", "RUN [1519]"] in kept
    assert ["dt", "20/Sep/2017"] in doc.entries[1]["extra"]["mdf"]["markers"]
    # \sf sound files and \sfx example sounds are media references
    assert any(p["media"] for e in doc.entries for p in e["pronunciations"])
    assert any(m["href"].endswith(".wav") for m in doc.media)
    ex = [x for e in doc.entries for s in e["senses"] for x in s["examples"]]
    assert any(x["translations"].keys() == {"en", "fr"} for x in ex)


def test_mdf_suffixed_markers_bom_and_continuations(tmp_path):
    p = tmp_path / "k.txt"
    text = (
        "\\_sh v3.0  400  MDF 4.0\r\n\r\n\\lx kar\r\n\\ps n\r\n\\g_Eng tree,\r\n  big one\r\n"
        "\\g_Ind pohon\r\n\\xv kar ma\r\n\\x_Eng the tree\r\n\\xzz odd\r\n\r\n"
        "\\lx kar\r\n\\hm 2\r\n\\cf kar\r\n"
    )
    p.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    doc = read_mdf(p, vernacular="kgv")
    assert doc.header == ["\\_sh v3.0  400  MDF 4.0"]
    a, b = doc.entries
    assert a["headword"] == {"kgv": "kar"}
    assert a["senses"][0]["glosses"] == {"en": "tree, big one", "id": "pohon"}
    assert a["senses"][0]["examples"][0]["translations"] == {"en": "the tree"}
    assert a["senses"][0]["examples"][0]["extra"]["mdf"]["markers"] == [["xzz", "odd"]]
    assert b["homograph"] == 2 and a["id"] != b["id"]
    assert b["relations"][0]["target_id"] == a["id"]


def test_mdf_refuses_a_file_without_records(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("just some notes\nand more\n", "utf-8")
    with pytest.raises(MdfError, match=r"no \\lx record"):
        read_mdf(p)


def test_mdf_daakaka_domains_and_links():
    doc = read_mdf(FIX / "toolbox-daakaka" / "db.sfm", vernacular="bpa", national="bi")
    assert len(doc.entries) == 40
    domains = {d for e in doc.entries for s in e["senses"] for d in s["semantic_domains"]}
    assert "plants" in domains
    kept = {
        m[0]
        for e in doc.entries
        for o in [e, *e["senses"]]
        for m in o.get("extra", {}).get("mdf", {}).get("markers", [])
    }
    assert "xref" in kept


def test_cldf_palula_nfc_custom_columns_and_examples():
    raw = (FIX / "cldf-palula" / "cldf" / "entries.csv").read_text("utf-8")
    assert not unicodedata.is_normalized("NFC", raw), "fixture keeps Palula's NFD text"
    doc = read_cldf(FIX / "cldf-palula" / "cldf")
    assert len(doc.entries) == 40
    assert all(unicodedata.is_normalized("NFC", _hw(e)) for e in doc.entries)
    extra_cols = {k for e in doc.entries for k in e["extra"].get("cldf", {})}
    assert {"Phonetic", "Vernacular"} & extra_cols
    examples = [x for e in doc.entries for s in e["senses"] for x in s["examples"]]
    assert examples and all(x["text"] for x in examples)
    assert any(x["extra"]["cldf"].get("Analyzed_Word") for x in examples)


def test_cldf_export_validates_and_reads_back(tmp_path):
    with read_lift(FIX / "lift-sena" / "Sena.lift") as lift:
        entries = lift.entries
    meta = write_cldf(
        entries, tmp_path / "sena", dictionary={"language_code": "seh", "title": "Sena"}
    )
    back = read_cldf(meta)
    assert [_hw(e) for e in back.entries] == [_hw(e) for e in entries]
    src_ex = sum(1 for e in entries for s in e["senses"] for x in s["examples"] if x["text"])
    assert sum(len(s["examples"]) for e in back.entries for s in e["senses"]) >= src_ex - 1


def test_cldf_export_with_media_files(tmp_path):
    doc = read_cldf(FIX / "cldf-hdi" / "cldf")
    audio = next(p["media"] for e in doc.entries for p in e["pronunciations"] if p["media"])
    files = {audio["href"]: ("clip.wav", b"RIFF0000WAVE", "audio/x-wav")}
    meta = write_cldf(
        doc.entries, tmp_path / "hdi", dictionary={"language_code": "xed"}, media_files=files
    )
    assert (meta.parent / "media" / "clip.wav").read_bytes() == b"RIFF0000WAVE"
    rows = list(csv.DictReader((meta.parent / "media.csv").read_text("utf-8").splitlines()))
    assert any(r["Download_URL"] == "media/clip.wav" for r in rows)


def test_cldf_refuses_non_dictionary(tmp_path):
    with pytest.raises(CldfError, match="no CLDF metadata"):
        read_cldf(tmp_path)


def test_guess_mapping_from_headers():
    headers = [
        "headword",
        "pos",
        "gloss_en",
        "definition_fr",
        "example",
        "example_en",
        "audio",
        "Gloss (pt)",
        "whatever",
    ]
    assert guess_mapping(headers) == {
        "headword": "headword",
        "pos": "pos",
        "gloss_en": "gloss:en",
        "definition_fr": "definition:fr",
        "example": "example",
        "example_en": "example:en",
        "audio": "audio",
        "Gloss (pt)": "gloss:pt",
        "whatever": "extra:whatever",
    }


def test_csv_dry_run_lists_bad_rows(tmp_path):
    p = tmp_path / "words.csv"
    p.write_text(
        "headword,homograph,gloss_en\nnyumba,,house\n,,orphan gloss\n"
        "madzi,two,water\nmoto,,fire,extra cell\nmoto,1,fire\n",
        "utf-8",
    )
    doc = read_table(p, vernacular="seh")
    lines = {e["line"]: e["message"] for e in doc.errors}
    assert set(lines) == {3, 4, 5}
    assert "no headword" in lines[3]
    assert "'two' is not a number" in lines[4]
    assert "4 cells" in lines[5]
    assert [_hw(e) for e in doc.entries] == ["nyumba", "moto"]


def test_csv_mapping_can_be_edited(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("word;meaning;sentence\nnyumba;house;ndi nyumba\n", "utf-8")
    doc = read_table(
        p,
        vernacular="seh",
        mapping={"word": "headword", "meaning": "gloss:en", "sentence": "example"},
    )
    (e,) = doc.entries
    assert e["senses"][0]["glosses"] == {"en": "house"}
    assert e["senses"][0]["examples"][0]["text"] == {"seh": "ndi nyumba"}
    bad = read_table(p, mapping={"word": "headword", "meaning": "glos:en", "sentence": "example"})
    assert "unknown target 'glos:en'" in bad.errors[0]["message"]


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_table_round_trip_of_sena(ext, tmp_path):
    with read_lift(FIX / "lift-sena" / "Sena.lift") as doc:
        entries = doc.entries
    out = write_table(entries, tmp_path / f"sena.{ext}", vernacular="seh")
    back = read_table(out, vernacular="seh")
    assert not back.errors

    def facts(es):
        def senses(ss):
            return tuple(
                (
                    tuple(sorted(s["glosses"].items())),
                    senses(s["subsenses"]),
                    tuple(
                        tuple(sorted(x["translations"].items()))
                        for x in s["examples"]
                        if x["text"] or x["translations"]
                    ),
                )
                for s in ss
            )

        return [(e["id"], e["headword"], senses(e["senses"])) for e in es]

    assert facts(back.entries) == facts(entries)


def test_formula_cells_neutralised(tmp_path):
    entry = {
        "id": "0b6c3c8e-4f00-4d55-9d1f-7d2f2c1e3a10",
        "headword": {"seh": "=HYPERLINK(1)"},
        "senses": [
            {
                "id": "s",
                "glosses": {"en": "+1", "pt": "@x"},
                "definitions": {"en": "-2"},
                "examples": [],
                "subsenses": [],
            }
        ],
    }
    out = write_table([entry], tmp_path / "x.csv")
    cells = next(iter(csv.DictReader(out.read_text("utf-8").splitlines())))
    assert cells["headword"] == "'=HYPERLINK(1)"
    assert cells["gloss_en"] == "'+1" and cells["gloss_pt"] == "'@x"
    xl = write_table([entry], tmp_path / "x.xlsx")
    ws = load_workbook(xl).worksheets[0]
    values = [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))]
    assert "'=HYPERLINK(1)" in values and not any(
        isinstance(v, str) and v.startswith("=") for v in values
    )
    back = read_table(out)
    assert back.entries[0]["headword"] == {"und": "=HYPERLINK(1)"}
    assert unneutralise(neutralise("'=x")) == "'=x"


def test_table_zip_with_audio(tmp_path):
    z = tmp_path / "sheet.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("words.csv", "headword,gloss_en,audio\nnyumba,house,audio/nyumba.mp3\n")
        zf.write(FIX / "lift-patani-audio" / "two-mp3" / "audio" / "short.mp3", "audio/nyumba.mp3")
    with read_table(z, vernacular="seh") as doc:
        (ref,) = doc.media
        mp3 = FIX / "lift-patani-audio" / "two-mp3" / "audio" / "short.mp3"
        assert ref["path"] and Path(ref["path"]).read_bytes() == mp3.read_bytes()
        assert doc.entries[0]["pronunciations"][0]["media"]["original_name"] == "nyumba.mp3"


def test_json_round_trip_and_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "ŋ̀gàmà")
    entry = {"id": "e1", "headword": {"xx": nfd}, "senses": [], "extra": {"k": nfd}}
    out = write_json({"slug": "d", "title": "D"}, [entry], tmp_path / "d.json")
    data = json.loads(out.read_text("utf-8"))
    assert data["format"] == "wordkeep-dictionary" and data["dictionary"]["slug"] == "d"
    doc = read_json(out)
    assert doc.entries[0]["headword"]["xx"] == unicodedata.normalize("NFC", nfd)
    assert doc.entries[0]["extra"]["k"] == unicodedata.normalize("NFC", nfd)


def test_json_entries_without_ids_are_new_ones(tmp_path):
    """A bare list from another tool names no ids: each entry is a new one (it was a crash)."""
    path = tmp_path / "words.json"
    path.write_text(json.dumps([{"headword": {"xx": "a"}}, {"headword": {"xx": "b"}, "id": ""}]))
    ids = [e["id"] for e in read_json(path).entries]
    assert len(set(ids)) == 2 and all(len(i) == 36 for i in ids)
    path.write_text(json.dumps([{"headword": {"xx": "a"}, "id": 7}]))
    with pytest.raises(ImportRejected, match="words.json: entry 1: id must be a string"):
        read_json(path)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_apostrophes_in_a_csv_are_letters_not_quotes(tmp_path, delimiter):
    """Many orthographies write a glottal stop with an apostrophe. The reader used to let
    csv.Sniffer guess `'` as the quote character and mangled such cells."""
    rows = [["headword", "gloss_en"], ["ka'u", "'the' word"], ["'a", "it's"], ["'", "x,y"]]
    p = tmp_path / "words.csv"
    with p.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    doc = read_table(p, vernacular="seh")
    assert not doc.errors, doc.errors
    assert [(e["headword"]["seh"], e["senses"][0]["glosses"]["en"]) for e in doc.entries] == [
        ("ka'u", "'the' word"), ("'a", "it's"), ("'", "x,y")]  # fmt: skip


def _sense_table(meta: Path) -> list[dict]:
    tables = json.loads(meta.read_text("utf-8"))["tables"]
    return next(t for t in tables if t["url"] == "senses.csv")["tableSchema"]["columns"]


def test_cldf_export_of_a_sense_with_no_gloss_reads_back(tmp_path):
    """A sense with no gloss nor definition yet (WeSay's Biatah has them: "check meaning"):
    CLDF requires a sense's Description, so the export marks that column optional for this
    dataset (which still validates) and every sense comes back, where the re-import of our
    own export used to be refused."""
    with read_lift(FIX / "lift-sena" / "Sena.lift") as lift:
        entries = lift.entries[:20]
    bare = entries[3]["senses"][0]
    bare["glosses"], bare["definitions"] = {}, {}
    meta = write_cldf(entries, tmp_path / "s", dictionary={"language_code": "seh"})
    from pycldf import Dataset

    assert Dataset.from_metadata(meta).validate(log=None)
    back = read_cldf(meta)
    senses = [s for e in back.entries for s in e["senses"]]
    assert [s for s in senses if not any(s["glosses"].values())] != []
    assert len(senses) >= sum(len(e["senses"]) for e in entries)
    assert next(c for c in _sense_table(meta) if c["name"] == "Description")["required"] is False


def test_cldf_export_keeps_description_required_when_every_sense_has_one(tmp_path):
    with read_lift(FIX / "lift-sena" / "Sena.lift") as lift:
        entries = [e for e in lift.entries[:20] if all(s["glosses"] for s in e["senses"])]
    meta = write_cldf(entries, tmp_path / "s", dictionary={"language_code": "seh"})
    assert next(c for c in _sense_table(meta) if c["name"] == "Description")["required"] is True
