"""Plain-text transcripts in (`read`) and out (`write`)."""

from lexicon.io.transcript.read import read_transcript, transcript_to_text
from lexicon.io.transcript.write import write_transcript

__all__ = ["read_transcript", "transcript_to_text", "write_transcript"]
