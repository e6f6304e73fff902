"""The alphabet: letters by longest match, dictionary order, filing letters and folded keys."""

import re
import unicodedata

import icu
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexicon.alphabet import PLAIN_LATIN, PRESETS, Alphabet, Letter, fold
from lexicon.errors import InvalidInput

ISSUE_LETTERS = "a b ch d e g h i k l m n ng o p r s t u w y '".split()  # noqa: SIM905
ISSUE = Alphabet.from_config(
    {
        "letters": ISSUE_LETTERS,
        "ignore": ["-"],
        "confusables": [["ŋ", "ng"], ["ɛ", "e"], ["'", "ʼ"]],
    }
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def ordered(alphabet: Alphabet, words: list[str]) -> list[str]:
    return sorted(words, key=alphabet.sort_key)


# Words made of the issue's letters (any case), tone marks, ignorables, spaces and characters
# that are not in the alphabet (c, x, z, ŋ, ɛ, digits, ʼ).
ALPHABET_CHARS = "abdeghiklmnoprstuwy'ABCDEGHIKLMNOPRSTUWY"
PIECES = st.sampled_from(
    [
        *ALPHABET_CHARS,
        "ch",
        "ng",
        "Ng",
        "NG",
        "\u0300",
        "\u0301",
        "\u0302",
        "\u0303",
        "-",
        " ",
        "c",
        "x",
        "z",
        "ŋ",
        "Ŋ",
        "ɛ",
        "1",
        "ʼ",
        "é",
        "ñ",
        "à",
    ]
)
WORDS = st.lists(PIECES, min_size=0, max_size=8).map("".join)


def test_digraph_ng_files_under_ng_after_every_n_word():
    n_words = ["n", "na", "nyu", "nza", "nna", "nwa", "n-ka", "n'a", "nu", "nyyy", "nx"]
    assert ISSUE.letter_of("nga") == "ng"
    assert ISSUE.tokenize("nga") == ["ng", "a"]
    assert all(ISSUE.letter_of(w) == "n" for w in n_words)
    assert ordered(ISSUE, [*n_words, "nga"])[-1] == "nga"
    assert ordered(ISSUE, ["o", "nga", "nza"]) == ["nza", "nga", "o"]


def test_cha_after_every_c_word_when_c_is_not_a_letter():
    # `c` is not a letter: a stray `c` (loanwords) sorts where ICU puts it among the letters,
    # after `b` and before the digraph `ch`, which is where keepers look for it.
    c_words = ["c", "ca", "cola", "cz", "cy", "c'a", "cu-u", "Coca"]
    assert all(ISSUE.letter_of(w) is None for w in c_words)
    assert ISSUE.letter_of("cha") == "ch"
    assert ordered(ISSUE, ["d", "cha", *c_words, "bu"]) == [
        "bu",
        *ordered(ISSUE, c_words),
        "cha",
        "d",
    ]


@given(rest=WORDS)
def test_any_word_starting_with_a_bare_c_sorts_between_b_and_ch(rest):
    word = "c" + rest
    if ISSUE.tokenize(word)[0] != "c":
        return  # `c` + `h...` is the letter ch
    assert ISSUE.sort_key("byyyy") < ISSUE.sort_key(word) < ISSUE.sort_key("cha")


@given(rest=WORDS)
def test_any_n_word_sorts_before_nga(rest):
    word = "n" + rest
    if ISSUE.letter_of(word) != "n":
        return
    assert ISSUE.sort_key(word) < ISSUE.sort_key("nga")


def test_browse_ng_lists_exactly_the_ng_words():
    words = ["na", "nga", "Ngoma", "ŋ̀gàmà", "nǵa", "ǹgàmà", "nyumba", "n-gi", "ngg", "o"]
    under_ng = [w for w in words if ISSUE.letter_of(w) == "ng"]
    # A tone mark on the first half of a digraph does not split it; `n-gi` is n + g.
    assert under_ng == ["nga", "Ngoma", "ŋ̀gàmà", "nǵa", "ǹgàmà", "ngg"]
    assert ISSUE.letter_of("n-gi") == "n"


def test_homographs_order_by_number_then_words_go_on():
    keys = [ISSUE.sort_key("bala", h) for h in (3, 0, 1, 2)]
    assert sorted(keys) == [keys[1], keys[2], keys[3], keys[0]]
    assert ISSUE.sort_key("bala", 9999) < ISSUE.sort_key("bale")
    with pytest.raises(InvalidInput, match="homograph"):
        ISSUE.sort_key("bala", -1)


def test_ties_between_same_letters_follow_icu_root_collation():
    # Same letters: case, tone marks and ignored hyphens only break ties.
    words = ["Baba", "bàbà", "baba", "ba-ba", "bába"]
    assert len({tuple(ISSUE.tokenize(w)) for w in words}) == 1
    root = icu.Collator.createInstance(icu.Locale.getRoot())
    root.setAttribute(icu.UCollAttribute.ALTERNATE_HANDLING, icu.UCollAttributeValue.SHIFTED)
    root.setStrength(icu.Collator.QUATERNARY)
    assert ordered(ISSUE, words) == sorted(words, key=root.getSortKey)
    assert ordered(ISSUE, ["Baba", "bàbà", "baba"]) == ["baba", "Baba", "bàbà"]


def test_spaces_sort_before_letters_and_ignored_characters_are_skipped():
    assert ordered(ISSUE, ["aba", "a ba", "ab"]) == ["a ba", "ab", "aba"]
    assert ISSUE.tokenize("  ch-a  ba ") == ["ch", "a", " ", "b", "a"]
    assert ISSUE.tokenize("ʼa") == ["'", "a"]  # confusable with the letter '


def test_nfd_and_nfc_give_the_same_keys():
    for word in ["ŋ̀gàmà", "ǹgàmà", "Ñoño", "Bárà", "cha"]:
        nfc, decomposed = unicodedata.normalize("NFC", word), nfd(word)
        assert nfc != decomposed or word == "cha"
        assert ISSUE.sort_key(nfc, 2) == ISSUE.sort_key(decomposed, 2)
        assert ISSUE.tokenize(nfc) == ISSUE.tokenize(decomposed)
        assert ISSUE.fold(nfc) == ISSUE.fold(decomposed)
        assert ISSUE.letter_of(nfc) == ISSUE.letter_of(decomposed)


def test_sort_keys_are_plain_lowercase_hex_so_any_collation_agrees():
    for word in ["ŋ̀gàmà", "NGA", "a ba", "123", "日本", "", "x\u0000y"]:
        assert re.fullmatch(r"[0-9a-f]+", ISSUE.sort_key(word, 7))


def test_fold_makes_learner_spellings_meet():
    assert ISSUE.fold("ŋ̀gàmà") == "ngama"
    assert ISSUE.fold("NGAMA") == "ngama"
    assert ISSUE.fold("ǹgàmà") == "ngama"
    assert ISSUE.fold("bɛ̀lɛ") == ISSUE.fold("bele")
    assert ISSUE.fold("ʼa-ba") == ISSUE.fold("'aba")
    assert fold("ŋ̀gàmà") == "ŋgama"  # no confusables without a dictionary
    assert fold("  Straße  ") == "strasse"  # casefold ß -> ss
    assert ISSUE.fold("kaa") == "kaa"  # long vowels stay long
    assert ISSUE.fold("ŋa") == "nga"  # ŋ alone is ng
    # Indic vowel signs are letters, not accents: they must survive folding.
    assert fold("कुल") != fold("कल")


def test_presets_and_default_config():
    plain = Alphabet.from_config(None)
    assert plain == Alphabet.from_config({}) == Alphabet.from_config(PRESETS["plain-latin"])
    assert [lt.lower for lt in plain.letters] == PLAIN_LATIN["letters"]
    assert ordered(plain, ["ngo", "nza", "nga"]) == ["nga", "ngo", "nza"]
    assert plain.letter_of("Ŋoma") is None


def test_explicit_upper_and_lower_forms():
    turkish = Alphabet.from_config({"letters": ["a", "I ı", "İ i", ["K", "k"]]})
    assert turkish.letters[1] == Letter("ı", "I")
    assert turkish.tokenize("Iİ") == ["ı", "i"]
    assert turkish.letter_of("İka") == "i"
    assert ordered(turkish, ["ia", "ıa", "ka", "aa"]) == ["aa", "ıa", "ia", "ka"]


def test_letters_with_diacritics_are_letters_of_their_own():
    spanish = Alphabet.from_config({"letters": list("abcdefghijklmnñopqrstuvwxyz")})
    assert spanish.tokenize("Niño") == ["n", "i", "ñ", "o"]
    assert ordered(spanish, ["ñu", "nz", "o"]) == ["nz", "ñu", "o"]
    # A tone mark on n is still n; only ñ is the letter ñ.
    assert spanish.letter_of("ǹa") == "n"


def test_config_round_trips():
    for alphabet in [ISSUE, Alphabet.from_config(None), Alphabet.from_config({"letters": ["I ı"]})]:
        assert Alphabet.from_config(alphabet.to_config()) == alphabet


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"letters": ["a", 3]}, r"alphabet\.letters\[1\]"),
        ({"letters": ["a", "b", "A"]}, r"alphabet\.letters\[2\].*repeats letters\[0\]"),
        ({"letters": ["a", "A B c"]}, r"alphabet\.letters\[1\]"),
        ({"letters": "abc"}, r"alphabet\.letters: expected a list"),
        ({"letters": ["a"], "ignore": ["a"]}, r"alphabet\.ignore\[0\].*also a letter"),
        ({"letters": ["a"], "ignore": [""]}, r"alphabet\.ignore\[0\]"),
        ({"letters": ["a"], "confusables": [["ŋ"]]}, r"alphabet\.confusables\[0\]"),
        ({"letters": ["a"], "confusables": "ŋ"}, r"alphabet\.confusables"),
        ({"letters": ["a"], "colour": "red"}, r"unknown field.*colour"),
        ("abc", r"alphabet: expected an object"),
    ],
)
def test_malformed_config_names_the_bad_item(config, message):
    with pytest.raises(InvalidInput, match=message):
        Alphabet.from_config(config)


# -- properties -----------------------------------------------------------------------------------

ROOT = icu.Collator.createInstance(icu.Locale.getRoot())


@settings(max_examples=300)
@given(a=WORDS, b=WORDS, ha=st.integers(0, 3), hb=st.integers(0, 3))
def test_sort_key_order_is_the_order_of_tokens_then_ties(a, b, ha, hb):
    ranks_a = [ISSUE.position(t) for t in ISSUE.tokenize(a)]
    ranks_b = [ISSUE.position(t) for t in ISSUE.tokenize(b)]
    key_a, key_b = ISSUE.sort_key(a, ha), ISSUE.sort_key(b, hb)
    if ranks_a != ranks_b:
        assert (key_a < key_b) == (ranks_a < ranks_b)
    else:
        tie_a, tie_b = ISSUE._collator.getSortKey(nfd(a)), ISSUE._collator.getSortKey(nfd(b))
        assert (key_a < key_b) == ((tie_a, ha) < (tie_b, hb))
        assert (key_a == key_b) == ((tie_a, ha) == (tie_b, hb))


@given(words=st.lists(WORDS, min_size=2, max_size=6))
def test_sort_key_is_a_total_order_and_tokens_are_consistent(words):
    ordered_words = ordered(ISSUE, words)
    tokens = [[ISSUE.position(t) for t in ISSUE.tokenize(w)] for w in ordered_words]
    assert tokens == sorted(tokens)


@given(text=st.text(max_size=20))
def test_fold_is_idempotent_and_normalisation_invariant(text):
    for f in (fold, ISSUE.fold):
        once = f(text)
        assert f(once) == once
        assert f(unicodedata.normalize("NFD", text)) == once
        assert f(unicodedata.normalize("NFC", text)) == once


@given(word=WORDS, hom=st.integers(0, 20))
def test_keys_tokens_and_letters_ignore_normalisation(word, hom):
    forms = {unicodedata.normalize(nf, word) for nf in ("NFC", "NFD")}
    assert len({ISSUE.sort_key(w, hom) for w in forms}) == 1
    assert len({tuple(ISSUE.tokenize(w)) for w in forms}) == 1
    assert len({ISSUE.letter_of(w) for w in forms}) == 1


@given(text=st.text(max_size=12))
def test_arbitrary_text_never_breaks_keys(text):
    key = ISSUE.sort_key(text)
    assert re.fullmatch(r"[0-9a-f]+", key)
    letter = ISSUE.letter_of(text)
    assert letter is None or letter in ISSUE_LETTERS


@given(word=WORDS)
def test_key_range_holds_exactly_the_words_of_a_first_letter(word):
    low, high = ISSUE.key_range("n")
    starts_with_n = unicodedata.normalize("NFC", word).lstrip(" -").casefold()[:1] == "n"
    inside = low <= ISSUE.sort_key(word) < high
    if starts_with_n:
        assert inside
    if inside:
        assert ISSUE.tokenize(word)[0] in ("n", "ng")
    assert ISSUE.key_range("N") == (low, high)
    assert ISSUE.key_range("c") is None  # not a letter of this alphabet


@given(word=WORDS)
def test_key_range_of_a_digraph_holds_exactly_its_words(word):
    """A one- or two-letter search walks the block of its first letter: "ng" the block of
    `ng` alone, not every word in n."""
    low, high = ISSUE.key_range("ng")
    first = ISSUE.tokenize(word)[:1]
    inside = low <= ISSUE.sort_key(word) < high
    assert inside == (first == ["ng"])
    assert ISSUE.key_range("NG") == (low, high)
