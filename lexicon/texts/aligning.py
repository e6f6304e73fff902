"""Word alignment (issue 23, part 3): where each word of a transcribed segment starts and ends
in the text's recording, found with ReadAlongs Studio's aligner.

ReadAlongs (`readalongs`, the optional extra `wordkeep[align]`) aligns with SoundSwallower and
the CMU Sphinx acoustic model it ships (nothing is downloaded at run time); its spelling-to-phone
step is `g2p` (lexicon.texts.phones). Wordkeep drives the same pieces itself, per segment, rather
than ReadAlongs' command line (which writes files, reads audio through ffmpeg and fetches its web
bundle from the network): the segment's audio (16 kHz mono, cut from the archival recording with
PyAV) is decoded against a grammar that says "these words, in this order", with silence or noise
allowed between them (the decoder's fillers). A word that cannot be mapped to phones becomes a
"any sounds" loop in the grammar, so its neighbours still find their places, and it is reported
by name (times None). A segment the decoder cannot fit at all (narrow beams first, then wide
ones, as ReadAlongs does) is reported and left as it was. One bad word never fails the text.

What is aligned: each segment the editor may see that has times and words: its `words` (FLEx or
ELAN analysis; punctuation left out), else the words of its transcription (the dictionary's
first vernacular writing system, split as links split them), which become its `words` (with
the keeper's link choices carried over from `extra.links`), marked `extra.alignment.made`; when
its transcription changes, aligning again makes them anew. The result is one revision (action
"align"); if the text changed while the audio was decoded, StaleVersion, and nothing is written.
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from lexicon.accounts.access import Viewer
from lexicon.entries.read import alphabet_for, get_dictionary
from lexicon.errors import InvalidInput
from lexicon.media import audio
from lexicon.media.storage import Storage
from lexicon.models import Dictionary
from lexicon.texts import links, phones, segmenting, store, view

RATE = 16000
MODEL = "cmusphinx-en-us-5.2"  # ReadAlongs' default acoustic model, inside its package
GARBAGE = (  # an unmappable word: any phones (and silence) of the model, looped
    "SIL",
    "AA",
    "AE",
    "AH",
    "AO",
    "AW",
    "AY",
    "B",
    "CH",
    "D",
    "DH",
    "EH",
    "ER",
    "EY",
    "F",
    "G",
    "HH",
    "IH",
    "IY",
    "JH",
    "K",
    "L",
    "M",
    "N",
    "NG",
    "OW",
    "OY",
    "P",
    "R",
    "S",
    "SH",
    "T",
    "TH",
    "UH",
    "UW",
    "V",
    "W",
    "Y",
    "Z",
    "ZH",
)
BEAMS = ((1e-200, 1e-200, 1e-160), (0.0, 0.0, 0.0))  # ReadAlongs' "moderate", then "loose"
SILENCE = 1.0  # weight of the optional silence before the first word and after the last
Progress = Callable[[int, int, str], None]


class NothingToAlign(InvalidInput):
    """No segment of the text has both times and a transcription (or words) to align."""


# ---------------------------------------------------------------- the decoder


def model_dir() -> Path:
    spec = importlib.util.find_spec("readalongs")
    if spec is None or spec.origin is None:
        raise phones.AlignerMissing(phones.MISSING)
    return Path(spec.origin).parent / "static" / "model" / MODEL


class Aligner:
    """SoundSwallower with ReadAlongs' acoustic model, one per job (loading it takes time)."""

    def __init__(self):
        try:
            import soundswallower  # heavy: imported when used (docs/architecture.md)
        except ImportError:
            raise phones.AlignerMissing(phones.MISSING) from None
        self._ss, self._serial = soundswallower, 0
        self._decoders = [self._decoder(beams) for beams in BEAMS]

    def _decoder(self, beams):
        config = self._ss.Config()
        config["hmm"] = str(model_dir())
        config["samprate"], config["nfft"] = RATE, 512
        config["remove_noise"] = False
        config["loglevel"] = "FATAL"
        config["beam"], config["pbeam"], config["wbeam"] = beams
        decoder = self._ss.Decoder(config)
        for phone in GARBAGE:
            decoder.add_word(f"_{phone}", phone, phone == GARBAGE[-1])
        return decoder

    def _grammar(self, decoder, spelled: list[str | None]):
        """States in a row, a word per step; an unmappable word is a loop of any phones.
        Words are named w<n>.<serial>: a name is never given two pronunciations."""
        transitions, state, new = [], 0, []
        self._serial += 1
        for n, phoneset in enumerate(spelled):
            if phoneset:
                new.append((f"w{n}.{self._serial}", phoneset))
                transitions.append((state, state + 1, 1.0, new[-1][0]))
            else:
                for phone in GARBAGE:
                    transitions.append((state, state + 1, 0.05, f"_{phone}"))
                    transitions.append((state + 1, state + 1, 0.5, f"_{phone}"))
            state += 1
        transitions += [(k, k, SILENCE, "_SIL") for k in range(state + 1)]  # pauses
        for k, (name, phoneset) in enumerate(new):  # the last one makes them searchable
            decoder.add_word(name, phoneset, k == len(new) - 1)
        return decoder.create_fsg("segment", 0, state, transitions)

    def align(self, pcm: bytes, spelled: list[str | None]) -> dict[int, tuple[float, float]] | None:
        """Each mapped word's (start, end) in seconds from the start of `pcm` (16 kHz mono
        16-bit), by index; None when no beam fits the words to the sound."""
        wanted = sum(1 for s in spelled if s)
        for decoder in self._decoders:
            try:
                decoder.set_fsg(self._grammar(decoder, spelled))
                decoder.start_utt()
                decoder.process_raw(pcm, full_utt=True)
                decoder.end_utt()
                found = {int(s.text[1:].split(".")[0]): (s.start, s.start + s.duration)
                         for s in decoder.seg if s.text.startswith("w")}  # fmt: skip
            except RuntimeError:
                continue
            if len(found) == wanted:
                return found
        return None


# ---------------------------------------------------------------- audio


def decode_pcm(src: str | Path, dst: Path) -> float:
    """The whole recording as raw 16 kHz mono 16-bit samples in `dst`; its seconds."""
    import av  # heavy: imported when used (docs/architecture.md)

    samples = 0
    with av.open(str(src), options=audio.OPEN_OPTIONS) as inp, open(dst, "wb") as out:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        for frame in [*inp.decode(inp.streams.audio[0]), None]:
            for mono in resampler.resample(frame):
                out.write(bytes(mono.planes[0])[: 2 * mono.samples])
                samples += mono.samples
    return samples / RATE


def read_pcm(path: Path, start: float, end: float) -> bytes:
    with open(path, "rb") as pcm:
        pcm.seek(2 * round(start * RATE))
        return pcm.read(2 * max(0, round((end - start) * RATE)))


# ---------------------------------------------------------------- words of a segment


def segment_words(dictionary: Dictionary, alphabet, segment: dict) -> list[dict]:
    """The words to align: the segment's own (made ones again if the transcription moved on),
    else words made from its transcription, with the keeper's link choices carried over."""
    form = links.vernacular_form(dictionary, segment.get("text"))
    made = (segment.get("extra") or {}).get("alignment") or {}
    if segment.get("words") and not (made.get("made") and made.get("form") != form):
        return [dict(w) for w in segment["words"]]
    chosen = dict((segment.get("extra") or {}).get("links") or {})
    for n, old in enumerate(segment.get("words") or []):  # made before: their choices stay
        chosen.setdefault(str(n), old)
    words = []
    for n, text in enumerate(links.split_words(alphabet, form)):
        kept = chosen.get(str(n)) or {}
        entry_id, link = links._choice(kept) if kept.get("text") == text else (None, None)
        words.append({"text": text, "start": None, "end": None, "entry_id": entry_id,
                      "link": link or "auto", "extra": {}})  # fmt: skip
    return words


def alignable(dictionary, viewer: Viewer | None, text: dict, segment: dict) -> bool:
    return (
        segment.get("start") is not None
        and segment.get("end") is not None
        and segment["end"] > segment["start"]
        and (viewer is None or view.sees_segment(viewer, dictionary, text, segment))
    )


def align_segment(aligner: Aligner, phonetiser, pcm: bytes, segment: dict, words: list[dict]):
    """`words` with the times found (in the recording's seconds); returns (words, unmapped
    word texts, how each word was mapped, aligned: bool)."""
    spelled, unmapped, how = [], [], Counter()
    for word in words:
        text = str(word.get("text") or "").strip()
        found, kind = phonetiser.phones(text) if text and not word.get("punct") else (None, "")
        spelled.append(found)
        how[kind] += bool(kind)
        if text and not word.get("punct") and found is None:
            unmapped.append(text)
    if not any(spelled):
        return words, unmapped, how, False
    times = aligner.align(pcm, spelled)
    if times is None:
        return words, unmapped, how, False
    out = []
    for n, word in enumerate(words):
        start, end = times.get(n, (None, None))
        if start is not None:
            start = round(min(segment["start"] + start, segment["end"]), 3)
            end = round(min(segment["start"] + end, segment["end"]), 3)
        out.append(dict(word, start=start, end=end))
    return out, unmapped, how, True


# ---------------------------------------------------------------- the text


def _aligned(segment: dict, words: list[dict], form: str, made: bool) -> dict:
    extra = dict(segment.get("extra") or {})
    if made:
        extra.pop("links", None)  # the choices now live on the words
    extra["alignment"] = {"made": made, "form": form}
    return dict(segment, words=words, extra=extra)


def _align_all(session, storage, dictionary, text: dict, viewer, progress) -> tuple[list, dict]:
    """The text's segments with their words aligned, and the report's counts."""
    alphabet = alphabet_for(dictionary)
    phonetiser = phones.for_dictionary(session, dictionary)
    media = segmenting.recording_row(session, dictionary, text)
    key = media.original_key
    session.rollback()  # no transaction stays open while the audio is decoded
    todo = [s for s in text["segments"] if alignable(dictionary, viewer, text, s)]
    todo = [s for s in todo if segment_words(dictionary, alphabet, s)]
    if not todo:
        raise NothingToAlign("alignment: no segment you may edit has times and a transcription")
    report = {"segments": len(todo), "aligned": 0, "words": 0, "unmapped": [], "failed": [],
              "mapping": Counter(), "seconds": 0.0}  # fmt: skip
    aligner, done = Aligner(), {}
    with tempfile.TemporaryDirectory(prefix="wordkeep-align-") as tmp:
        pcm_path = Path(tmp, "pcm")
        segmenting.fetch(storage, key, Path(tmp, "recording"))
        decode_pcm(Path(tmp, "recording"), pcm_path)
        for n, segment in enumerate(todo):
            words = segment_words(dictionary, alphabet, segment)
            made = not segment.get("words") or bool(
                ((segment.get("extra") or {}).get("alignment") or {}).get("made"))  # fmt: skip
            form = links.vernacular_form(dictionary, segment.get("text"))
            pcm = read_pcm(pcm_path, segment["start"], segment["end"])
            words, unmapped, how, ok = align_segment(aligner, phonetiser, pcm, segment, words)
            report["seconds"] += segment["end"] - segment["start"]
            report["mapping"].update(how)
            report["unmapped"] += [{"segment_id": segment["id"], "word": w} for w in unmapped]
            if ok:
                done[segment["id"]] = _aligned(segment, words, form, made)
                report["aligned"] += 1
                report["words"] += sum(1 for w in words if w.get("start") is not None)
            else:
                report["failed"].append({"segment_id": segment["id"], "text": form})
            if progress is not None:
                progress(n + 1, len(todo), "aligning")
    report["mapping"] = dict(report["mapping"])
    report["seconds"] = round(report["seconds"], 3)
    return [done.get(s["id"], s) for s in text["segments"]], report


def align_text(
    *,
    session: Session,
    storage: Storage,
    dictionary: Dictionary,
    text_id: str,
    viewer: Viewer | None = None,
    editor: str = "",
    progress: Progress | None = None,
) -> tuple[dict, dict]:
    """Align the words of every segment `viewer` may see (None: all) to the recording and save
    their times as a new revision (action "align"); returns (the stored text, a report)."""
    text = store.read_text(session=session, dictionary=dictionary, text_id=text_id)
    if viewer is not None:  # hidden texts are not found; hidden segments are left alone
        store.read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    version = text["version"]
    segments, report = _align_all(session, storage, dictionary, text, viewer, progress)
    if progress is not None:
        progress(report["segments"], report["segments"], "saving")
    stored = store.update_text(
        session=session, dictionary=dictionary, text_id=text_id,
        data=dict(text, segments=segments), version=version, editor=editor, viewer=viewer,
        action="align", comment=f"words aligned in {report['aligned']} segments",
    )  # fmt: skip
    return stored, {"text_id": text_id, "version": stored["version"], **report}


def align_work(storage: Storage, slug: str, text_id: str, viewer: Viewer | None,
               editor: str = "") -> Callable[[Session, Progress], dict]:  # fmt: skip
    """The work of an alignment job (lexicon.io.jobs.start): done/total are segments."""

    def work(session: Session, progress: Progress) -> dict:
        dictionary = get_dictionary(session=session, slug=slug)
        _, report = align_text(session=session, storage=storage, dictionary=dictionary,
                               text_id=text_id, viewer=viewer, editor=editor,
                               progress=progress)  # fmt: skip
        return {"done": report["segments"], "total": report["segments"], "report": report}

    return work
