"""The keepers' review queue: proposals waiting for an editor, accepted or rejected one by one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from api import forms
from api.deps import (
    CsrfChecked,
    DictionaryDep,
    ProposerDep,
    ReviewerDep,
    SessionDep,
)
from api.errors import keeps_typed
from api.routes.editor import editor_url, form_pairs, see_other
from api.templating import render
from lexicon import editing, entries
from lexicon.accounts import access
from lexicon.editing import review
from lexicon.errors import NotFound

router = APIRouter(
    prefix="/d/{slug}/edit", include_in_schema=False, default_response_class=HTMLResponse
)


@router.get("/review")
def review_queue(
    request: Request,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ProposerDep,
):
    proposals = review.list_proposals(session=session, dictionary=dictionary, viewer=viewer)
    ctx = {
        "proposals": [_proposal_view(session, dictionary, viewer, p) for p in proposals["items"]],
        "proposed": request.query_params.get("proposed"),
        "may_review": access.may(viewer, dictionary, "review"),
    }
    return render(request, "editor/review.html", {**ctx, "viewer": viewer}, dictionary=dictionary)


def _proposal_view(session, dictionary, viewer, p: dict) -> dict:
    current = {}
    if p["entry_id"]:
        try:
            current = entries.read_entry(
                session=session, dictionary=dictionary, entry_id=p["entry_id"], viewer=viewer
            )
        except NotFound:
            current = {}
    rows = [r for r in editing.diff(current, p["data"] or {}) if r["change"] != "same"]
    return {**p, "rows": rows, "headword": (p["data"] or current).get("headword", {})}


@router.post("/review/{proposal_id}")
@keeps_typed(forms.typed_comment_lines)  # refused for who they are now: typed stays
def review_decide(
    proposal_id: int,
    pairs: Annotated[list, Depends(form_pairs)],
    _csrf: CsrfChecked,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ReviewerDep,
):
    posted = dict(pairs)
    decide = review.accept if posted.get("decision") == "accept" else review.reject
    decide(
        session=session, dictionary=dictionary, proposal_id=proposal_id, viewer=viewer,
        comment=posted.get("comment", "").strip(),
    )  # fmt: skip
    return see_other(editor_url(dictionary, "review"))


# ---------------------------------------------------------------- settings (owners)
