"""Each entry's `source` as the LIFT file spells it (its own attribute layout, quotes and line
ends), so that an untouched entry goes back out byte for byte (lexicon.shape.verbatim).

The reader keeps lxml's serialisation of each `<entry>` (lift.elements.to_xml) and the line
where its start tag ends (`source_line`); `raw_sources` then finds that entry's text in the file
and keeps it when it parses to the same element (else lxml's serialisation stays: canonically
the same). Finding it costs a few searches per entry, not a split of the file into lines, and
the usual differences of FieldWorks' own layout are recognised without parsing the text again.
"""

from __future__ import annotations

from itertools import accumulate
from pathlib import Path

from lxml import etree

from lexicon.io.lift.elements import to_xml
from lexicon.io.safety import nfc, xml_parser

# Spellings that parse to the same element as lxml's serialisation, told apart without a
# parse: FieldWorks writes CRLF line ends, `<trait  name=`, `<trait name =` and `&apos;`. A
# `<` is always markup in an entry with no comment, CDATA or processing instruction, and lxml
# quotes attributes with `"`, so undoing them changes no text or attribute value.
_TRAIT_SPELLINGS = (("<trait  name=", "<trait name="), ("<trait name =", "<trait name="))
# Line ends `str.splitlines` counts besides LF and CRLF (lxml counts LFs only) that XML allows
_ODD_LINE_ENDS = ("\x85", "\u2028", "\u2029")
# An entry's start tag spans a line (FieldWorks) or a few (WeSay: an attribute per line)
_FEW_LINES = 32


def raw_sources(path: Path, entries: list[dict]) -> None:
    """Give each entry (its `extra["lift"]` holding `source` and `source_line`, which is
    dropped) the file's own text for `source` when that text is the same element."""
    lines = [x.pop("source_line", None) for e in entries if (x := e["extra"].get("lift"))]
    if not lines:
        return  # every entry stored unchanged (lift.unchanged): no source to take
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return  # another encoding: lxml's serialisation it is
    odd = any(c in text for c in _ODD_LINE_ENDS)
    if odd or ("\r" in text and text.count("\r") != text.count("\r\n")):
        spans = _spans_by_lines(text, lines)
    else:
        spans = _spans_by_lfs(text, lines)
    parser = xml_parser()
    for e, span in zip(entries, spans, strict=True):
        if span is not None:
            x = e["extra"]["lift"]
            raw = nfc(text[span[0] : span[1]])
            if raw != x["source"] and _same_element(raw, x["source"], parser):
                x["source"] = raw


def _spans_by_lines(text: str, lines: list):
    """Where each entry is in `text`, given the line where its start tag ends: from the last
    "<entry" before that line's end to the next "</entry>"; None when not found. Lines are
    counted as `str.splitlines` does."""
    starts = [0, *accumulate(map(len, text.splitlines(keepends=True)))]
    pos = 0  # where the previous entry ended
    for line in lines:
        if not line or line > len(starts) - 1:
            yield None
            continue
        span = _entry_span(text, pos, starts[line])
        pos = span[1] if span else pos
        yield span


def _spans_by_lfs(text: str, lines: list):
    """`_spans_by_lines` for a text whose lines end in LF or CRLF only, without splitting it:
    LFs are counted from entry to entry, each part of the text once."""
    pos = 0  # where the previous entry ended
    at, before = 0, 0  # a cursor: `before` LFs come before offset `at`
    for line in lines:
        first = text.find("<entry", pos) if line else -1
        if first < 0:
            yield None
            continue
        if first < at:  # not in file order (never so): count again from the start
            at, before = 0, 0
        before, at = before + text.count("\n", at, first), first
        if line - before > _FEW_LINES:  # entries left unread in between: leap over them
            at, before = _leap(text, at, before, line)
        stop = _line_end(text, at, line - before) if before < line else None
        # the last "<entry" before the end of the line (none from `pos` to `first`)
        span = _entry_span(text, first, stop) if stop is not None else None
        pos = span[1] if span else pos
        yield span


def _entry_span(text: str, low: int, high: int) -> tuple[int, int] | None:
    """From the last "<entry" in text[low:high] to the end of the next "</entry>", or None."""
    begin = text.rfind("<entry", low, high)
    end = text.find("</entry>", begin) if begin >= 0 else -1
    return (begin, end + len("</entry>")) if end >= 0 else None


def _leap(text: str, at: int, before: int, line: int) -> tuple[int, int]:
    """The cursor (`before` LFs before offset `at`) moved forward to a few lines short of the
    end of `line`, by counting LFs in spans sized on the lines seen so far."""
    size = max(16, at // max(before, 1))  # the mean line length so far
    while line - before > _FEW_LINES and at < len(text):
        end = min(len(text), at + max(size * (line - before) // 2, 1))
        lfs = text.count("\n", at, end)
        if before + lfs >= line:  # past the line's end: a smaller span
            size = max(1, size // 4)
            continue
        at, before = end, before + lfs
    return at, before


def _line_end(text: str, at: int, lfs: int) -> int | None:
    """Where the line ends that holds the `lfs`th LF from `at` (1: the line of `at`): the
    offset after that LF, the end of an unterminated last line, or None past the last line."""
    for seen in range(lfs):
        found = text.find("\n", at)
        if found < 0:
            last_line = seen == lfs - 1 and not text.endswith("\n")
            return len(text) if last_line else None
        at = found + 1
    return at


def _same_element(raw: str, source: str, parser) -> bool:
    """Whether `raw` parses to the element lxml serialised as `source`. FieldWorks' spelling
    (`_TRAIT_SPELLINGS`) is told without a parse when `source` has no comment, processing
    instruction, or `<`/`>` that NFC joined to a U+0338 after it: then neither has `raw`
    when it is the same text, and every `<` in it is markup."""
    if _plain(source):
        spelt = raw.replace("\r\n", "\n") if "\r" in raw else raw
        if len(spelt) > len(source):  # each spelling is longer than lxml's
            if "&" in spelt:
                spelt = spelt.replace("&apos;", "'")
            for mine, lxmls in _TRAIT_SPELLINGS:
                spelt = spelt.replace(mine, lxmls)
        if spelt == source:
            return True
    try:
        return to_xml(etree.fromstring(raw.encode("utf-8"), parser)) == source
    except etree.XMLSyntaxError:
        return False


def _plain(source: str) -> bool:
    """No comment (`<!--`), processing instruction (`<?`), `≮` or `≯` in `source`."""
    if "!" in source and "<!" in source:
        return False
    if "?" in source and "<?" in source:
        return False
    return "\u226e" not in source and "\u226f" not in source
