"""The review queue: contributors' proposals, accepted or rejected by editors."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.csrf import require_csrf_for_session
from api.deps import get_dictionary, get_session, requires
from lexicon.accounts.access import Viewer
from lexicon.editing import review
from lexicon.editing.review import ProposalPublic
from lexicon.models import Dictionary

router = APIRouter(
    prefix="/api/dictionaries/{slug}/proposals",
    tags=["review"],
    dependencies=[Depends(require_csrf_for_session)],
)


class ProposalPage(BaseModel):
    items: list[ProposalPublic]
    total: int
    next: str | None = None


class Decision(BaseModel):
    comment: str = Field("", max_length=5000, description="why; kept with the proposal")
    force: bool = Field(False, description="accept even if the entry changed since")


@router.get("", response_model=ProposalPage)
def list_proposals(
    status: str | None = Query("pending", description="pending | accepted | rejected"),
    entry_id: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = None,
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(requires("propose")),
):
    """Editors see every proposal; contributors see their own."""
    return review.list_proposals(
        session=session, dictionary=dictionary, viewer=viewer, status=status,
        entry_id=entry_id, limit=limit, cursor=cursor,
    )  # fmt: skip


@router.post("/{proposal_id}/accept", response_model=ProposalPublic)
def accept(
    proposal_id: int,
    decision: Decision = Body(default_factory=Decision),
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(requires("review")),
):
    return review.accept(
        session=session, dictionary=dictionary, viewer=viewer, proposal_id=proposal_id,
        comment=decision.comment, force=decision.force,
    )  # fmt: skip


@router.post("/{proposal_id}/reject", response_model=ProposalPublic)
def reject(
    proposal_id: int,
    decision: Decision = Body(default_factory=Decision),
    dictionary: Dictionary = Depends(get_dictionary),
    session: Session = Depends(get_session),
    viewer: Viewer = Depends(requires("review")),
):
    return review.reject(
        session=session, dictionary=dictionary, viewer=viewer, proposal_id=proposal_id,
        comment=decision.comment,
    )  # fmt: skip
