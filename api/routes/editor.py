"""The keepers' editor: server-rendered pages under /d/{slug}/edit/, enhanced by small scripts
in static/editor/. Every page works as a plain form post; scripts add palette, recording,
drafts and pickers."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from api import forms
from api.deps import (
    CsrfChecked,
    DictionaryDep,
    EditorDep,
    ProposerDep,
    SessionDep,
)
from api.errors import keeps_typed
from api.templating import render
from api.urls import urls
from lexicon import editing, entries
from lexicon.accounts import access
from lexicon.editing import review
from lexicon.errors import Busy, EntryDeleted, EntryNotFound, InvalidInput, StaleVersion
from lexicon.models import Dictionary
from lexicon.shape.entry import blank_entry

router = APIRouter(
    prefix="/d/{slug}/edit", include_in_schema=False, default_response_class=HTMLResponse
)
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
PAGE = 50


async def form_pairs(request: Request) -> list[tuple[str, str]]:
    """The posted form as (name, value) pairs, in order (files left out)."""
    form = await request.form()
    return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]


def editor_url(dictionary: Dictionary, path: str = "") -> str:
    return urls.editor(dictionary.slug) + path


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ---------------------------------------------------------------- entry list


@router.get("")
@router.get("/")
def entry_list(
    request: Request,
    *,
    status: str | None = None,
    pos: str | None = None,
    letter: str | None = None,
    missing: Annotated[list[str], Query(default_factory=list)],
    q: str | None = None,
    cursor: str | None = None,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ProposerDep,
):
    where = editing.entry_filter(
        part_of_speech=pos or None,
        missing_audio="audio" in missing,
        missing_gloss="gloss" in missing,
        missing_example="example" in missing,
        search=(q or "").strip() or None,
        viewer=viewer,
        dictionary=dictionary,
    )
    page = entries.list_entries(
        session=session, dictionary=dictionary, viewer=viewer, limit=PAGE, cursor=cursor,
        letter=letter or None, status=status or None, where=where,
    )  # fmt: skip
    filters = {"status": status, "pos": pos, "letter": letter, "missing": missing, "q": q}
    ctx = {
        "page": page,
        "filters": filters,
        "query": str(request.url.query),
        "letters": [lt.lower for lt in entries.alphabet_for(dictionary).letters],
        "parts_of_speech": editing.parts_of_speech(
            session=session, dictionary=dictionary, viewer=viewer
        ),
        "statuses": editing.STATUSES,
        "viewer": viewer,
    }
    return render(request, "editor/list.html", ctx, dictionary=dictionary)


# ---------------------------------------------------------------- the entry form


def _form_page(request, dictionary, session, viewer, entry, *, errors=None, status_code=200,
               gone=""):  # fmt: skip
    ctx = {
        "entry": entry,
        "new": not entry.get("id"),
        "errors": errors or {},
        "palette": editing.palette(dictionary),
        "parts_of_speech": editing.parts_of_speech(
            session=session, dictionary=dictionary, viewer=viewer
        ),
        "statuses": editing.STATUSES,
        "visibilities": editing.VISIBILITIES,
        "vernacular": _tags(dictionary.vernacular_ws, entry.get("headword")),
        "analysis": _tags(dictionary.analysis_ws, *_analysis_values(entry)),
        "saved": request.query_params.get("saved"),
        "restored": request.query_params.get("restored"),
        "gone": gone,  # "deleted" or "hidden" meanwhile: the form as typed, nothing saved
        "viewer": viewer,
    }
    return render(request, "editor/form.html", ctx, dictionary=dictionary, status_code=status_code)


def _tags(configured: list[str], *values: dict | None) -> list[str]:
    """The dictionary's writing systems, plus any the entry already uses (so none is hidden)."""
    tags = list(configured or [])
    for mt in values:
        tags += [t for t in (mt or {}) if t not in tags]
    return tags


def _analysis_values(entry: dict) -> list[dict]:
    out = []
    for sense in entry.get("senses", []):
        out += [sense.get("glosses"), sense.get("definitions")]
        out += [ex.get("translations") for ex in sense.get("examples", [])]
    return out


def _new_entry(dictionary: Dictionary) -> dict:
    sense = editing.blank_sense()
    sense["examples"] = [editing.blank_example()]
    return blank_entry(
        status="draft", visibility=dictionary.default_entry_visibility, senses=[sense]
    )


def _with_blank(entry: dict, action: str) -> dict:
    """No-script "add" buttons post the form back; this adds the blank row they asked for."""
    if action == "add_sense":
        entry["senses"].append(editing.blank_sense())
    elif action.startswith("add_example:") and action[12:].isdigit():
        index = int(action[12:])
        while len(entry["senses"]) <= index:
            entry["senses"].append(editing.blank_sense())
        entry["senses"][index]["examples"].append(editing.blank_example())
    elif action in ("add_variant", "add_note", "add_relation"):
        key = {"add_variant": "variants", "add_note": "notes", "add_relation": "relations"}
        entry[key[action]].append({})
    return entry


@router.get("/entries/new")
def new_entry(
    request: Request,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ProposerDep,
):
    return _form_page(request, dictionary, session, viewer, _new_entry(dictionary))


@router.get("/entries/{entry_id}")
def edit_entry(
    request: Request,
    entry_id: str,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ProposerDep,
):
    entry = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=entry_id, viewer=viewer
    )
    return _form_page(request, dictionary, session, viewer, entry)


@router.post("/entries/new")
@keeps_typed(forms.typed_entry_lines)  # refused for who they are now: typed stays
def create_entry(
    request: Request,
    pairs: Annotated[list, Depends(form_pairs)],
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ProposerDep,
):
    return save_entry(request, None, pairs, _csrf, dictionary, session, viewer)


@router.post("/entries/{entry_id}")
@keeps_typed(forms.typed_entry_lines)  # refused for who they are now: typed stays
def save_entry(
    request: Request,
    entry_id: str | None,
    pairs: Annotated[list, Depends(form_pairs)],
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ProposerDep,
):
    form = forms.parse_form(pairs)
    action = dict(pairs).get("_action", "save")
    restore = bool(forms.field_text(form.get("restore")))  # deleted meanwhile: restore it first
    gone = "deleted" if restore else ""  # until it is restored, the form offers that again
    try:
        if action != "save":
            base = _base_or_empty(session, dictionary, viewer, entry_id, form)
            entry = _with_blank({**forms.entry_from_form(form, base), "id": entry_id}, action)
            entry["version"] = forms.form_version(form)
            return _form_page(request, dictionary, session, viewer, entry, gone=gone)
        change = _save(session, dictionary, viewer, entry_id, form, restore)
    except StaleVersion as exc:
        return _conflict_page(request, dictionary, viewer, exc.details["mine"], exc.current)
    except Busy as exc:  # another write held the lock too long: what was typed stays here
        return _form_page(request, dictionary, session, viewer, forms.typed_entry(form, entry_id),
                          errors={"_form": exc.message}, status_code=503, gone=gone)  # fmt: skip
    except InvalidInput as exc:
        entry = exc.details.get("entry") or forms.entry_from_form(form)
        errors = exc.details.get("errors")
        errors = errors if isinstance(errors, dict) else {"_form": exc.message}
        entry.update(id=entry_id, version=forms.form_version(form))
        return _form_page(request, dictionary, session, viewer, entry, errors=errors,
                          status_code=422, gone=gone)  # fmt: skip
    except EntryNotFound as exc:  # deleted or hidden meanwhile: what was typed stays here
        typed = _with_blank(forms.typed_entry(form, entry_id), action)
        return _gone(request, dictionary, session, viewer, typed, exc)
    if change.entry is None:  # a contributor's change waits in the review queue
        return see_other(editor_url(dictionary, "review?proposed=1"))
    saved = change.entry
    done = "&restored=1" if restore else ""
    return see_other(
        editor_url(dictionary, f"entries/{saved['id']}?saved={saved['version']}{done}")
    )


def _save(session, dictionary, viewer, entry_id, form: dict, restore: bool) -> review.Change:
    """The form saved: read onto the version it was opened at (restored first when `restore`:
    the entry was deleted while it was being edited)."""
    version = forms.form_version(form)
    if restore:
        return editing.restore_and_save(
            session=session, dictionary=dictionary, viewer=viewer, entry_id=entry_id,
            version=version, edit=lambda opened: forms.entry_from_form(form, opened),
        )  # fmt: skip
    base = _base_or_empty(session, dictionary, viewer, entry_id, form)
    return editing.save_entry(
        session=session, dictionary=dictionary, viewer=viewer, entry_id=entry_id,
        entry=forms.entry_from_form(form, base), version=version,
    )  # fmt: skip


def _gone(request, dictionary, session, viewer, typed: dict, exc: EntryNotFound):
    """Nothing was saved: the form again as the keeper typed it and nothing of the entry as it
    is now, saying it was deleted (410; an editor's button restores it with their changes
    saved onto it) or is no longer theirs to see (404; saved again once they may see it)."""
    deleted = isinstance(exc, EntryDeleted)
    gone = "deleted" if deleted and access.may(viewer, dictionary, "edit") else "hidden"
    return _form_page(request, dictionary, session, viewer, typed,
                      status_code=410 if deleted else 404, gone=gone)  # fmt: skip


def _base_or_empty(session, dictionary, viewer, entry_id, form) -> dict:
    if entry_id is None:
        return {}
    return editing.opened_version(
        session=session, dictionary=dictionary, entry_id=entry_id,
        version=forms.form_version(form), viewer=viewer,
    )  # fmt: skip


@router.post("/entries/{entry_id}/delete")
def delete_entry(
    entry_id: str,
    pairs: Annotated[list, Depends(form_pairs)],
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    version = forms.form_version(forms.parse_form(pairs))
    review.change_entry(
        session=session, dictionary=dictionary, viewer=viewer, action="delete",
        entry_id=entry_id, version=version,
    )  # fmt: skip
    return see_other(editor_url(dictionary, "deleted"))


# ---------------------------------------------------------------- conflicts


def _conflict_page(request, dictionary, viewer, mine: dict, theirs: dict):
    fields = editing.differing_fields(mine, theirs)
    rows = [
        {
            "field": f,
            "label": editing.FIELD_LABELS[f],
            "mine": editing.field_lines(mine, f),
            "theirs": editing.field_lines(theirs, f),
        }
        for f in fields
    ]
    ctx = {
        "entry": theirs,
        "rows": rows,
        "mine_json": json.dumps(mine, ensure_ascii=False),
        "viewer": viewer,
    }
    return render(request, "editor/conflict.html", ctx, dictionary=dictionary, status_code=409)


@router.post("/entries/{entry_id}/resolve")
@keeps_typed(forms.typed_entry_lines)  # refused for who they are now: typed stays
def resolve_conflict(
    request: Request,
    entry_id: str,
    pairs: Annotated[list, Depends(form_pairs)],
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    posted = dict(pairs)
    try:
        mine = json.loads(posted.get("mine_json", ""))
        their_version = int(posted.get("their_version", ""))
    except ValueError as exc:
        raise InvalidInput("mine_json: the conflict form was damaged; reload the entry") from exc
    decision = posted.get("decision", "merge")
    choices = {f: posted.get(f"choice.{f}", "theirs") for f in editing.FORM_FIELDS}
    if decision in ("keep_mine", "take_theirs"):
        side = "mine" if decision == "keep_mine" else "theirs"
        choices = dict.fromkeys(editing.FORM_FIELDS, side)
    try:
        saved = editing.resolve_conflict(
            session=session, dictionary=dictionary, viewer=viewer, entry_id=entry_id,
            mine=mine, their_version=their_version, choices=choices,
        )  # fmt: skip
    except StaleVersion as exc:  # yet another save happened meanwhile: compare again
        return _conflict_page(request, dictionary, viewer, mine, exc.current)
    except EntryNotFound as exc:  # deleted or hidden while choosing: theirs is gone, mine stays
        typed = {**mine, "id": entry_id, "version": their_version}
        return _gone(request, dictionary, session, viewer, typed, exc)
    return see_other(editor_url(dictionary, f"entries/{entry_id}?saved={saved['version']}"))


# ---------------------------------------------------------------- history and deleted


@router.get("/entries/{entry_id}/history")
def history(
    request: Request,
    entry_id: str,
    *,
    a: int | None = None,
    b: int | None = None,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    revisions = review.entry_history(
        session=session, dictionary=dictionary, entry_id=entry_id, viewer=viewer, limit=500
    )["items"]
    numbers = [r["number"] for r in revisions]
    b = b if b in numbers else numbers[-1]
    a = a if a in numbers else max([n for n in numbers if n < b] or [b])
    by_number = {r["number"]: r for r in revisions}
    ctx = {
        "entry_id": entry_id,
        "current": revisions[-1],
        "revisions": list(reversed(revisions)),
        "a": a,
        "b": b,
        "rows": editing.diff(by_number[a]["data"], by_number[b]["data"]),
        "restored": request.query_params.get("restored"),
        "viewer": viewer,
    }
    return render(request, "editor/history.html", ctx, dictionary=dictionary)


@router.post("/entries/{entry_id}/revisions/{number}/restore")
def restore(
    entry_id: str,
    number: int,
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    review.restore_revision(
        session=session, dictionary=dictionary, viewer=viewer, entry_id=entry_id, number=number
    )
    return see_other(editor_url(dictionary, f"entries/{entry_id}/history?restored={number}"))


@router.get("/deleted")
def deleted(
    request: Request,
    *,
    cursor: str | None = None,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: EditorDep,
):
    page = entries.list_entries(
        session=session, dictionary=dictionary, viewer=viewer, limit=PAGE, cursor=cursor,
        deleted=True,
    )  # fmt: skip
    return render(
        request, "editor/deleted.html", {"page": page, "viewer": viewer}, dictionary=dictionary
    )


# ---------------------------------------------------------------- pickers' data


@router.get("/lookup", response_class=JSONResponse)
def lookup(
    *,
    q: str = "",
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ProposerDep,
):
    """Entries whose headword contains `q` (the relation picker)."""
    where = editing.entry_filter(search=q.strip() or None)
    page = entries.list_entries(
        session=session, dictionary=dictionary, viewer=viewer, limit=12, where=where
    )
    items = [
        {
            "id": e["id"],
            "headword": e["headword_text"],
            "gloss": "; ".join(g for s in e["senses"][:2] for g in list(s["glosses"].values())[:1]),
        }
        for e in page["items"]
    ]
    return {"items": items, "total": page["total"]}


@lru_cache(maxsize=1)
def _domains_json() -> str:
    domains = editing.load_semantic_domains(DATA_DIR / "semantic-domains.json")
    return json.dumps([{"code": d["code"], "name": d["name"]} for d in domains])


@router.get("/semantic-domains.json", response_class=JSONResponse)
def semantic_domains(viewer: ProposerDep):
    """The SIL semantic domains (code and name) for the picker."""
    return JSONResponse(
        content=json.loads(_domains_json()), headers={"Cache-Control": "private, max-age=86400"}
    )


# ---------------------------------------------------------------- review queue
