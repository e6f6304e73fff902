"""LIFT 0.13 read/write: round trips as canonical facts, schema validity, hostile files."""

from __future__ import annotations

import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from lexicon.errors import ImportRejected
from lexicon.io.lift.facts import lift_facts
from lexicon.io.lift.package import LiftVersionError, read_lift, write_lift
from lexicon.io.safety import UnsafeArchive, UnsafeXML

FIX = Path(__file__).parents[2] / "fixtures"
WHOLE = Path(__file__).parents[2] / "fixtures" / "whole"  # whole files, not excerpts
LIFT_FIXTURES = [
    "lift-sena/Sena.lift",
    "lift-biatah/biatah.lift",
    "lift-sango-allfields/lexicon_good_v0.13_FW.lift",
    "lift-allflexfields/AllFLExFields.lift",
    "lift-patani-audio/two-mp3/SingleEntryLiftWithSound.lift",
    "lift-patani-audio/webm/SingleEntryLiftWithSound.lift",
    "lift-silcawl/SILCAWL.lift",
]


@pytest.fixture(scope="module")
def rng():
    return etree.RelaxNG(etree.parse(str(FIX / "lift-schema" / "lift-0.13.rng")))


def _valid(rng, path: Path, relative_hrefs: bool = False) -> bool:
    tree = etree.parse(str(path))
    if relative_hrefs:
        # libxml2 rejects FLEx's "file://C:/..." range hrefs as anyURI; judge the rest.
        for r in tree.xpath("//header/ranges/range[@href]"):
            r.set("href", "x.lift-ranges")
    return rng.validate(tree)


def _assert_round_trip(src: Path, out_dir: Path, rng) -> None:
    with read_lift(src) as doc:
        out = write_lift(doc, out_dir)
    before, after = lift_facts(src), lift_facts(out)
    missing, added = before - after, after - before
    assert not missing, f"lost {sum(missing.values())} facts, e.g. {list(missing)[:3]}"
    assert not added, f"invented {sum(added.values())} facts, e.g. {list(added)[:3]}"
    assert sum(before.values()) > 50
    if _valid(rng, src, relative_hrefs=True):
        assert _valid(rng, out), rng.error_log.last_error


@pytest.mark.parametrize("rel", LIFT_FIXTURES)
def test_round_trip_keeps_every_fact(rel, tmp_path, rng):
    _assert_round_trip(FIX / rel, tmp_path / "out", rng)


@pytest.mark.parametrize(
    "src",
    [
        WHOLE / "lift-sena" / "Sena.lift",
        WHOLE / "lift-biatah" / "biatah.lift",
        WHOLE / "lift-silcawl" / "SILCAWL.lift",
        FIX / "lift-allflexfields" / "AllFLExFields.lift",  # the excerpt is the whole file
    ],
    ids=lambda path: path.parent.name,
)
def test_round_trip_whole_shared_files(src, tmp_path, rng):
    _assert_round_trip(src, tmp_path / "out", rng)


def test_facts_notice_a_lost_gloss(tmp_path):
    """The round-trip check itself must fail when something is dropped."""
    src = FIX / "lift-sena" / "Sena.lift"
    with read_lift(src) as doc:
        victim = next(e for e in doc.entries if e["senses"] and e["senses"][0]["glosses"])
        victim["senses"][0]["glosses"].pop(next(iter(victim["senses"][0]["glosses"])))
        out = write_lift(doc, tmp_path / "out")
    assert lift_facts(src) - lift_facts(out)


def test_sena_mapping(tmp_path):
    with read_lift(FIX / "lift-sena" / "Sena.lift") as doc:
        assert doc.producer.startswith("SIL.FLEx")
        assert "Plural" in doc.field_defs
        assert "grammatical-info" in doc.ranges and doc.ranges["grammatical-info"]
        assert "seh.ldml" in doc.writing_systems
        assert doc.vernacular_ws[0] == "seh" and {"en", "pt"} <= set(doc.analysis_ws)
        senses = [s for e in doc.entries for s in e["senses"]]
        assert any({"en", "pt"} <= set(s["glosses"]) for s in senses)
        examples = [x for s in senses for x in s["examples"]]
        assert any(x["text"] and x["translations"] for x in examples)
        assert any(e["variants"] for e in doc.entries)
        assert any(e["etymologies"] for e in doc.entries)
        assert any(e["morph_type"] for e in doc.entries)
        assert any(s["subsenses"] for s in senses)
        fields = [f for e in doc.entries for f in e["extra"].get("lift", {}).get("fields", [])]
        assert fields, "custom fields are kept in extra['lift']['fields']"
        # spans: the plain text is searchable, the markup is kept for the export
        rich = [e for e in doc.entries if "<span" in repr(e["extra"]) or "<span" in repr(e)]
        assert rich
        ids = {e["id"] for e in doc.entries}
        related = [r for e in doc.entries for r in e["relations"] if r["target_id"] in ids]
        assert all(r["target_headword"] for r in related)


def test_ranges_found_beside_lift_despite_absolute_href(tmp_path):
    src = FIX / "lift-sena"
    assert "file://C:/" in (src / "Sena.lift").read_text("utf-8")
    copy = tmp_path / "elsewhere"
    shutil.copytree(src, copy)
    with read_lift(copy / "Sena.lift") as doc:
        assert doc.ranges_xml and doc.ranges["etymology"]
        out = write_lift(doc, tmp_path / "out")
    hrefs = etree.parse(str(out)).xpath("//header/ranges/range/@href")
    assert hrefs and set(hrefs) == {"Sena.lift-ranges"}
    assert (out.parent / "Sena.lift-ranges").is_file()


LIFT_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<lift version="0.13" producer="test">
{body}
</lift>
"""


def _write(tmp_path: Path, body: str, name="t.lift") -> Path:
    p = tmp_path / name
    p.write_text(LIFT_TEMPLATE.format(body=body), "utf-8")
    return p


def test_headword_from_citation_when_no_lexical_unit(tmp_path, rng):
    p = _write(
        tmp_path,
        """<entry id="x" guid="0b6c3c8e-4f00-4d55-9d1f-7d2f2c1e3a10">
<citation><form lang="seh"><text>nyumba</text></form></citation>
<sense id="s1"><gloss lang="en"><text>house</text></gloss></sense></entry>""",
    )
    with read_lift(p) as doc:
        (e,) = doc.entries
        assert e["headword"] == {"seh": "nyumba"} and e["citation"] == {"seh": "nyumba"}
        assert e["id"] == "0b6c3c8e-4f00-4d55-9d1f-7d2f2c1e3a10"
        out = write_lift(doc, tmp_path / "out")
    assert not etree.parse(str(out)).xpath("//lexical-unit")  # nothing invented
    assert lift_facts(p) == lift_facts(out)
    assert _valid(rng, out)


def test_edited_text_drops_stale_span_markup(tmp_path):
    p = _write(
        tmp_path,
        """<entry id="a" guid="6db30a98-530e-4614-86d4-237f6984db71">
<lexical-unit><form lang="seh"><text>ku<span lang="pt">casa</span></text></form></lexical-unit>
</entry>""",
    )
    with read_lift(p) as doc:
        (e,) = doc.entries
        assert e["headword"] == {"seh": "kucasa"}
        out = write_lift(doc, tmp_path / "same")
        assert etree.parse(str(out)).xpath("//span[@lang='pt']/text()") == ["casa"]
        e["headword"]["seh"] = "kunyumba"
        out2 = write_lift(doc, tmp_path / "edited")
    tree = etree.parse(str(out2))
    assert tree.xpath("//lexical-unit//text/text()") == ["kunyumba"]
    assert not tree.xpath("//span")


def test_text_is_nfc(tmp_path):
    src = FIX / "lift-biatah" / "biatah.lift"
    assert src.read_bytes().startswith(b"\xef\xbb\xbf")
    raw = etree.parse(str(src)).xpath("//text/text()")
    assert any(unicodedata.normalize("NFC", t) != t for t in raw), "fixture has non-NFC text"
    with read_lift(src) as doc:
        values = [v for e in doc.entries for v in e["headword"].values()]
        values += [v for e in doc.entries for s in e["senses"] for v in s["glosses"].values()]
        assert all(unicodedata.is_normalized("NFC", v) for v in values)
        assert any("NFC" in w["message"] for w in doc.warnings)


def test_zip_package_with_audio_in_and_out(tmp_path):
    src = FIX / "lift-patani-audio" / "two-mp3"
    package = tmp_path / "patani.zip"
    with zipfile.ZipFile(package, "w") as zf:
        for f in src.rglob("*"):
            if f.is_file():
                zf.write(f, "Patani/" + f.relative_to(src).as_posix())
    with read_lift(package) as doc:
        found = {Path(m["path"]).name for m in doc.media if m["path"]}
        assert found == {"short.mp3", "short1.mp3"}
        p = doc.entries[0]["pronunciations"][0]
        assert p["media"]["original_name"] == "short.mp3"
        out = write_lift(doc, tmp_path / "out.zip")
        tmp = Path(doc._tmp)
    assert not tmp.exists(), "the unpacked zip is cleaned up"
    names = set(zipfile.ZipFile(out).namelist())
    assert {
        "audio/short.mp3",
        "audio/short1.mp3",
        "SingleEntryLiftWithSound.lift",
        "SingleEntryLiftWithSound.lift-ranges",
    } <= names
    assert any(n.startswith("WritingSystems/") for n in names)


def test_pre_013_lift_refused(tmp_path):
    with pytest.raises(LiftVersionError, match=r"0\.12.*older than 0\.13"):
        read_lift(FIX / "lift-schema" / "simple-0.12.lift")
    p = tmp_path / "old.lift"
    p.write_text('<?xml version="1.0"?><lift><entry id="a"/></lift>', "utf-8")
    with pytest.raises(LiftVersionError, match="no version"):
        read_lift(p)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lift [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lift version="0.13"><entry id="a"><lexical-unit><form lang="en"><text>&lol3;</text>
</form></lexical-unit></entry></lift>
"""


def test_billion_laughs_refused(tmp_path):
    p = tmp_path / "bomb.lift"
    p.write_text(BILLION_LAUGHS, "utf-8")
    with pytest.raises(UnsafeXML, match="entities"):
        read_lift(p)


def test_zip_with_parent_paths_refused(tmp_path):
    p = tmp_path / "evil.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("x.lift", LIFT_TEMPLATE.format(body=""))
        zf.writestr("../../outside.txt", "pwned")
    with pytest.raises(UnsafeArchive, match=r"\.\./\.\./outside\.txt.*path traversal"):
        read_lift(p)
    assert not (tmp_path.parent / "outside.txt").exists()


def test_not_lift_and_broken_xml_refused(tmp_path):
    p = tmp_path / "x.lift"
    p.write_text("<notlift/>", "utf-8")
    with pytest.raises(ImportRejected, match="not <lift>"):
        read_lift(p)
    p.write_text('<lift version="0.13"><entry>', "utf-8")
    with pytest.raises(ImportRejected, match="not well-formed"):
        read_lift(p)
