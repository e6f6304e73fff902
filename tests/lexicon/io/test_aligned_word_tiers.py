"""Aligned words in exports of texts read from ELAN and TextGrid files that had no words tier
(issue 23): a time-aligned words tier under each transcription tier, with the words' times,
parsed back with pympi and praatio; the file's own tiers still there."""

from __future__ import annotations

from pathlib import Path

from praatio import textgrid as praat_textgrid
from pympi import Elan

from lexicon.io.texts import read_text, write_text

KICHWA = Path(__file__).parents[2] / "fixtures" / "texts" / "kichwa-ch2"


def _with_timed_words(text: dict) -> tuple[dict, list[tuple]]:
    segment = text["segments"][0]
    step = (segment["end"] - segment["start"]) / 3
    words = [{"text": f"w{k}", "start": round(segment["start"] + k * step, 3),
              "end": round(segment["start"] + (k + 1) * step, 3)} for k in range(3)]  # fmt: skip
    segment["words"] = words
    return text, [(round(w["start"] * 1000), round(w["end"] * 1000), w["text"]) for w in words]


def test_elan_gets_a_timed_words_tier(tmp_path):
    text, expected = _with_timed_words(read_text(KICHWA / "kichwa_ch2_excerpt.eaf"))
    tier = text["extra"]["elan"]["mapping"]["transcription"]
    assert text["extra"]["elan"]["mapping"].get("words") is None  # the file has none
    out = tmp_path / "out.eaf"
    out.write_bytes(write_text(text, "eaf"))
    doc = Elan.Eaf(str(out))
    assert sorted(doc.get_annotation_data_for_tier(f"words@{tier}")) == expected
    assert doc.get_parameters_for_tier(f"words@{tier}")["PARENT_REF"] == tier
    assert doc.linguistic_types["words-timed-lt"]["CONSTRAINTS"] == "Included_In"
    assert len(doc.get_annotation_data_for_tier(tier)) == len(text["segments"])


def test_textgrid_gets_a_words_tier(tmp_path):
    text, expected = _with_timed_words(read_text(KICHWA / "kichwa_ch2_excerpt.DERIVED.TextGrid"))
    tier = text["extra"]["textgrid"]["mapping"]["transcription"]
    out = tmp_path / "out.TextGrid"
    out.write_bytes(write_text(text, "textgrid"))
    grid = praat_textgrid.openTextgrid(str(out), False)
    found = [(round(e.start * 1000), round(e.end * 1000), e.label)
             for e in grid.getTier(f"words@{tier}").entries]  # fmt: skip
    assert found == expected and tier in grid.tierNames
