"""A dictionary's own alphabet: letters (multigraphs allowed), sort keys, filing letters, folding.

Sort keys are plain ASCII (only ``0-9a-f``), so any database collation orders them the same
way as bytes do:

    key = letter codes + "0" + hex(ICU root sort key of the word) + homograph (4 digits)

* Letters are found by longest match, case-insensitively, on the NFD text, so ``ng`` is one
  letter and ``nga`` files under ``ng`` after every ``n...`` word. Combining diacritics that are
  not part of a letter (tone marks, accents) do not change a word's place among the letters;
  they only break ties. Characters listed in ``ignore`` are skipped. Whitespace sorts before
  every letter (word-by-word order: ``a ba`` before ``aba``).
* A character that is not in the alphabet sorts where ICU's root collation would put it among
  the letters, just after the nearest letter ICU sorts before it (ordered by code point among
  themselves). So with ``... b ch d ...`` and no ``c``, a loanword ``cola`` comes after the
  ``b`` words and before every ``ch`` word, which is where keepers of such orthographies look
  for it; ``x`` in an alphabet without it comes after ``w``.
* A character listed as confusable with a letter (``["ŋ", "ng"]``, ``["ʼ", "'"]``) and not a
  letter itself sorts and files as that letter.
* Ties between words with the same letters are broken by ICU's root collation (tone marks,
  case, ignored punctuation), then by the homograph number.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from lexicon.errors import InvalidInput

if TYPE_CHECKING:
    import icu

# Generic combining diacritics (accents, tone marks). Marks of other blocks (Indic vowel signs,
# Hebrew points...) are part of their letters and are never dropped.
_DIACRITIC_RANGES = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)
_DIACRITICS = frozenset(
    chr(c)
    for lo, hi in _DIACRITIC_RANGES
    for c in range(lo, hi + 1)
    if unicodedata.category(chr(c)).startswith("M")
)
_DROP_DIACRITICS = {ord(c): None for c in _DIACRITICS}
_MAX_LETTERS = 1000
_MAX_HOMOGRAPH = 9999
_SPACE_CODE = "100"
_BEFORE_ALL_CODE = "101"

PLAIN_LATIN: dict = {
    "letters": list("abcdefghijklmnopqrstuvwxyz"),
    "ignore": ["-", "'", "’", "ʼ", "=", "."],
    "confusables": [],
}
PRESETS: dict[str, dict] = {"plain-latin": PLAIN_LATIN}


class Letter(NamedTuple):
    """One letter of an alphabet: its lower-case and upper-case spellings (NFC)."""

    lower: str
    upper: str


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _basic_fold(text: str) -> str:
    # Canonical caseless form (Unicode D145: NFD(casefold(NFD(x)))) without generic diacritics.
    return _nfd(_nfd(text).casefold()).translate(_DROP_DIACRITICS)


def fold(text: str) -> str:
    """Search key without a dictionary's confusables: no diacritics, casefolded, spaces tidied."""
    return _nfc(" ".join(_basic_fold(text).split()))


def _char_class(chars) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]" if chars else ""


def _greedy_letters(folded: str, by_fold: dict) -> tuple[int, ...] | None:
    """Letter indices if casefolded `folded` is exactly a sequence of letters, else None."""
    out, pos, longest = [], 0, max(map(len, by_fold), default=0)
    while pos < len(folded):
        for size in range(min(longest, len(folded) - pos), 0, -1):
            idx = by_fold.get(folded[pos : pos + size])
            if idx is not None:
                out.extend(idx)
                pos += size
                break
        else:
            return None
    return tuple(out)


def _replace_at_seam(match: re.Match, table: dict) -> str:
    """A confusable's canonical form, without doubling the letter that follows it: `ŋg` is
    written `ng` by those without the letter ŋ (the prenasalised stop), not `ngg`."""
    canon = table[match.group(0)]
    following = match.string[match.end() : match.end() + 1]
    if len(canon) > 1 and following and canon.endswith(following):
        return canon[:-1]
    return canon


def _root_collator() -> icu.Collator:
    import icu  # heavy: imported when used (docs/architecture.md)

    collator = icu.Collator.createInstance(icu.Locale.getRoot())
    # Punctuation and spaces only matter after case and diacritics (they are "ignorable").
    collator.setAttribute(icu.UCollAttribute.ALTERNATE_HANDLING, icu.UCollAttributeValue.SHIFTED)
    collator.setStrength(icu.Collator.QUATERNARY)
    return collator


def _parse_letter(item, where: str) -> Letter:
    if isinstance(item, str):
        forms = item.split()
    elif isinstance(item, list | tuple) and all(isinstance(f, str) for f in item):
        forms = [f.strip() for f in item]
    else:
        raise InvalidInput(f"{where}: a letter is a string or a list [upper, lower], got {item!r}")
    if not forms or len(forms) > 2 or not all(forms):
        raise InvalidInput(f"{where}: expected 'x' or 'X x' (upper then lower), got {item!r}")
    forms = [_nfc(f) for f in forms]
    if len(forms) == 1:
        lower = forms[0].lower()
        return Letter(lower, lower.upper())
    return Letter(forms[1], forms[0])


def _parse_strings(items, where: str, *, min_len: int = 0) -> tuple[str, ...]:
    if not isinstance(items, list | tuple):
        raise InvalidInput(f"{where}: expected a list, got {items!r}")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise InvalidInput(f"{where}[{i}]: expected a non-empty string, got {item!r}")
        out.append(_nfc(item.strip()))
    if len(out) < min_len:
        raise InvalidInput(f"{where}: expected at least {min_len} items, got {items!r}")
    return tuple(out)


@dataclass(frozen=True)
class Alphabet:
    """Ordered letters, characters ignored when sorting, and confusable spellings."""

    letters: tuple[Letter, ...]
    ignore: tuple[str, ...] = ()
    confusables: tuple[tuple[str, ...], ...] = ()

    def __hash__(self) -> int:
        return self._hash  # the search index's caches hash it for every text they look up

    @cached_property
    def _hash(self) -> int:
        return hash((self.letters, self.ignore, self.confusables))

    @classmethod
    def from_config(cls, config: dict | None) -> Alphabet:
        """Build from a dictionary's ``alphabet`` JSON; None or {} gives the plain Latin preset."""
        if not config:
            config = PLAIN_LATIN
        if not isinstance(config, dict):
            raise InvalidInput(f"alphabet: expected an object, got {config!r}")
        unknown = set(config) - {"letters", "ignore", "confusables"}
        if unknown:
            raise InvalidInput(f"alphabet: unknown field(s) {', '.join(sorted(unknown))}")
        raw_letters = config.get("letters") or PLAIN_LATIN["letters"]
        if not isinstance(raw_letters, list | tuple):
            raise InvalidInput(f"alphabet.letters: expected a list, got {raw_letters!r}")
        if len(raw_letters) > _MAX_LETTERS:
            raise InvalidInput(f"alphabet.letters: more than {_MAX_LETTERS} letters")
        letters, seen = [], {}
        for i, item in enumerate(raw_letters):
            letter = _parse_letter(item, f"alphabet.letters[{i}]")
            key = letter.lower.casefold()
            if key in seen:
                raise InvalidInput(
                    f"alphabet.letters[{i}]: {letter.lower!r} repeats letters[{seen[key]}]"
                )
            seen[key] = i
            letters.append(letter)
        ignore = _parse_strings(config.get("ignore") or [], "alphabet.ignore")
        for i, item in enumerate(ignore):
            if item.casefold() in seen:
                raise InvalidInput(f"alphabet.ignore[{i}]: {item!r} is also a letter")
        raw_conf = config.get("confusables") or []
        if not isinstance(raw_conf, list | tuple):
            raise InvalidInput(f"alphabet.confusables: expected a list, got {raw_conf!r}")
        confusables = tuple(
            _parse_strings(group, f"alphabet.confusables[{i}]", min_len=2)
            for i, group in enumerate(raw_conf)
        )
        return cls(tuple(letters), ignore, confusables)

    def to_config(self) -> dict:
        """The JSON form, accepted back by `from_config`."""
        letters = [
            lt.lower if lt.upper == lt.lower.upper() else f"{lt.upper} {lt.lower}"
            for lt in self.letters
        ]
        return {
            "letters": letters,
            "ignore": list(self.ignore),
            "confusables": [list(g) for g in self.confusables],
        }

    # -- derived tables (built once per Alphabet, on first use) --------------------------------

    @cached_property
    def _collator(self) -> icu.Collator:
        return _root_collator()

    @cached_property
    def _forms(self) -> dict[str, tuple[int, ...]]:
        """Every spelling (NFD) of every letter -> letter indices; confusables included."""
        forms: dict[str, tuple[int, ...]] = {}
        for i, lt in enumerate(self.letters):
            low = _nfd(lt.lower)
            for form in (low, _nfd(lt.upper), low[:1].upper() + low[1:]):
                forms.setdefault(form, (i,))
        by_fold = {f.casefold(): idx for f, idx in reversed(forms.items())}
        ignored = {_nfd(s).casefold() for s in self.ignore}
        # A confusable spelling that is not a letter sorts as the first member made of letters.
        for group in self.confusables:
            spelled = [_greedy_letters(_nfd(m).casefold(), by_fold) for m in group]
            target = next((sp for sp in spelled if sp is not None), None)
            for member, own in zip(group, spelled, strict=True):
                m = _nfd(member)
                if target and own is None and m.casefold() not in ignored:
                    forms.setdefault(m, target)
        return forms

    @cached_property
    def _matcher(self):
        """(regex, lookup): the regex finds letters by longest match, words, other characters."""
        forms = self._forms
        ignored = {_nfd(s) for s in self.ignore}
        starts = {f[0] for f in forms} | {f[0] for f in ignored}
        in_letters = {c for f in forms for c in f if c in _DIACRITICS}
        trailing = _char_class(_DIACRITICS - starts)
        # Tone marks may sit inside a multigraph (`ǹg` is still `ng`) unless a letter uses them.
        inner = _char_class(_DIACRITICS - starts - in_letters)

        def alt(form: str) -> str:
            parts = [re.escape(form[0])]
            for ch in form[1:]:
                parts.append(
                    re.escape(ch) if ch in _DIACRITICS or not inner else inner + "*" + re.escape(ch)
                )
            return "".join(parts)

        spellings = set(forms) | ignored
        # Multigraphs first, longest first; single characters as one class (much faster).
        alts = [alt(f) for f in sorted(spellings, key=lambda f: (-len(f), f)) if len(f) > 1]
        alts.append(_char_class({f for f in spellings if len(f) == 1}))
        pattern = (
            "(?:("
            + "|".join(a for a in alts if a)
            + r")|(\s+)|(.))"
            + (trailing + "*" if trailing else "")
        )
        lookup: dict[str, tuple[int, ...]] = dict.fromkeys(ignored, ())
        lookup.update(forms)
        for f, idx in list(lookup.items()):
            lookup.setdefault(f.casefold(), idx)
        drop_inner = {ord(c): None for c in _DIACRITICS - starts - in_letters}
        return re.compile(pattern, re.IGNORECASE | re.DOTALL), lookup, drop_inner

    def _classify(self, spelled: str) -> tuple[int, ...] | None:
        """Letter indices of a matched spelling, () if ignored, None if unknown (case oddities)."""
        _, lookup, drop_inner = self._matcher
        idx = lookup.get(spelled)
        if idx is None:
            bare = spelled.translate(drop_inner)
            idx = lookup.get(bare)
            if idx is None:
                idx = lookup.get(bare.casefold())
            if idx is not None and len(lookup) < 100_000:
                lookup[spelled] = idx  # remember this spelling (tone-marked multigraphs)
        return idx

    @cached_property
    def _letter_codes(self) -> tuple[str, ...]:
        return tuple(f"{0x102 + 2 * i:03x}" for i in range(len(self.letters)))

    @cached_property
    def _slots(self):
        """Letters in ICU root order, to place characters that are not in the alphabet."""
        keyed = sorted(
            (self._collator.getSortKey(lt.lower), i) for i, lt in enumerate(self.letters)
        )
        return [k for k, _ in keyed], [i for _, i in keyed], {}

    def _unknown_code(self, char: str) -> str:
        keys, order, cache = self._slots
        code = cache.get(char)
        if code is None:
            pos = bisect.bisect_right(keys, self._collator.getSortKey(char))
            slot = _BEFORE_ALL_CODE if pos == 0 else f"{0x103 + 2 * order[pos - 1]:03x}"
            code = cache[char] = f"{slot}{ord(char):06x}"
        return code

    # -- public operations ----------------------------------------------------------------------

    def _scan(self, word: str):
        """Yield ("L", index), (" ", None) between words, ("U", char) for other characters."""
        rx = self._matcher[0]
        pending_space = started = False
        for k, sp, u in rx.findall(_nfd(word)):
            if sp:
                pending_space = started
                continue
            if k:
                idx = self._classify(k)
                if idx == ():
                    continue
                items = [("L", i) for i in idx] if idx is not None else [("U", k[0].lower())]
            else:
                items = [("U", _nfc(u.lower())[:1])]
            if pending_space:
                yield " ", None
                pending_space = False
            started = True
            yield from items

    def tokenize(self, word: str) -> list[str]:
        """Split a word into letters (longest match, any case), spelled as the alphabet does.

        Ignored characters and diacritics that are not part of a letter are left out; a character
        not in the alphabet is its own token (lower case); words are separated by one " ".
        """
        return [self.letters[v].lower if k == "L" else (v or " ") for k, v in self._scan(word)]

    def position(self, token: str) -> tuple[int, int]:
        """Where a token of `tokenize` sorts: " " first, letters in alphabet order, any other
        character just after the letter ICU's root order puts before it (then by code point)."""
        if token == " ":
            return (int(_SPACE_CODE, 16), 0)
        letter = self.letter(token)
        if letter is not None:
            return (int(self._letter_codes[self.letters.index(letter)], 16), 0)
        code = self._unknown_code(token)
        return (int(code[:3], 16), int(code[3:], 16))

    def _codes(self, word: str) -> list[str]:
        # The hot path of sort_key (every write and every re-derivation): no generator.
        rx, lookup, _ = self._matcher
        letter_codes, codes = self._letter_codes, []
        for k, sp, u in rx.findall(_nfd(word)):
            if k:
                idx = lookup.get(k)
                if idx is None:
                    idx = self._classify(k)
                if idx is None:
                    codes.append(self._unknown_code(k[0].lower()))
                else:
                    codes.extend(letter_codes[i] for i in idx)
            elif sp:
                if codes and codes[-1] != _SPACE_CODE:
                    codes.append(_SPACE_CODE)
            else:
                codes.append(self._unknown_code(_nfc(u.lower())[:1]))
        if codes and codes[-1] == _SPACE_CODE:
            codes.pop()
        return codes

    def sort_key(self, word: str, homograph: int = 0) -> str:
        """An ASCII key whose plain (byte) order is this dictionary's alphabetical order."""
        if not 0 <= int(homograph) <= _MAX_HOMOGRAPH:
            raise InvalidInput(f"homograph: expected 0..{_MAX_HOMOGRAPH}, got {homograph!r}")
        nfc = _nfc(word)
        tie = self._collator.getSortKey(nfc).hex()
        return f"{''.join(self._codes(nfc))}0{tie}{int(homograph):04d}"

    def letter_of(self, word: str) -> str | None:
        """The letter a headword files under (lower case), or None if it starts outside it."""
        for kind, val in self._scan(word):
            return self.letters[val].lower if kind == "L" else None
        return None

    def key_range(self, initial: str) -> tuple[str, str] | None:
        """Sort-key bounds [low, high) holding every word that starts with the letter `initial`
        (any case; `n` takes in `ng` and `ny`), or None when `initial` is not a letter itself.
        Lets a database walk only that block."""
        if self.letter(initial) is None:
            return None
        folded = _nfd(initial).casefold()
        codes = [
            code
            for lt, code in zip(self.letters, self._letter_codes, strict=True)
            if _nfd(lt.lower).casefold().startswith(folded)
        ]
        if not codes:  # e.g. a confusable (`ŋ` for `ng`) that is no letter of its own
            return None
        # Up to the slot just after the last such letter (characters sorting there).
        return min(codes), f"{int(max(codes), 16) + 2:03x}"

    def letter(self, name: str) -> Letter | None:
        """Look a letter up by any of its spellings (`Ng`, `NG`, `ng`)."""
        idx = self._classify(_nfd(name))
        return self.letters[idx[0]] if idx and len(idx) == 1 else None

    @cached_property
    def _confusable_rx(self):
        """Each confusable spelling -> its group's canonical form (first plain-ASCII member)."""
        table: dict[str, str] = {}
        for group in self.confusables:
            folded = [self._fold_step(m, {}, None) for m in group]
            canon = next((f for f in folded if f.isascii()), folded[0])
            for f in folded:
                if f and f != canon:
                    table.setdefault(f, canon)
        if not table:
            return None, table
        alts = sorted(table, key=lambda s: (-len(s), s))
        return re.compile("|".join(re.escape(a) for a in alts)), table

    @cached_property
    def _ignored_folded(self) -> tuple[str, ...]:
        return tuple(sorted({_basic_fold(s) for s in self.ignore} - {""}, key=len, reverse=True))

    @cached_property
    def _one_pass(self) -> bool:
        """Whether one `_fold_step` is final without confusables: the basic fold is idempotent,
        and dropping single characters cannot make another to drop."""
        return all(len(ign) == 1 for ign in self._ignored_folded)

    def _fold_step(self, text: str, table: dict, rx) -> str:
        text = _basic_fold(text)
        if rx is not None:
            text = rx.sub(lambda m: _replace_at_seam(m, table), text)
        for ign in self._ignored_folded:
            text = text.replace(ign, "")
        return " ".join(text.split())

    def fold(self, text: str) -> str:
        """Search key: no diacritics, casefolded, confusables unified, ignored characters dropped.
        `ŋ̀gàmà` -> `ngama` with a ["ŋ", "ng"] confusable (see `_replace_at_seam`)."""
        rx, table = self._confusable_rx
        out = self._fold_step(text, table, rx)
        if rx is None and self._one_pass:
            return _nfc(out)
        for _ in range(4):  # rare configs (one canonical form inside another) need a 2nd pass
            again = self._fold_step(out, table, rx)
            if again == out:
                break
            out = again
        return _nfc(out)
