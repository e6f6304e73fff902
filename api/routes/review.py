"""The review queue: contributors' proposals, accepted or rejected by editors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, Field

from api.csrf import require_csrf_for_session
from api.deps import (
    DictionaryDep,
    ProposerDep,
    ReviewerDep,
    SessionDep,
)
from lexicon.editing import review
from lexicon.editing.review import ProposalPublic

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
    *,
    status: Annotated[str | None, Query(description="pending | accepted | rejected")] = "pending",
    entry_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ProposerDep,
):
    """Editors see every proposal; contributors see their own."""
    return review.list_proposals(
        session=session, dictionary=dictionary, viewer=viewer, status=status,
        entry_id=entry_id, limit=limit, cursor=cursor,
    )  # fmt: skip


@router.post("/{proposal_id}/accept", response_model=ProposalPublic)
def accept(
    proposal_id: int,
    decision: Annotated[Decision, Body(default_factory=Decision)],
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ReviewerDep,
):
    return review.accept(
        session=session, dictionary=dictionary, viewer=viewer, proposal_id=proposal_id,
        comment=decision.comment, force=decision.force,
    )  # fmt: skip


@router.post("/{proposal_id}/reject", response_model=ProposalPublic)
def reject(
    proposal_id: int,
    decision: Annotated[Decision, Body(default_factory=Decision)],
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ReviewerDep,
):
    return review.reject(
        session=session, dictionary=dictionary, viewer=viewer, proposal_id=proposal_id,
        comment=decision.comment,
    )  # fmt: skip
