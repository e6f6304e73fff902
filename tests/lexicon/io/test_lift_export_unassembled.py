"""A LIFT export with no viewer writes the entries that go back out as their import had them from
their text alone, without assembling them (lexicon.io.exporter._lift_entries): the file must be
the one the whole entries give."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select, update

from lexicon import editing
from lexicon.accounts.access import Viewer
from lexicon.io.exporter import export_dictionary
from lexicon.io.importer import import_file
from lexicon.io.lift.write import well_formed
from lexicon.io.safety import xml_parser
from lexicon.media.storage import LocalStorage
from lexicon.models import Entry
from tests.factories import all_entries

FIX = Path(__file__).parents[2] / "fixtures"
ADMIN = Viewer(is_admin=True)  # sees every part: the export assembles every entry


def _lift(session, d, tmp_path: Path, name: str, viewer=None, storage=None) -> str:
    dest = tmp_path / f"{name}.zip"
    export_dictionary(
        session=session, dictionary=d, format="lift", dest=dest, viewer=viewer, storage=storage
    )
    with zipfile.ZipFile(dest) as zf:
        return next(zf.read(n) for n in zf.namelist() if n.endswith(".lift")).decode("utf-8")


def _imported(session, slug: str, path: Path, media_dir: Path):
    d = editing.create_dictionary(
        session=session, data={"slug": slug, "title": slug, "analysis_ws": ["en"]}
    )
    storage = LocalStorage(media_dir)
    import_file(session=session, dictionary=d, path=path, format="lift", storage=storage)
    return d, storage


@pytest.mark.parametrize(
    "rel",
    [
        "lift-sena/Sena.lift",
        "lift-patani-audio/two-mp3/SingleEntryLiftWithSound.lift",  # its entry holds a recording
    ],
)
def test_unassembled_entries_give_the_file_whole_entries_give(rel, session, media_dir, tmp_path):
    d, storage = _imported(session, "whole", FIX / rel, media_dir)
    entries = sorted(all_entries(session, d), key=lambda e: e["id"])
    if len(entries) > 1:
        # An edited entry (rebuilt) relating to an untouched one and to its sense: its refs
        # are the targets' LIFT ids, which the untouched entry's stub must give.
        edited, target = entries[0], next(e for e in entries[1:] if e["senses"])
        for target_id in (target["id"], target["senses"][0]["id"]):
            edited["relations"].append({"type": "synonym", "target_id": target_id, "extra": {}})
        editing.update_entry(
            session=session, dictionary=d, entry_id=edited["id"], data=edited,
            version=edited["version"],
        )  # fmt: skip
    plain = _lift(session, d, tmp_path, "plain", storage=storage)
    whole = _lift(session, d, tmp_path, "whole", viewer=ADMIN, storage=storage)
    assert plain == whole


TWO = """<?xml version="1.0" encoding="UTF-8"?>
<lift version="0.13">
<entry id="one"><lexical-unit><form lang="en"><text>one</text></form></lexical-unit>
<sense id="one-sense"><gloss lang="en"><text>1</text></gloss></sense></entry>
<entry id="two"><lexical-unit><form lang="en"><text>two</text></form></lexical-unit>
<sense id="two-sense"><gloss lang="en"><text>2</text></gloss></sense></entry>
</lift>
"""


def test_an_edited_entry_names_untouched_targets_by_their_lift_ids(session, media_dir, tmp_path):
    (tmp_path / "two.lift").write_text(TWO, "utf-8")
    d, storage = _imported(session, "two", tmp_path / "two.lift", media_dir)
    one, two = sorted(all_entries(session, d), key=lambda e: e["headword"]["en"])
    for target_id in (two["id"], two["senses"][0]["id"]):
        one["relations"].append({"type": "synonym", "target_id": target_id, "extra": {}})
    editing.update_entry(
        session=session, dictionary=d, entry_id=one["id"], data=one, version=one["version"]
    )
    plain = _lift(session, d, tmp_path, "plain", storage=storage)
    assert '<relation type="synonym" ref="two"/>' in plain
    assert '<relation type="synonym" ref="two-sense"/>' in plain
    assert plain == _lift(session, d, tmp_path, "whole", viewer=ADMIN, storage=storage)


def test_a_stored_text_that_does_not_parse_is_rebuilt(session, media_dir, tmp_path):
    d, storage = _imported(session, "broken", FIX / "lift-sena/Sena.lift", media_dir)
    row = session.execute(select(Entry).where(Entry.dictionary_id == d.id)).scalars().first()
    extra = {**row.extra, "lift": {**row.extra["lift"], "source": "<entry><sense></entry>"}}
    session.execute(update(Entry).where(Entry.id == row.id).values(extra=extra))
    session.commit()
    text = _lift(session, d, tmp_path, "out", storage=storage)
    assert "<entry><sense></entry>" not in text
    assert f'guid="{row.id}"' in text  # rebuilt from its parts


TRICKY = [
    "<entry/>",
    "<entry>&amp;&lt;&#65;<![CDATA[x]]></entry>",
    "<entry>&foo;</entry>",  # an entity no DTD declares
    "<entry><x:y/></entry>",  # an undeclared prefix
    "<entry xmlns:x='u'><x:y/></entry>",
    "<entry xmlns:x=''><x:y/></entry>",
    "<entry xmlns:xmlns='x'/>",
    "<entry xmlns:a='u' xmlns:b='u' a:x='1' b:x='2'/>",  # one attribute twice
    "<entry xml:lang='en'/>",
    "<entry a='1' a='2'/>",
    "<entry>\x01</entry>",
    "<entry>&#1;</entry>",
    "<entry>\ufffe</entry>",
    "<entry>\ud800</entry>",
    "<entry/><!-- c -->",
    "<entry/><b/>",
    "<entry/>text",
    "<entry><a></entry>",
    "<entry>]]></entry>",
    "<entry a='<'/>",
    "<entry",
    "<entry>" + "<a>" * 300 + "</a>" * 300 + "</entry>",  # deeper than lxml's 256 levels
    "<entry>" + "<a>x</a>" * 300 + "</entry>",
]


@pytest.mark.parametrize("xml", TRICKY)
def test_a_stored_text_is_well_formed_as_lxml_says(xml):
    try:
        etree.fromstring(xml, xml_parser())
        parses = True
    except etree.XMLSyntaxError:
        parses = False
    assert well_formed(xml) == parses
