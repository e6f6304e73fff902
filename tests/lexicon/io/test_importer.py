"""Imports through the store (atomic, merged by guid, with revisions) and exports as zips."""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from lexicon import editing, entries
from lexicon.errors import ImportRejected
from lexicon.io.exporter import export_dictionary
from lexicon.io.importer import import_file
from lexicon.io.lift.facts import lift_facts
from lexicon.media.storage import LocalStorage
from lexicon.models import Entry, Media, Revision
from tests.factories import all_entries

FIX = Path(__file__).parents[2] / "fixtures"


def _count(session, model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for k, v in where.items():
        stmt = stmt.where(getattr(model, k) == v)
    return session.exec(stmt).scalar_one()


@pytest.fixture
def storage(media_dir):
    return LocalStorage(media_dir)


@pytest.fixture
def blank(session):
    def make(slug: str, code: str = "und"):
        return editing.create_dictionary(
            session=session, data={"slug": slug, "title": slug, "language_code": code}
        )

    return make


def _unzip(zip_path: Path, where: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(where)
    return where


@pytest.mark.parametrize(
    "rel",
    [
        "lift-sena/Sena.lift",
        "lift-biatah/biatah.lift",
        "lift-allflexfields/AllFLExFields.lift",
        "lift-sango-allfields/lexicon_good_v0.13_FW.lift",
        "lift-silcawl/SILCAWL.lift",
    ],
)
def test_lift_import_then_export_says_the_same(rel, session, blank, storage, tmp_path):
    d = blank("lx")
    src = FIX / rel
    report = import_file(
        session=session, dictionary=d, path=src, format="lift", editor="importer", storage=storage
    )
    # (the Sango file's one entry is a FLEx tombstone: kept verbatim, not made an entry)
    assert report.created == _count(session, Entry, dictionary_id=d.id)
    assert report.created > 0 or "sango" in rel
    # every imported entry has its first revision
    assert _count(session, Revision, dictionary_id=d.id) == report.created
    out = export_dictionary(
        session=session, dictionary=d, format="lift", dest=tmp_path / "out.zip", storage=storage
    )
    folder = _unzip(out, tmp_path / "out")
    exported = next(folder.glob("*.lift"))
    before, after = lift_facts(src), lift_facts(exported)
    assert not before - after, f"lost: {list(before - after)[:3]}"
    assert not after - before, f"invented: {list(after - before)[:3]}"
    rng = etree.RelaxNG(etree.parse(str(FIX / "lift-schema" / "lift-0.13.rng")))
    tree = etree.parse(str(src))
    for r in tree.xpath("//header/ranges/range[@href]"):
        r.set("href", "x.lift-ranges")
    if rng.validate(tree):
        assert rng.validate(etree.parse(str(exported))), rng.error_log.last_error


def test_lift_audio_travels_in_and_out(session, blank, storage, tmp_path):
    d = blank("pt", "ptn")
    src = FIX / "lift-patani-audio" / "two-mp3"
    report = import_file(session=session, dictionary=d, path=src, format="lift", storage=storage)
    assert report.media_added == 2, report.warnings
    assert _count(session, Media, dictionary_id=d.id) >= 1  # the two clips may be identical
    (e,) = all_entries(session, d)
    assert e["pronunciations"][0]["media"]["sha256"]
    out = export_dictionary(
        session=session, dictionary=d, format="lift", dest=tmp_path / "pt.zip", storage=storage
    )
    names = zipfile.ZipFile(out).namelist()
    assert any(n.startswith("audio/") and n.endswith(".mp3") for n in names)
    folder = _unzip(out, tmp_path / "o")
    assert lift_facts(src / "SingleEntryLiftWithSound.lift") == lift_facts(
        next(folder.glob("*.lift"))
    )


def test_reimport_merges_by_guid(session, blank, tmp_path):
    d = blank("sena", "seh")
    src = FIX / "lift-sena"
    first = import_file(session=session, dictionary=d, path=src / "Sena.lift", format="lift")
    n = first.created
    edited = tmp_path / "edited"
    shutil.copytree(src, edited)
    text = (edited / "Sena.lift").read_text("utf-8")
    m = re.search(r'<gloss lang="en"><text>([^<]+)</text>', text)
    text = text.replace(m.group(0), '<gloss lang="en"><text>CHANGED</text>', 1)
    new_entry = (
        '<entry id="novo_0f0f0f0f-1111-4222-8333-444455556666" '
        'guid="0f0f0f0f-1111-4222-8333-444455556666"><lexical-unit><form lang="seh">'
        "<text>novo</text></form></lexical-unit></entry>\n</lift>"
    )
    text = text.replace("</lift>", new_entry)
    (edited / "Sena.lift").write_text(text, "utf-8")
    again = import_file(session=session, dictionary=d, path=edited / "Sena.lift", format="lift")
    assert (again.created, again.updated, again.unchanged) == (1, 1, n - 1)
    assert _count(session, Entry, dictionary_id=d.id) == n + 1
    changed = [
        e
        for e in all_entries(session, d)
        if any(s["glosses"].get("en") == "CHANGED" for s in e["senses"])
    ]
    assert len(changed) == 1 and changed[0]["version"] == 2
    assert _count(session, Revision, entry_id=changed[0]["id"]) == 2


def test_same_lift_into_two_dictionaries(session, blank):
    a, b = blank("a"), blank("b")
    src = FIX / "lift-allflexfields" / "AllFLExFields.lift"
    import_file(session=session, dictionary=a, path=src, format="lift")
    report = import_file(session=session, dictionary=b, path=src, format="lift")
    assert report.created == 2
    assert {e["headword"]["th"] for e in all_entries(session, a)} == {
        e["headword"]["th"] for e in all_entries(session, b)
    }


def _hostile(tmp_path: Path) -> dict[str, tuple[Path, str, str]]:
    bomb = tmp_path / "bomb.lift"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lift [<!ENTITY a "aaaa">'
        '<!ENTITY b "&a;&a;&a;&a;">]><lift version="0.13"/>',
        "utf-8",
    )
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.write(FIX / "lift-allflexfields" / "AllFLExFields.lift", "AllFLExFields.lift")
        zf.writestr("../escape.txt", "x")
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(
        "headword,gloss_en,homograph\nnyumba,house,\n,orphan,\nmoto,fire,x\n", "utf-8"
    )
    return {
        "billion laughs": (bomb, "lift", "entities"),
        "zip slip": (evil, "lift", r"\.\./escape\.txt"),
        "bad csv row": (bad_csv, "csv", r"line 3: no headword.*line 4"),
        "pre-0.13": (FIX / "lift-schema" / "simple-0.12.lift", "lift", "older than 0.13"),
    }


@pytest.mark.parametrize("case", ["billion laughs", "zip slip", "bad csv row", "pre-0.13"])
def test_hostile_inputs_refused_and_nothing_written(case, session, blank, tmp_path):
    d = blank("h")
    path, fmt, message = _hostile(tmp_path)[case]
    with pytest.raises(ImportRejected, match=message):
        import_file(session=session, dictionary=d, path=path, format=fmt)
    assert _count(session, Entry) == 0
    assert _count(session, Revision) == 0
    assert not (tmp_path.parent / "escape.txt").exists()


def test_dry_run_writes_nothing(session, blank, tmp_path):
    d = blank("dry", "seh")
    bad = tmp_path / "w.csv"
    bad.write_text("headword,gloss_en,homograph\nnyumba,house,\nmoto,fire,x\n", "utf-8")
    report = import_file(session=session, dictionary=d, path=bad, dry_run=True)
    assert report.format == "csv" and report.created == 1
    assert [e["line"] for e in report.errors] == [3]
    good = import_file(
        session=session, dictionary=d, path=FIX / "lift-sena" / "Sena.lift", dry_run=True
    )
    assert good.created > 10 and not good.errors
    assert _count(session, Entry) == 0


def test_mdf_and_cldf_of_hdi_import_alike(session, blank):
    m, c = blank("hdi-mdf", "xed"), blank("hdi-cldf", "xed")
    import_file(
        session=session,
        dictionary=m,
        path=FIX / "toolbox-hdi" / "db.sfm",
        format="mdf",
        options={"national": "fr"},
    )
    import_file(session=session, dictionary=c, path=FIX / "cldf-hdi" / "cldf", format="cldf")

    def facts(d):
        es = all_entries(session, d)
        return (
            {e["headword"]["xed"] for e in es},
            {
                (e["headword"]["xed"], " ".join(s["glosses"].get("en", "").split()))
                for e in es
                for s in e["senses"]
            },
        )

    assert facts(m) == facts(c)
    assert len(facts(m)[0]) > 50


@pytest.mark.parametrize("fmt", ["csv", "cldf", "json"])
def test_other_exports_are_zips_that_read_back(fmt, session, blank, tmp_path):
    d = blank("s", "seh")
    import_file(session=session, dictionary=d, path=FIX / "lift-sena" / "Sena.lift")
    out = export_dictionary(session=session, dictionary=d, format=fmt, dest=tmp_path / "x.zip")
    folder = _unzip(out, tmp_path / "x")
    back = blank("back", "seh")
    target = {"csv": folder / "s.csv", "json": folder / "s.json", "cldf": folder / "cldf"}[fmt]
    report = import_file(session=session, dictionary=back, path=target, format=fmt)
    assert report.created == _count(session, Entry, dictionary_id=d.id)
    assert sorted(e["headword_text"] for e in all_entries(session, back)) == sorted(
        e["headword_text"] for e in all_entries(session, d)
    )


def test_entries_made_in_wordkeep_export_to_valid_lift(session, blank, tmp_path):
    d = blank("born", "seh")
    house = editing.create_entry(
        session=session,
        dictionary=d,
        data={
            "headword": {"seh": "nyumba"},
            "citation": {"seh": "nyumba"},
            "morph_type": "stem",
            "pronunciations": [{"ipa": "ɲumba", "forms": {"seh-fonipa": "ɲumba"}}],
            "variants": [{"form": {"seh": "nyumb'"}, "type": "dialectal"}],
            "notes": [{"type": "general", "text": {"en": "common"}}],
            "etymologies": [{"type": "borrowed", "source": "Bantu", "form": {"seh": "*yumba"}}],
            "senses": [
                {
                    "part_of_speech": "n",
                    "glosses": {"en": "house", "pt": "casa"},
                    "definitions": {"en": "a building"},
                    "semantic_domains": ["6.5.1 Building"],
                    "reversals": [{"lang": "en", "text": "house"}],
                    "examples": [
                        {"text": {"seh": "nyumba yanga"}, "translations": {"en": "my house"}}
                    ],
                }
            ],
        },
    )
    editing.create_entry(
        session=session,
        dictionary=d,
        data={
            "headword": {"seh": "nyumbanyumba"},
            "relations": [{"type": "synonym", "target_id": house["id"]}],
        },
    )
    out = export_dictionary(session=session, dictionary=d, format="lift", dest=tmp_path / "b.zip")
    lift = next(_unzip(out, tmp_path / "b").glob("*.lift"))
    rng = etree.RelaxNG(etree.parse(str(FIX / "lift-schema" / "lift-0.13.rng")))
    tree = etree.parse(str(lift))
    assert rng.validate(tree), rng.error_log.last_error
    (ref,) = tree.xpath("//relation/@ref")
    assert ref == tree.xpath(f"//entry[@guid='{house['id']}']/@id")[0]
    assert tree.xpath("//example/translation/form[@lang='en']/text/text()") == ["my house"]
    again = blank("again", "seh")
    report = import_file(session=session, dictionary=again, path=lift, format="lift")
    assert report.created == 2


def test_csv_zip_carries_audio_both_ways(session, blank, storage, tmp_path):
    d = blank("pt", "ptn")
    import_file(
        session=session,
        dictionary=d,
        path=FIX / "lift-patani-audio" / "webm",
        format="lift",
        storage=storage,
    )
    out = export_dictionary(
        session=session, dictionary=d, format="csv", dest=tmp_path / "pt.zip", storage=storage
    )
    names = zipfile.ZipFile(out).namelist()
    assert "pt.csv" in names and any(n.startswith("audio/") for n in names)
    back = blank("back", "ptn")
    report = import_file(session=session, dictionary=back, path=out, format="csv", storage=storage)
    assert report.created == 1 and report.media_added == 1, report.warnings
    (e,) = all_entries(session, back)
    assert (
        e["pronunciations"][0]["media"]["sha256"]
        == (all_entries(session, d)[0]["pronunciations"][0]["media"]["sha256"])
    )


def test_reimport_with_flex_tombstone_deletes_softly(session, blank, tmp_path):
    d = blank("t", "seh")
    src = FIX / "lift-sena" / "Sena.lift"
    first = import_file(session=session, dictionary=d, path=src, format="lift")
    tree = etree.parse(str(src))
    victim = tree.xpath("//entry")[3]
    guid = victim.get("guid")
    tomb = etree.Element(
        "entry", id=victim.get("id"), guid=guid, dateDeleted="2024-01-01T00:00:00Z"
    )
    victim.getparent().replace(victim, tomb)
    edited = tmp_path / "Sena.lift"
    tree.write(str(edited), xml_declaration=True, encoding="UTF-8")
    again = import_file(session=session, dictionary=d, path=edited, format="lift")
    assert again.deleted == 1 and again.unchanged == first.created - 1
    assert session.get(Entry, guid).deleted
    assert _count(session, Revision, entry_id=guid) == 2  # create, then delete: restorable


WHOLE = Path(__file__).parents[2] / "fixtures" / "whole"  # whole files, not excerpts


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["lift-sena", "lift-biatah", "lift-silcawl"])
def test_whole_shared_lift_through_the_database(folder, session, blank, storage, tmp_path):
    src_dir = WHOLE / folder
    src = next(src_dir.glob("*.lift"))
    d = blank("whole")
    import_file(session=session, dictionary=d, path=src, format="lift", storage=storage)
    out = export_dictionary(
        session=session, dictionary=d, format="lift", dest=tmp_path / "w.zip", storage=storage
    )
    exported = next(_unzip(out, tmp_path / "w").glob("*.lift"))
    assert lift_facts(src) == lift_facts(exported)


def test_batch_writes_normalise_what_is_not_nfc(session, blank):
    """The batch write skips the NFC walk only when the whole entry is NFC already: NFD
    letters, a NUL and U+2000 (whose NFC is U+2002) must still come out normalised."""
    nfd = unicodedata.normalize("NFD", "ŋ̀gàmà")
    d = blank("nfc")
    clean, dirty = editing.create_entries(
        session=session,
        dictionary=d,
        items=[
            {"headword": {"seh": "ŋ̀gàmà"}, "senses": [{"glosses": {"en": "river"}}]},
            {
                "headword": {"seh": nfd},
                "senses": [{"glosses": {"en": "a\x00b\u2000c"}}],
                "extra": {"note": {nfd: [nfd]}},
            },
        ],
    )
    session.commit()
    assert clean["headword"] == {"seh": "ŋ̀gàmà"}
    stored = entries.entry_dicts(
        session=session, dictionary=d, rows=[session.get(Entry, dirty["id"])]
    )[0]
    assert stored["headword"] == {"seh": "ŋ̀gàmà"} == dirty["headword"]
    assert stored["senses"][0]["glosses"]["en"] == "ab\u2002c"
    assert stored["extra"] == {"note": {"ŋ̀gàmà": ["ŋ̀gàmà"]}}  # keys too
