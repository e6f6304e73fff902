"""Interchange fidelity: Toolbox markers come back as they came, and entries nobody edited since
the import go back out as they came in (MDF: byte-identical records; LIFT: canonical XML)."""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import update

from lexicon import editing
from lexicon.accounts.access import Viewer, filter_entry
from lexicon.io.exporter import export_dictionary
from lexicon.io.importer import import_file
from lexicon.io.mdf.markers import fields
from lexicon.io.mdf.read import _decode, read_mdf
from lexicon.io.mdf.write import write_mdf
from lexicon.io.safety import nfc
from lexicon.media.storage import LocalStorage
from lexicon.models import Sense
from tests.factories import all_entries
from tests.lexicon.io.test_lift import LIFT_FIXTURES

FIX = Path(__file__).parents[2] / "fixtures"
SUFFIXED = FIX / "toolbox-suffixed" / "lexicon.sfm"
TOOLBOX = [
    "toolbox-hdi/db.sfm",
    "toolbox-daakaka/db.sfm",
    "whole/toolbox-hdi/db.sfm",
    "toolbox-suffixed/lexicon.sfm",
]
LIFT = [
    *LIFT_FIXTURES,
    "lift-audio-ws/audio-ws.lift",
    "whole/lift-sena/Sena.lift",
    "whole/lift-biatah/biatah.lift",
    "whole/lift-silcawl/SILCAWL.lift",
]
ADMIN = Viewer(is_admin=True)
PUBLIC = Viewer()


def _mdf_facts(path: Path) -> Counter:
    """The (marker, value) facts of a Toolbox file."""
    text = _decode(path.read_bytes(), path.name, [])
    return Counter((m, nfc(v)) for _, m, v in fields(text))


def _records(path: Path) -> list[str]:
    """Each `\\lx` record's own text, as in the file (trailing blank lines dropped)."""
    text = nfc(_decode(path.read_bytes(), path.name, []))
    parts = re.split(r"(?m)^(?=\\lx[ \t\r\n])", text)
    return [p.rstrip("\r\n") for p in parts[1:]]


def _kept(before: Counter, after: Counter) -> float:
    return sum((before & after).values()) / sum(before.values())


def _dictionary(session, slug: str, **more):
    data = {"slug": slug, "title": slug, "language_code": "und", "analysis_ws": ["en", "fr"]}
    return editing.create_dictionary(session=session, data={**data, **more})


def _export(session, d, fmt: str, tmp_path: Path, viewer=None, storage=None) -> Path:
    dest = export_dictionary(
        session=session,
        dictionary=d,
        format=fmt,
        dest=tmp_path / f"{d.slug}.zip",
        viewer=viewer,
        storage=storage,
    )
    folder = tmp_path / f"{d.slug}-{fmt}-out"
    with zipfile.ZipFile(dest) as zf:
        zf.extractall(folder)
    return folder


# ---------------------------------------------------------------------- MDF markers (part 2)
def test_suffixed_markers_come_back_as_they_came(tmp_path):
    doc = read_mdf(SUFFIXED, vernacular="kzz", english="en", national="ms")
    # Read without a version, every record is rebuilt: the markers come from the model.
    out = write_mdf(doc.entries, tmp_path / "out.sfm", vernacular="kzz", national="ms")
    text = out.read_bytes().decode("utf-8")
    for line in (
        "\\_sh v3.0  231  MDF 4.0\r\n\\_DateStampHasFourDigitYear\r\n\r\n\\lx ambúk",
        "\\lx_Kar ambuk",
        "\\g_Eng banana\r\n\\g_Mal pisang",
        "\\g_Eng to ripen\r\n\\g_Eng to be ripe",
        "\\d_Eng large in size  or number",
        "\\sd_Eng plants\r\n\\sd_Mal tumbuhan",
        "\\x_Eng one bunch of bananas\r\n\\x_Mal satu tandan pisang",
        "\\x_Mal\r\n",
        "\\zcom checked with the elders",
    ):
        assert line in text, line
    assert not re.search(r"(?m)^\\(ge|g_mal|g_eng|sd|de|xe) ", text)
    assert _mdf_facts(out) == _mdf_facts(SUFFIXED)


@pytest.mark.parametrize("rel", TOOLBOX)
def test_rebuilt_records_keep_the_files_facts(rel, tmp_path):
    """Every record rebuilt from the model (as if all were edited): >= 99.9% of the facts."""
    src = FIX / rel
    doc = read_mdf(src, vernacular="v", national="fr")
    out = write_mdf(doc.entries, tmp_path / "out.sfm", vernacular="v", national="fr")
    kept = _kept(_mdf_facts(src), _mdf_facts(out))
    print(f"{rel}: rebuilt records keep {kept:.4%} of {sum(_mdf_facts(src).values())} facts")
    assert kept >= 0.999


@pytest.mark.parametrize("rel", TOOLBOX)
def test_untouched_mdf_records_are_byte_identical(rel, session, tmp_path):
    src = FIX / rel
    d = _dictionary(session, "tb")
    import_file(session=session, dictionary=d, path=src, format="mdf")
    folder = _export(session, d, "mdf", tmp_path)
    out = folder / "tb.sfm"
    exported = set(_records(out))
    records = _records(src)
    assert all(r in exported for r in records), [r for r in records if r not in exported][:1]
    assert _mdf_facts(out) == _mdf_facts(src)
    raw = src.read_bytes()
    if raw.startswith(b"\\_sh"):  # the header as it came, or none when it came without one
        assert out.read_bytes().startswith(raw[: raw.index(b"\\lx")])
    else:
        assert out.read_bytes().startswith(b"\\lx")


def test_edited_record_keeps_its_markers_others_stay_verbatim(session, tmp_path):
    d = _dictionary(session, "kar", language_code="kzz", vernacular_ws=["kzz"])
    d.analysis_ws = ["en", "ms"]
    import_file(session=session, dictionary=d, path=SUFFIXED, format="mdf")
    (big,) = [e for e in all_entries(session, d) if e["headword"].get("kzz") == "bóŋ"]
    big["senses"][0]["glosses"]["en"] = "large"
    editing.update_entry(
        session=session, dictionary=d, entry_id=big["id"], data=big, version=big["version"]
    )
    out = _export(session, d, "mdf", tmp_path) / "kar.sfm"
    text = out.read_bytes().decode("utf-8")
    exported = _records(out)
    edited = next(r for r in exported if r.startswith("\\lx bóŋ"))
    assert edited not in _records(SUFFIXED)
    for line in ("\\lx_Kar bong", "\\g_Eng large", "\\g_Mal besar", "\\sd_Mal ukuran"):
        assert line in edited, line
    assert "\\ge " not in text and "\\sd " not in text
    others = [r for r in _records(SUFFIXED) if not r.startswith("\\lx bóŋ")]
    assert all(r in exported for r in others)


def test_dictionary_made_in_wordkeep_exports_standard_mdf(session, tmp_path):
    d = _dictionary(session, "new", language_code="seh", vernacular_ws=["seh"])
    editing.create_entry(
        session=session,
        dictionary=d,
        data={"headword": {"seh": "nyumba"},
              "senses": [{"glosses": {"en": "house", "fr": "maison"}}]},
    )  # fmt: skip
    text = (_export(session, d, "mdf", tmp_path) / "new.sfm").read_bytes().decode("utf-8")
    assert text.startswith("\\_sh v3.0  400  MDF 4.0\r\n\r\n\\lx nyumba\r\n")
    assert "\\ge house\r\n" in text and "\\gn maison\r\n" in text


def test_a_viewer_shown_part_of_a_record_never_gets_its_source(session, tmp_path):
    d = _dictionary(session, "hidden", language_code="kzz", vernacular_ws=["kzz"])
    d.analysis_ws = ["en", "ms"]
    import_file(session=session, dictionary=d, path=SUFFIXED, format="mdf")
    (banana,) = [e for e in all_entries(session, d) if e["homograph"] == 1]
    hidden = banana["senses"][1]["id"]  # "banana plant": restricted to a circle, in place
    session.execute(
        update(Sense).where(Sense.id == hidden).values(visibility="restricted", circle="elders")
    )
    session.commit()
    (banana,) = [e for e in all_entries(session, d) if e["homograph"] == 1]
    assert banana["extra"]["mdf"]["source"]  # the version is the imported one: untouched
    seen = filter_entry(PUBLIC, d, banana)
    assert "source" not in seen["extra"]["mdf"]
    assert filter_entry(ADMIN, d, banana)["extra"]["mdf"]["source"]

    public = (
        (_export(session, d, "mdf", tmp_path, viewer=PUBLIC) / "hidden.sfm")
        .read_bytes()
        .decode("utf-8")
    )
    assert "pohon pisang" not in public and "banana plant" not in public
    assert "\\g_Eng banana\r\n" in public  # rebuilt, still with the file's markers
    owner = _export(session, d, "mdf", tmp_path / "o", viewer=ADMIN) / "hidden.sfm"
    assert _records(SUFFIXED)[0] in _records(owner)


# ---------------------------------------------------------------------- LIFT (part 3)
def _lift_entries(path: Path) -> dict[str, etree._Element]:
    tree = etree.parse(str(path), etree.XMLParser(remove_blank_text=False))
    return {e.get("guid") or e.get("id"): e for e in tree.getroot().iter("entry")}


def _c14n(el) -> str:
    """Canonical XML (C14N) of one element, in NFC: Wordkeep keeps text in NFC, so an entry
    that came in NFD (WeSay's Biatah) comes back canonically identical up to NFC."""
    el = etree.fromstring(etree.tostring(el, with_tail=False))
    return nfc(etree.tostring(el, method="c14n").decode("utf-8"))


def _raw_entries(path: Path) -> set[str]:
    text = path.read_bytes().decode("utf-8-sig")
    return set(re.findall(r"<entry\b.*?</entry>", text, re.S))


@pytest.mark.parametrize("rel", LIFT)
def test_untouched_lift_entries_are_canonically_identical(rel, session, media_dir, tmp_path):
    src = FIX / rel
    d = _dictionary(session, "lx")
    storage = LocalStorage(media_dir)
    import_file(session=session, dictionary=d, path=src, format="lift", storage=storage)
    folder = _export(session, d, "lift", tmp_path, storage=storage)
    out = next(folder.glob("*.lift"))
    before, after = _lift_entries(src), _lift_entries(out)
    assert set(before) == set(after)
    same = [k for k in before if _c14n(before[k]) == _c14n(after[k])]
    raw_src, raw_out = _raw_entries(src), _raw_entries(out)
    print(f"{rel}: {len(same)}/{len(before)} entries C14N-identical, "
          f"{len(raw_src & raw_out)}/{len(raw_src)} byte-identical")  # fmt: skip
    assert len(same) == len(before)
    # Byte for byte too, every entry but FLEx's tombstones (kept apart, not entries here) and
    # those not in NFC (Wordkeep keeps text in NFC).
    expected = {r for r in raw_src if r == nfc(r) and "dateDeleted" not in r.split(">", 1)[0]}
    assert expected <= raw_out, sorted(expected - raw_out)[:1]


def test_edited_and_hidden_lift_entries_are_rebuilt(session, tmp_path):
    src = FIX / "lift-sena" / "Sena.lift"
    d = _dictionary(session, "sena")
    import_file(session=session, dictionary=d, path=src, format="lift")
    entries = [e for e in all_entries(session, d) if len(e["senses"]) >= 2]
    edited, hidden = entries[0], entries[1]
    edited["senses"][0]["glosses"]["en"] = "EDITED"
    editing.update_entry(
        session=session, dictionary=d, entry_id=edited["id"], data=edited,
        version=edited["version"],
    )  # fmt: skip
    secret = hidden["senses"][1]
    session.execute(update(Sense).where(Sense.id == secret["id"]).values(visibility="restricted"))
    session.commit()
    before = _lift_entries(src)

    def exported(viewer, where):
        return _lift_entries(next(_export(session, d, "lift", where, viewer=viewer).glob("*.lift")))

    full = exported(ADMIN, tmp_path / "a")
    assert "EDITED" in _c14n(full[edited["id"]])
    assert _c14n(full[hidden["id"]]) == _c14n(before[hidden["id"]])  # whole: verbatim
    public = exported(PUBLIC, tmp_path / "p")
    ids = [s.get("id") for s in public[hidden["id"]].iter("sense")]
    assert secret["id"] not in ids and ids  # rebuilt without the restricted sense
    assert _c14n(public[hidden["id"]]) != _c14n(before[hidden["id"]])


def test_a_json_round_trip_never_brings_a_stale_source(session, tmp_path):
    """Our JSON export carries the LIFT source in `extra`; a JSON import (edited on the way)
    must not let a later LIFT export write that old text for the edited entry."""
    src = FIX / "lift-sena" / "Sena.lift"
    one = _dictionary(session, "sena1")
    import_file(session=session, dictionary=one, path=src, format="lift")
    data = json.loads((_export(session, one, "json", tmp_path) / "sena1.json").read_text("utf-8"))
    entry = next(e for e in data["entries"] if e["senses"] and e["senses"][0]["glosses"])
    assert "source" in entry["extra"]["lift"]
    lang = next(iter(entry["senses"][0]["glosses"]))
    entry["senses"][0]["glosses"][lang] = "CHANGED IN JSON"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), "utf-8")
    two = _dictionary(session, "sena2")
    import_file(session=session, dictionary=two, path=edited, format="json")
    lift = next(_export(session, two, "lift", tmp_path).glob("*.lift"))
    assert "CHANGED IN JSON" in lift.read_text("utf-8")


def test_relations_stay_right_in_untouched_records(session, tmp_path):
    """`\\cf bóŋ` in the untouched record cár: renamed target -> the record is rebuilt with
    the new name; a target the viewer may not see -> rebuilt without it, never verbatim."""
    d = _dictionary(session, "rel", language_code="kzz", vernacular_ws=["kzz"])
    import_file(session=session, dictionary=d, path=SUFFIXED, format="mdf")
    (big,) = [e for e in all_entries(session, d) if e["headword"].get("kzz") == "bóŋ"]
    big["headword"]["kzz"] = "bóŋŋ"
    big = editing.update_entry(
        session=session, dictionary=d, entry_id=big["id"], data=big, version=big["version"]
    )
    owner = _export(session, d, "mdf", tmp_path / "o", viewer=ADMIN) / "rel.sfm"
    car = next(r for r in _records(owner) if r.startswith("\\lx cár"))
    assert "\\cf bóŋŋ" in car and car not in _records(SUFFIXED)

    big["visibility"] = "restricted"
    editing.update_entry(
        session=session, dictionary=d, entry_id=big["id"], data=big, version=big["version"]
    )
    public = _export(session, d, "mdf", tmp_path / "p", viewer=PUBLIC) / "rel.sfm"
    text = public.read_bytes().decode("utf-8")
    assert "bóŋ" not in text and "\\lx cár" in text
