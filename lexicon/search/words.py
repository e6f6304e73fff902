"""Text preparation, the same on the way into the index and in queries: normalising, words,
stems, and the edit distances typo tolerance uses."""

from __future__ import annotations

import re
import unicodedata


def normalise(value: str) -> str:
    """Case-folded NFC with collapsed spaces: what "exact" compares (diacritics count)."""
    return unicodedata.normalize(
        "NFC", unicodedata.normalize("NFD", " ".join(value.split())).casefold()
    )


_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")  # what isalnum() means for ASCII; it has no marks


def words(value: str) -> list[str]:
    """Words of an already folded text: letters, digits and marks (as FTS5 unicode61 splits)."""
    if value.isascii():  # the common case (glosses, definitions), in C
        return _ASCII_WORD.findall(value)
    out, current = [], []
    for ch in value:
        if ch.isalnum() or unicodedata.category(ch)[0] == "M":
            current.append(ch)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def stem(word: str) -> str:
    """Plural to singular, kept simple and the same for every analysis language (en, pt, es, fr):
    `rivers` -> `river`, `cities` -> `city`, `boxes` -> `box`, `casas` -> `casa`."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes")):
        return word[:-2]
    return word[:-1]


# Words a gloss, or a query for one, may begin with that say nothing of its meaning: the
# infinitive's "to" ("to speak" glosses the verb `speak`) and English articles (a learner
# asks for "the fox" or "a house"; some dictionaries gloss nouns "a kind of tree").
LEADING_WORDS = frozenset({"to", "a", "an", "the"})


def gloss_words(found: list[str]) -> list[str]:
    """The words of a gloss (or of a query for one) without a leading "to" or article, so a
    learner's "speak", "speaks" or "to speak" finds the gloss "to speak" as a gloss, and "the
    fox" finds "fox". A lone "to" or "a" stays."""
    return found[1:] if len(found) > 1 and found[0] in LEADING_WORDS else found


def deletions(word: str) -> set[str]:
    """The word and every string one deletion away (symmetric-deletion fuzzy keys)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_edit_apart(a: str, b: str) -> bool:
    """Whether two different words are one edit apart (a letter changed, added or dropped, or
    two neighbours swapped): `edit_distance(a, b) == 1` in one pass, for typo tolerance."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):  # b has one letter more, at i
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:  # one letter changed
        return True
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (a transposition counts as one edit)."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
