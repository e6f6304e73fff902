"""The keepers' text form <-> text dict: title, genre, place, date, visibility, status and a row
per sentence (`seg-3-id`, `seg-3-start`, `seg-3-end`, `seg-3-text`, `seg-3-translation`,
`seg-3-delete`; a new row has no id). Read onto the text as the form was opened, so what the
form does not show (other writing systems, words, speakers, `extra`) is carried over."""

from __future__ import annotations

import re
from collections.abc import Callable

from lexicon.shape.labels import Label

TEXT_INPUTS = ("title", "genre", "place", "recorded_on", "visibility", "circle", "status", "rows")
_ROW_INPUT = re.compile(r"seg-\d+-(id|start|end|text|translation|delete)")


def _first_key(multitext: dict | None, default: str) -> str:
    return next(iter(multitext or {}), default)


def _segment_from_form(form: dict, i: int, old: dict | None, vern: str, analysis: str):
    """One segment from the form's row `i`, on top of what it was (other writing systems,
    words, extra); None for a row deleted or left blank (a new row with only times is kept:
    the segment editor's split makes one)."""
    get = lambda name: (form.get(f"seg-{i}-{name}") or "").strip()  # noqa: E731
    if get("delete") or not (get("text") or get("translation") or old or get("start")):
        return None
    segment = dict(old or {})
    text_ws = _first_key(segment.get("text"), vern)
    tr_ws = _first_key(segment.get("translation"), analysis)
    if (segment.get("text") or {}).get(text_ws, "") != get("text"):
        segment["words"] = []  # the words were of the old transcription
    segment["text"] = {**(segment.get("text") or {}), text_ws: get("text")}
    segment["translation"] = {**(segment.get("translation") or {}), tr_ws: get("translation")}
    segment["start"], segment["end"] = get("start") or None, get("end") or None
    segment["words"] = _words_inside(segment.get("words") or [], get("start"), get("end"))
    return segment


def _words_inside(words: list, start: str, end: str) -> list:
    """The words, each timed one that now falls outside its sentence (an edge dragged in the
    segment editor) without its times: they are to be aligned again, not played wrong."""
    try:
        low, high = float(start) - 0.0005, float(end) + 0.0005
    except ValueError:  # no times (or bad ones, refused when the text is checked)
        return words
    return [
        dict(w, start=None, end=None)
        if w.get("start") is not None and not (low <= w["start"] and (w.get("end") or 0) <= high)
        else w
        for w in words
    ]


def text_from_form(form: dict, opened: dict, vern: str, analysis: str) -> dict:
    """The text as the editor's form leaves it, read onto the text as it was opened (fields it
    has no input for stay as they were)."""
    by_id = {s["id"]: s for s in opened["segments"]}
    segments = []
    for i in range(_rows(form)):
        old = by_id.get(form.get(f"seg-{i}-id") or "")
        segment = _segment_from_form(form, i, old, vern, analysis)
        if segment is not None:
            segments.append(segment)
    title_ws = _first_key(opened["title"], vern)
    return dict(
        opened,
        title={**opened["title"], title_ws: (form.get("title") or "").strip()},
        **{k: (form.get(k) or "").strip() for k in ("genre", "place", "recorded_on")},
        visibility=form.get("visibility") or opened["visibility"],
        circle=(form.get("circle") or "").strip() or None,
        status=form.get("status") or opened["status"],
        segments=segments,
    )


def typed_text(form: dict, text_id: str, vern: str, analysis: str) -> dict:
    """What the keeper typed, read onto nothing (the text is no longer there for them to read
    it onto): each row keeps its sentence's id, so the form saved again edits those sentences."""
    ids = [form.get(f"seg-{i}-id") for i in range(_rows(form))]
    nothing = {"id": text_id, "title": {}, "visibility": "public", "status": "draft",
               "segments": [{"id": sid} for sid in ids if sid]}  # fmt: skip
    return text_from_form(form, nothing, vern, analysis)


_TYPED = (("title", Label("Title")), ("genre", Label("Genre")), ("place", Label("Place")),
          ("recorded_on", Label("Recorded on")), ("circle", Label("Circle")))  # fmt: skip


def _row_labels(number: int) -> dict[str, Label]:
    return {
        "start": Label("Start of sentence %(number)s", number=number),
        "end": Label("End of sentence %(number)s", number=number),
        "text": Label("Transcription of sentence %(number)s", number=number),
        "translation": Label("Translation of sentence %(number)s", number=number),
    }


def typed_text_lines(pairs) -> list[tuple[Label, str]]:
    """What the keeper posted from the text form (or the conflict page, which carries it on)
    as labelled lines: all a page shows them when it may show nothing of the dictionary."""
    form = dict(pairs)
    lines = [
        (label, form[name].strip()) for name, label in _TYPED if (form.get(name) or "").strip()
    ]
    for i in range(_rows(form)):
        if not form.get(f"seg-{i}-delete"):
            for part, label in _row_labels(i + 1).items():
                if value := (form.get(f"seg-{i}-{part}") or "").strip():
                    lines.append((label, value))
    return lines


def typed_title_lines(pairs) -> list[tuple[Label, str]]:
    """A new text's title from the texts page, as it labels it."""
    title = (dict(pairs).get("title") or "").strip()
    return [(Label("Title"), title)] if title else []


def text_editor(form: dict, vern: str, analysis: str) -> Callable[[dict], dict]:
    """What the domain calls to read the form onto the text as it was opened."""
    return lambda opened: text_from_form(form, opened, vern, analysis)


def _rows(form: dict) -> int:
    try:
        return max(0, min(int(form.get("rows") or 0), 100_000))
    except ValueError:
        return 0


def form_inputs(form: dict) -> list[tuple[str, str]]:
    """The posted inputs the text form has (no token, version or choice): what the conflict
    page carries on, so the keeper's edit is read again when they choose."""
    return [
        (name, value)
        for name, value in form.items()
        if name in TEXT_INPUTS or _ROW_INPUT.fullmatch(name)
    ]
