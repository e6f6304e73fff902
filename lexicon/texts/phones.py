"""A word's spelling as the phones the aligner listens for (issue 23, part 3): the `g2p`
package's mappings (ReadAlongs' own G2P), ending in the ARPABET phones of the acoustic model.

For each word, in order (the first that gives valid phones wins):
1. `lang`: g2p's mapping for the dictionary's language, if g2p has one (its code, then its
   vernacular writing systems: `fra`, `moh`, `crk`, ...);
2. `entry`: the IPA of an entry whose headword is the word (search's `normalise`: case and
   NFC), mapped from IPA;
3. `alphabet`: the word cut into the dictionary's letters (multigraphs first), each letter's
   IPA learnt from the entries that have IPA (headwords with as many
   letters as IPA segments vote for each letter's sound), then mapped from IPA;
4. `und`: g2p's "undetermined" mapping (Unicode transliteration, then English-like sounds).
A word none of them maps (empty or invalid phones: letters nothing in g2p knows, such as
clicks or Gothic) is unmappable: the aligner skips it and reports it by name.

`g2p` is imported when used (its mappings take a few seconds to load, once per process).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select

from lexicon.alphabet import Alphabet
from lexicon.entries.read import alphabet_for
from lexicon.errors import NotInstalled
from lexicon.models import Dictionary, Entry, Pronunciation
from lexicon.search.words import normalise

TARGET = "eng-arpabet"  # the phones of ReadAlongs' acoustic model (CMU Sphinx en-US)
IPA_SEGMENT = re.compile(r".[\u0300-\u036f\u02b0-\u02ff\u0361\u035c]*")  # a base and its marks


MISSING = (
    "alignment: this server lacks the optional wordkeep[align] extra (ReadAlongs); its admin "
    "can install it with pip install 'wordkeep[align]'"
)


class AlignerMissing(NotInstalled):
    """Word alignment needs ReadAlongs, the optional extra `wordkeep[align]` (`pip install
    'wordkeep[align]'`), not installed here (HTTP 501 Not Implemented)."""


@contextmanager
def _root_logging_kept():
    """g2p's mappings load ReadAlongs' logging set-up, which puts a handler on the root logger
    at INFO: every library's INFO lines (Alembic's, say) would then reach the CLI's output and
    the server's log. The process's logging is not theirs to change: it is put back."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)


def _g2p():
    try:
        with _root_logging_kept():
            import g2p  # heavy: imported when used (docs/architecture.md)
    except ImportError:  # the optional extra is not installed
        raise AlignerMissing(MISSING) from None
    return g2p


@lru_cache(maxsize=64)
def _converter(source: str):
    """g2p's mapping from `source` to ARPABET (None: g2p has no such path)."""
    g2p = _g2p()
    try:
        with _root_logging_kept():
            return g2p.make_g2p(source, TARGET, tokenize=False)
    except (g2p.InvalidLanguageCode, g2p.NoPath):
        return None


def g2p_languages(candidates) -> str | None:
    """The first of `candidates` (language codes) g2p can map to phones."""
    with _root_logging_kept():
        langs = _g2p().get_arpabet_langs()[0]
    known = set(langs) - {"und"}
    return next((c for c in candidates if c and c in known), None)


def _convert(source: str, spelling: str) -> str | None:
    converter = _converter(source)
    if converter is None or not spelling:
        return None
    graph = converter(spelling)
    phones = " ".join(graph.output_string.split())
    return phones if phones and converter.check(graph, shallow=True) else None


def from_ipa(ipa: str) -> str | None:
    """ARPABET for an IPA string: g2p's IPA mapping, else IPA transliterated ("und")."""
    ipa = unicodedata.normalize("NFC", ipa.strip().strip("/[]"))
    return _convert("und-ipa", ipa) or _convert("und", ipa)


# ---------------------------------------------------------------- the dictionary's own sounds


def learn_letters(alphabet: Alphabet, pairs) -> dict[str, str]:
    """Each letter's IPA from (headword, IPA) pairs: where a word has as many letters as its
    IPA has segments, letter n votes for segment n; the most voted sound wins."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for word, ipa in pairs:
        letters = _letters(alphabet, word.lower())
        sounds = IPA_SEGMENT.findall(unicodedata.normalize("NFD", ipa.strip("/[] ")))
        sounds = [unicodedata.normalize("NFC", s) for s in sounds if s.strip(".ˈˌ ")]
        if letters and len(letters) == len(sounds):
            for letter, sound in zip(letters, sounds, strict=True):
                votes[letter][sound] += 1
    return {letter: counts.most_common(1)[0][0] for letter, counts in votes.items()}


def _letters(alphabet: Alphabet, word: str) -> list[str]:
    """The word cut into the alphabet's letters, longest multigraph first."""
    known = sorted({form for lt in alphabet.letters for form in (lt.lower, lt.upper) if form},
                   key=len, reverse=True)  # fmt: skip
    out, at, low = [], 0, word
    while at < len(low):
        piece = next((k for k in known if low.startswith(k, at)), low[at])
        out.append(piece)
        at += len(piece)
    return out


@dataclass
class Phonetiser:
    """Spelling to phones for one dictionary (build with `for_dictionary`)."""

    language: str | None = None
    alphabet: Alphabet | None = None
    entry_ipa: dict[str, str] = field(default_factory=dict)
    letter_ipa: dict[str, str] = field(default_factory=dict)

    def phones(self, word: str) -> tuple[str | None, str]:
        """(ARPABET phones or None, which mapping gave them: lang/entry/alphabet/und/none)."""
        word = unicodedata.normalize("NFC", word.strip())
        if self.language and (found := _convert(self.language, word)):
            return found, "lang"
        ipa = self.entry_ipa.get(normalise(word))
        if ipa and (found := from_ipa(ipa)):
            return found, "entry"
        if self.alphabet is not None and self.letter_ipa:
            pieces = _letters(self.alphabet, word.lower())
            if any(p in self.letter_ipa for p in pieces):
                spelled = "".join(self.letter_ipa.get(p, p) for p in pieces)
                if found := from_ipa(spelled):
                    return found, "alphabet"
        if found := _convert("und", word):
            return found, "und"
        return None, "none"


def entry_pronunciations(session, dictionary: Dictionary) -> list[tuple[str, str]]:
    """(headword, IPA) of the dictionary's live entries that have an IPA pronunciation."""
    rows = session.execute(
        select(Entry.headword, Pronunciation.ipa)
        .join(Pronunciation, Pronunciation.entry_id == Entry.id)
        .where(Entry.dictionary_id == dictionary.id, Entry.deleted.is_(False),
               Pronunciation.ipa != "")
        .order_by(Entry.id, Pronunciation.position)
    ).all()  # fmt: skip
    out = []
    for headword, ipa in rows:
        form = next((v for v in (headword or {}).values() if v), "")
        if form and ipa.strip():
            out.append((form, ipa))
    return out


def for_dictionary(session, dictionary: Dictionary) -> Phonetiser:
    """The dictionary's phonetiser: g2p's language, its entries' IPA and its alphabet."""
    language = g2p_languages([dictionary.language_code, *(dictionary.vernacular_ws or [])])
    alphabet = alphabet_for(dictionary)
    pairs = entry_pronunciations(session, dictionary)
    return Phonetiser(
        language=language, alphabet=alphabet,
        entry_ipa={normalise(form): ipa for form, ipa in pairs},
        letter_ipa=learn_letters(alphabet, pairs),
    )  # fmt: skip
