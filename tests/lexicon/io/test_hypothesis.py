"""Text in any script survives LIFT, CSV and JSON unchanged (after NFC)."""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexicon.io.jsonio import read_json, write_json
from lexicon.io.lift.package import read_lift, write_lift
from lexicon.io.tabular.read import read_table
from lexicon.io.tabular.write import write_table

# Control characters, surrogates and unassigned code points cannot live in XML or a cell.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Co")),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() == s and s.strip())
LANG = st.sampled_from(["seh", "th", "ar", "zh-Hans", "qaa-x-natqgu", "sg-fonipa"])


def _entry(headword: str, gloss: str, example: str, lang: str) -> dict:
    return {
        "id": "0b6c3c8e-4f00-4d55-9d1f-7d2f2c1e3a10",
        "headword": {lang: headword},
        "citation": {},
        "homograph": 0,
        "morph_type": None,
        "pronunciations": [],
        "variants": [],
        "relations": [],
        "notes": [{"type": "general", "text": {"en": gloss}}],
        "etymologies": [],
        "extra": {},
        "senses": [
            {
                "id": "5f0f1d5e-2f6c-4f6b-9a59-3c6b8a0c2d11",
                "part_of_speech": "n",
                "glosses": {"en": gloss},
                "definitions": {},
                "semantic_domains": [],
                "notes": [],
                "examples": [{"id": "x", "text": {lang: example}, "translations": {"en": gloss}}],
                "pictures": [],
                "reversals": [],
                "subsenses": [],
            }
        ],
    }


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(headword=TEXT, gloss=TEXT, example=TEXT, lang=LANG)
def test_lift_round_trip_any_script(headword, gloss, example, lang):
    with tempfile.TemporaryDirectory() as tmp:
        from lexicon.io.lift.package import LiftDocument

        out = write_lift(
            LiftDocument(entries=[_entry(headword, gloss, example, lang)]), Path(tmp) / "out"
        )
        with read_lift(out) as doc:
            (e,) = doc.entries
    assert e["headword"] == {lang: _nfc(headword)}
    assert e["senses"][0]["glosses"] == {"en": _nfc(gloss)}
    assert e["senses"][0]["examples"][0]["text"] == {lang: _nfc(example)}
    assert e["notes"][0]["text"] == {"en": _nfc(gloss)}


@SETTINGS
@given(headword=TEXT, gloss=TEXT, example=TEXT, lang=LANG)
def test_csv_round_trip_any_script(headword, gloss, example, lang):
    with tempfile.TemporaryDirectory() as tmp:
        out = write_table(
            [_entry(headword, gloss, example, lang)], Path(tmp) / "x.csv", vernacular=lang
        )
        doc = read_table(out, vernacular=lang)
    assert not doc.errors
    (e,) = doc.entries
    assert e["headword"] == {lang: _nfc(headword)}
    assert e["senses"][0]["glosses"] == {"en": _nfc(gloss)}
    assert e["senses"][0]["examples"][0]["text"] == {lang: _nfc(example)}


@SETTINGS
@given(headword=TEXT, gloss=TEXT, example=TEXT, lang=LANG)
def test_json_round_trip_any_script(headword, gloss, example, lang):
    with tempfile.TemporaryDirectory() as tmp:
        out = write_json(
            {"slug": "x"}, [_entry(headword, gloss, example, lang)], Path(tmp) / "x.json"
        )
        doc = read_json(out)
    (e,) = doc.entries
    assert e["headword"] == {lang: _nfc(headword)}
    assert e["senses"][0]["examples"][0]["text"] == {lang: _nfc(example)}


_counter = iter(range(10**6))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    headword=TEXT, gloss=TEXT, example=TEXT, fmt=st.sampled_from(["lift", "csv", "json", "cldf"])
)
def test_store_export_import_store(session, tmp_path, headword, gloss, example, fmt):
    """text -> store -> file -> store gives the same text back (STYLE habit 9)."""
    import zipfile

    from lexicon import editing, entries
    from lexicon.io.exporter import export_dictionary
    from lexicon.io.importer import import_file

    n = next(_counter)
    src = editing.create_dictionary(
        session=session,
        data={"slug": f"h{n}", "title": "h", "language_code": "seh", "vernacular_ws": ["seh"]},
    )
    editing.create_entry(
        session=session,
        dictionary=src,
        data={
            "headword": {"seh": headword},
            "senses": [
                {
                    "glosses": {"en": gloss},
                    "examples": [{"text": {"seh": example}, "translations": {"en": gloss}}],
                }
            ],
        },
    )
    out = export_dictionary(session=session, dictionary=src, format=fmt, dest=tmp_path / f"{n}.zip")
    folder = tmp_path / f"x{n}"
    zipfile.ZipFile(out).extractall(folder)
    target = {
        "lift": folder,
        "csv": folder / f"h{n}.csv",
        "json": folder / f"h{n}.json",
        "cldf": folder / "cldf",
    }[fmt]
    dst = editing.create_dictionary(
        session=session,
        data={"slug": f"r{n}", "title": "r", "language_code": "seh", "vernacular_ws": ["seh"]},
    )
    import_file(session=session, dictionary=dst, path=target, format=fmt)
    rows = entries.list_entries(session=session, dictionary=dst, viewer=_owner_view(dst))
    (e,) = rows["items"]
    e = e if isinstance(e, dict) else e.model_dump()
    assert e["headword"] == {"seh": _nfc(headword)}
    (sense,) = e["senses"]
    assert sense["glosses"]["en"] == _nfc(gloss)
    assert sense["examples"][0]["text"] == {"seh": _nfc(example)}


def _owner_view(dictionary):
    from lexicon.accounts.access import Viewer

    return Viewer(user_id=1, is_admin=True)
