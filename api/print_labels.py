"""The labels a printed page carries (title page, headings, column names, abbreviations), in
the language of the current request, for `lexicon.printing` (which only knows English).

Every label is written out as a literal `_("...")` call so that `scripts/i18n.py extract`
finds it; a loop over `DEFAULT_LABELS` would translate at run time but never reach a catalog.
"""

from __future__ import annotations

from api.i18n import SOURCE_LOCALE, _, current


def _texts() -> dict[str, str]:
    return {
        "alphabet": _("Alphabet"),
        "abbreviations": _("Abbreviations"),
        "index": _("Index"),
        "licence": _("Licence"),
        "made_with": _("Made with Wordkeep"),
        # Translators: abbreviation of "variant", printed before a variant form.
        "variant": _("var."),
        "audio": _("Audio"),
        "word": _("Word"),
        "pronunciation": _("Pronunciation"),
        "meaning": _("Meaning"),
        "picture": _("Picture"),
        "wordlist": _("Wordlist"),
        "table": _("Wordlist"),
        "flashcards": _("Flashcards"),
        "cut_here": _("Cut along the dashed lines; print double-sided, flipping on the long edge."),
    }


def _abbreviation_names() -> dict[str, str]:
    # What the grammatical abbreviations stand for; the abbreviations themselves are the
    # dictionary's data (its parts of speech) and stay as they are.
    noun, verb = _("noun"), _("verb")
    vi, vt = _("intransitive verb"), _("transitive verb")
    pronoun, particle, interjection = _("pronoun"), _("particle"), _("interjection")
    return {
        "adj": _("adjective"), "adv": _("adverb"), "art": _("article"),
        "aux": _("auxiliary"), "clf": _("classifier"), "conj": _("conjunction"),
        "dem": _("demonstrative"), "det": _("determiner"), "interj": interjection,
        "intj": interjection, "n": noun, "num": _("numeral"), "part": particle,
        "prep": _("preposition"), "pro": pronoun, "pron": pronoun, "prt": particle,
        "v": verb, "vi": vi, "vt": vt, "v.intr": vi, "v.tr": vt,
        "syn": _("synonym"), "ant": _("antonym"), "cf": _("compare"), "var": _("variant"),
        "gram": _("grammatical morpheme"), "ideo": _("ideophone"),
        "intr": _("intransitive"), "tr": _("transitive"), "loc": _("locative"),
        "quant": _("quantifier"), "aff": _("affix"), "pfx": _("prefix"), "sfx": _("suffix"),
    }  # fmt: skip


def print_labels() -> dict:
    """Labels for `lexicon.printing` in the current interface language (`ui_lang` also names
    the gloss languages in the index headings)."""
    labels = {**_texts(), "ui_lang": current()}
    if current() != SOURCE_LOCALE:  # in English the defaults (and a dictionary's own) stand
        labels["abbreviation_names"] = _abbreviation_names()
    return labels
