"""Print options and the labels a printed page carries (English defaults, translatable)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lexicon.errors import InvalidInput

LAYOUTS = ("dictionary", "wordlist", "table", "flashcards")
PAPERS = {"a4": "a4", "letter": "us-letter", "us-letter": "us-letter"}

DEFAULT_LABELS: dict[str, str] = {
    "alphabet": "Alphabet",
    "abbreviations": "Abbreviations",
    "index": "Index",
    "licence": "Licence",
    "made_with": "Made with Wordkeep",
    "variant": "var.",
    "audio": "Audio",
    "word": "Word",
    "pronunciation": "Pronunciation",
    "meaning": "Meaning",
    "picture": "Picture",
    "wordlist": "Wordlist",
    "flashcards": "Flashcards",
    "cut_here": "Cut along the dashed lines; print double-sided, flipping on the long edge.",
}

# Expansions for the abbreviations list; a dictionary may add or override its own under
# dictionary["extra"]["abbreviations"].
DEFAULT_ABBREVIATIONS: dict[str, str] = {
    "adj": "adjective",
    "adv": "adverb",
    "art": "article",
    "aux": "auxiliary",
    "clf": "classifier",
    "conj": "conjunction",
    "dem": "demonstrative",
    "det": "determiner",
    "interj": "interjection",
    "intj": "interjection",
    "n": "noun",
    "num": "numeral",
    "part": "particle",
    "prep": "preposition",
    "pro": "pronoun",
    "pron": "pronoun",
    "prt": "particle",
    "v": "verb",
    "vi": "intransitive verb",
    "vt": "transitive verb",
    "syn": "synonym",
    "ant": "antonym",
    "cf": "compare",
    "var": "variant",
    "gram": "grammatical morpheme",
    "ideo": "ideophone",
    "intr": "intransitive",
    "tr": "transitive",
    "v.intr": "intransitive verb",
    "v.tr": "transitive verb",
    "loc": "locative",
    "quant": "quantifier",
    "aff": "affix",
    "pfx": "prefix",
    "sfx": "suffix",
}

FONT_SIZES = frozenset(n / 2 for n in range(12, 49))  # 6, 6.5, ... 24 points

RELATION_ABBREVIATIONS = {"synonym": "syn", "antonym": "ant", "compare": "cf", "see": "cf"}


@dataclass(frozen=True)
class PrintOptions:
    """How to print: paper, fonts, size, gloss languages, QR codes, pictures, date."""

    paper: str = "a4"
    font_family: str | None = None
    font_paths: tuple[str, ...] = ()
    font_size: float | None = None  # points; None picks the layout's default
    langs: tuple[str, ...] = ()  # gloss languages; empty means the dictionary's analysis_ws
    qr: bool = False
    base_url: str = ""  # prefixed to media URLs in QR codes (they must open from a phone)
    pictures: bool = True
    date: str | None = None  # ISO date printed and stored in the PDF; None: newest entry change
    title: str | None = None  # a wordlist's own title
    allow_uncovered: bool = False  # print even if some characters have no glyph
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def checked(self) -> PrintOptions:
        """Raise InvalidInput naming the field if an option is out of range."""
        if self.paper.lower() not in PAPERS:
            raise InvalidInput(f"paper: expected a4 or letter, got {self.paper!r}", field="paper")
        if self.font_size is not None and float(self.font_size) not in FONT_SIZES:
            # A fixed set, not any number: each size is another typesetting of the whole
            # selection, and 9.1, 9.11, 9.111 ... would each miss the print cache.
            raise InvalidInput(
                f"font_size: expected 6 to 24 points in half points (such as 9 or 10.5), "
                f"got {self.font_size!r}",
                field="font_size",
            )
        if self.qr and not self.base_url.startswith(("http://", "https://")):
            # A QR code is read by a phone: a path alone ("/media/...") would open nothing.
            raise InvalidInput(
                "base_url: QR codes need the site's address, such as "
                f"https://dictionary.example.org; got {self.base_url!r}",
                field="base_url",
            )
        return self

    def typst_paper(self) -> str:
        return PAPERS[self.paper.lower()]

    def size_for(self, layout: str) -> float:
        if self.font_size is not None:
            return float(self.font_size)
        return {"dictionary": 9.0, "wordlist": 10.0, "table": 10.0, "flashcards": 12.0}[layout]


def merged_labels(labels: dict | None) -> dict[str, str]:
    """English defaults overlaid with the labels given (e.g. a translation)."""
    out: dict = dict(DEFAULT_LABELS)
    for key, value in (labels or {}).items():
        # lang_names and abbreviation_names are tables; every other label is one string.
        out[key] = dict(value) if isinstance(value, dict) else str(value)
    return out
