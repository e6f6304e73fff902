"""Plain transcripts (#22): blank-line separated segments, an optional time line and an
optional translation line; written back in the same form."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexicon.io.textparts import TextRejected
from lexicon.io.transcript import transcript_to_text, write_transcript
from lexicon.io.transcript.read import parse_time
from lexicon.io.transcript.write import format_time

SAMPLE = """\ufeff0:02.620 - 0:07.770
Jaboneropa ayllullaktapika, maykanpash mana urmashpaka lluchanmi.
El Barrio del Jabonero, porque aquí el que no cae resbala.


Ari, kunanllatak kankunapak ñawpapi vacunarikrini.

[00:00:16,000 --> 00:00:20,460]
Mana vacunarina kashpapash vacunarirka.
1990 - 2000
"""


def test_segments_times_and_translations():
    text = transcript_to_text(SAMPLE.encode(), "story.txt", {"vernacular": "qu", "analysis": "es"})
    first, second, third = text["segments"]
    assert (first["start"], first["end"]) == (2.62, 7.77)
    assert first["text"] == {
        "qu": "Jaboneropa ayllullaktapika, maykanpash mana urmashpaka lluchanmi."
    }
    assert first["translation"] == {
        "es": "El Barrio del Jabonero, porque aquí el que no cae resbala."
    }
    assert (second["start"], second["translation"]) == (None, {})
    assert (third["start"], third["end"]) == (16.0, 20.46)
    assert third["translation"] == {"es": "1990 - 2000"}  # no colon or point: not a time line


def test_written_back_it_reads_the_same():
    text = transcript_to_text(SAMPLE.encode(), "story.txt", {"vernacular": "qu", "analysis": "es"})
    again = transcript_to_text(
        write_transcript(text), "again.txt", {"vernacular": "qu", "analysis": "es"}
    )
    keys = ("start", "end", "text", "translation")
    assert [[s[k] for k in keys] for s in again["segments"]] == [
        [s[k] for k in keys] for s in text["segments"]
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("one\ntwo\nthree\n", "line 1: 3 lines in one segment"),
        ("a\n\n0:05.000 - 0:04.000\nb\n", r"line 3: ends \(4.0\) before it starts"),
        ("a\n\n0:01.0 - 0:02.0\n", "line 3: a time line with no transcription"),
        ("\n\n", "empty"),
    ],
)
def test_bad_transcripts_are_refused(body, message):
    with pytest.raises(TextRejected, match=message) as caught:
        transcript_to_text(body.encode(), "story.txt")
    assert "story.txt" in str(caught.value)


def test_not_text_is_refused():
    with pytest.raises(TextRejected, match="not UTF-8"):
        transcript_to_text(b"\x89PNG\r\n\x1a\n\xff\xd8", "photo.txt")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10 * 3_600_000))
def test_time_lines_are_exact_to_the_millisecond(ms):
    assert round(parse_time(format_time(ms / 1000)) * 1000) == ms
    assert parse_time(format_time(ms / 1000)) == ms / 1000
