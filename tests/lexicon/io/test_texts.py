"""The texts entry point (#22): formats guessed from name or content, one call to read and
one to write, conversions between formats, and the recording-length check."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexicon.errors import ImportRejected, InvalidInput, TooLarge, WordkeepError
from lexicon.io.safety import Limits
from lexicon.io.texts import (
    FORMATS,
    AudioTooShort,
    UnknownTextFormat,
    check_audio_covers,
    guess_format,
    media_names,
    read_text,
    read_texts,
    texts_from_bytes,
    tier_choices,
    write_text,
)
from lexicon.media.audio import measure_duration

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "texts"
KICHWA_EAF = FIXTURES / "kichwa-ch2" / "kichwa_ch2_excerpt.eaf"
KICHWA_GRID = FIXTURES / "kichwa-ch2" / "kichwa_ch2_excerpt.DERIVED.TextGrid"
BOBBY_WAV = FIXTURES / "praatio-en" / "bobby.wav"


def essence(text: dict) -> list[tuple]:
    return [(s["start"], s["end"], s["text"], s["translation"]) for s in text["segments"]]


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (KICHWA_EAF, "eaf"),
        (KICHWA_GRID, "textgrid"),
        (FIXTURES / "sil-flextext" / "Glossed.flextext", "flextext"),
    ],
)
def test_the_format_is_guessed_by_name_and_by_content(path, fmt, tmp_path):
    data = path.read_bytes()
    assert guess_format(path.name, data) == fmt
    assert guess_format("upload.bin", data) == fmt
    anonymous = tmp_path / "upload"
    anonymous.write_bytes(data)
    assert read_text(anonymous)["segments"]
    json.dumps(read_text(path))  # the text dict is plain JSON


def test_an_unknown_format_is_refused(tmp_path):
    odd = tmp_path / "story.docx"
    odd.write_bytes(b"PK\x03\x04 not a text")
    with pytest.raises(UnknownTextFormat, match="story.docx: not a text format"):
        read_text(odd)
    with pytest.raises(UnknownTextFormat, match="unknown text format 'pdf'"):
        write_text(read_text(KICHWA_EAF), "pdf")
    with pytest.raises(UnknownTextFormat):
        read_text(KICHWA_EAF, format="cha")


def test_elan_and_the_derived_textgrid_give_the_same_segments():
    mapping = {"vernacular": "qu"}
    assert essence(read_text(KICHWA_EAF, mapping=mapping)) == essence(
        read_text(KICHWA_GRID, mapping=mapping)
    )


@pytest.mark.parametrize("target", ["eaf", "textgrid", "flextext", "transcript"])
def test_a_text_converts_to_every_format_and_back(target, tmp_path):
    text = read_text(KICHWA_EAF, mapping={"vernacular": "qu"})
    out = tmp_path / f"story{FORMATS[target].extensions[0]}"
    out.write_bytes(write_text(text, target))
    back = read_text(out, mapping={"vernacular": "qu", "analysis": "es"})
    assert essence(back) == essence(text)


def test_aliases_name_formats():
    text = read_text(KICHWA_GRID)
    assert (
        write_text(text, "TextGrid") == write_text(text, ".textgrid") == write_text(text, "praat")
    )


def test_a_file_over_the_limit_is_refused():
    with pytest.raises(TooLarge):
        read_text(KICHWA_EAF, limits=Limits(max_file_bytes=1000))


def test_several_texts_in_one_file(tmp_path):
    body = (FIXTURES / "sil-flextext" / "Freeform.flextext").read_text(encoding="utf-8")
    inner = body[body.index("<interlinear-text") : body.index("</document>")]
    two = tmp_path / "two.flextext"
    two.write_text(body.replace("</document>", inner + "</document>"), encoding="utf-8")
    assert len(read_texts(two)) == 2
    with pytest.raises(ImportRejected, match="holds 2 texts"):
        read_text(two)


def test_a_text_its_file_gives_no_title_is_titled_by_the_file_name(tmp_path):
    """ELAN, TextGrid and plain transcripts carry no title: the file's name stands for it (in
    the transcription's writing system), not "Untitled text"; a title the file has is kept."""
    assert read_text(KICHWA_EAF)["title"] == {"und": "kichwa_ch2_excerpt"}
    assert read_text(KICHWA_GRID)["title"] == {"und": "kichwa_ch2_excerpt.DERIVED"}
    story = read_text(FIXTURES / "story.txt")
    assert list(story["title"].values()) == ["story"]
    assert read_text(FIXTURES / "sil-flextext" / "Glossed.flextext")["title"] == {"ext": "Glossed"}
    body = (FIXTURES / "sil-flextext" / "Freeform.flextext").read_text(encoding="utf-8")
    body = body.replace('<item type="title" lang="ext">Freeform</item>', "")
    inner = body[body.index("<interlinear-text") : body.index("</document>")]
    two = tmp_path / "visit.flextext"
    two.write_text(body.replace("</document>", inner + "</document>"), encoding="utf-8")
    titles = [next(iter(t["title"].values())) for t in read_texts(two)]
    assert titles == ["visit 1", "visit 2"]


def test_audio_must_cover_the_annotations():
    seconds = measure_duration(BOBBY_WAV)
    assert 1.19 < seconds < 1.2
    check_audio_covers(read_text(FIXTURES / "praatio-en" / "bobby_words.TextGrid"), seconds)
    mary = read_text(FIXTURES / "praatio-en" / "mary.TextGrid")
    with pytest.raises(
        AudioTooShort, match=r"1.19\d s long, but the text's annotations run to 1.5\d\d s"
    ):
        check_audio_covers(mary, seconds)
    check_audio_covers({"segments": [{"start": None, "end": None}]}, 0.5)  # no times: any length
    check_audio_covers({"segments": [{"start": 0.0, "end": 1.0005}]}, 1.0)  # a millisecond's slack
    # the tiers kept beside the segments count too: mary's pitch points run to 1.2 s
    by_word = read_text(
        FIXTURES / "praatio-en" / "mary.TextGrid", mapping={"transcription": "word"}
    )
    by_word["segments"] = by_word["segments"][:1]
    with pytest.raises(AudioTooShort, match="run to 1.518 s"):  # the phone tier, kept
        check_audio_covers(by_word, 1.3)
    kept = {
        "time_slots": [["ts1", 0], ["ts2", 5250]],
        "tiers": [{"align": [["a1", "ts1", "ts2", "x", None]]}],
    }
    with pytest.raises(AudioTooShort, match="run to 5.250 s"):  # an ELAN tier kept beside
        check_audio_covers({"segments": [], "extra": {"elan": kept}}, 5.0)


def test_media_names_never_give_a_url():
    text = read_text(KICHWA_EAF)
    assert media_names(text) == ["kichwa_ch2_excerpt.wav"]
    text["extra"]["elan"]["media"] = [
        {"MEDIA_URL": "http://evil.example/x.wav"},
        {"MEDIA_URL": "file:///C:/Users/k/story.wav", "RELATIVE_MEDIA_URL": "../../etc/passwd"},
    ]
    assert media_names(text) == ["story.wav"]


def test_tier_choices_list_what_the_keeper_picks_from():
    eaf = tier_choices(KICHWA_EAF.read_bytes(), "upload")
    assert eaf["format"] == "eaf"
    assert [
        (t["id"], t["parent"], t["symbolic"], t["annotations"], t["language"]) for t in eaf["tiers"]
    ] == [
        ("default", None, False, 27, "und"),
        ("Spanish", "default", True, 27, "es"),
    ]
    assert eaf["mapping"]["translations"] == {"es": "Spanish"}
    grid = tier_choices((FIXTURES / "praatio-en" / "mary.TextGrid").read_bytes(), "mary.TextGrid")
    assert [(t["id"], t["time_aligned"], t["annotations"]) for t in grid["tiers"]] == [
        ("phone", True, 14),
        ("word", True, 4),
        ("pitch", False, 4),
    ]
    assert tier_choices(b"a line\n", "story.txt") == {
        "format": "transcript",
        "tiers": [],
        "mapping": {},
    }


def test_texts_from_bytes_read_an_upload_in_memory():
    [text] = texts_from_bytes(
        KICHWA_GRID.read_bytes(), "upload.TextGrid", mapping={"vernacular": "qu"}
    )
    assert essence(text) == essence(read_text(KICHWA_GRID, mapping={"vernacular": "qu"}))
    with pytest.raises(TooLarge, match="upload.TextGrid"):
        texts_from_bytes(
            KICHWA_GRID.read_bytes(), "upload.TextGrid", limits=Limits(max_file_bytes=10)
        )


@pytest.mark.parametrize("fmt", ["eaf", "textgrid", "flextext"])
def test_damaged_kept_parts_give_a_clear_error(fmt):
    text = read_text(KICHWA_EAF)
    text["extra"] = {
        "elan": {"mapping": {"transcription": "default"}, "tiers": "nonsense"},
        "textgrid": {"mapping": {"transcription": "x"}, "tiers": [{"name": 1}]},
        "flextext": {"others": ["<not xml"], "paragraphs": "p"},
    }
    with pytest.raises(InvalidInput, match=f"remove extra.{fmt}"):
        write_text(text, fmt)


FUZZED = sorted(
    p for p in FIXTURES.glob("*/*") if p.suffix.lower() in (".eaf", ".textgrid", ".flextext")
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_files_give_a_text_or_a_clear_error(data):
    """Truncated files, flipped bytes and changed digits: a text, or one of Wordkeep's own
    errors (never a crash), and what is read can be written."""
    path = data.draw(st.sampled_from(FUZZED))
    body = bytearray(path.read_bytes())
    how = data.draw(st.sampled_from(["cut", "bytes", "digits"]))
    if how == "cut":
        body = body[: data.draw(st.integers(0, len(body) - 1))]
    else:
        spots = [k for k, b in enumerate(body) if how == "bytes" or 48 <= b <= 57]
        for k in data.draw(st.lists(st.sampled_from(spots), min_size=1, max_size=4)):
            body[k] = data.draw(
                st.integers(0, 255) if how == "bytes" else st.sampled_from(b"09-.:")
            )
    fmt = guess_format(path.name, path.read_bytes())
    try:
        for text in texts_from_bytes(bytes(body), path.name, fmt):
            write_text(text, fmt)
    except WordkeepError as exc:
        assert str(exc)
