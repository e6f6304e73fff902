"""Owners manage who may do what: members with roles, and the circles that see restricted items."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from api.csrf import require_csrf_for_session
from api.deps import DictionaryDep, SessionDep, requires
from lexicon import accounts

router = APIRouter(
    prefix="/api/dictionaries/{slug}",
    tags=["members"],
    dependencies=[Depends(requires("manage")), Depends(require_csrf_for_session)],
)
Role = Literal["owner", "editor", "contributor", "viewer"]


class MemberIn(BaseModel):
    role: Role


class MemberPublic(BaseModel):
    email: str
    display_name: str
    role: str
    circles: list[str]


class MemberPage(BaseModel):
    items: list[MemberPublic]
    total: int
    next: str | None = None


class CirclePublic(BaseModel):
    name: str
    members: list[str]


class CirclePage(BaseModel):
    items: list[CirclePublic]
    total: int
    next: str | None = None


def _page(items: list) -> dict:
    return {"items": items, "total": len(items), "next": None}


@router.get("/members", response_model=MemberPage)
def list_members(dictionary: DictionaryDep, session: SessionDep):
    return _page(accounts.list_members(session=session, dictionary=dictionary))


@router.get("/members/{email}", response_model=MemberPublic)
def get_member(
    email: str,
    dictionary: DictionaryDep,
    session: SessionDep,
):
    return accounts.member(session=session, dictionary=dictionary, email=email)


@router.put("/members/{email}", response_model=MemberPublic)
def set_member(
    email: str,
    data: MemberIn,
    dictionary: DictionaryDep,
    session: SessionDep,
):
    """Give a user (created without a password if new) a role in this dictionary."""
    return accounts.set_member(session=session, dictionary=dictionary, email=email, role=data.role)


@router.delete("/members/{email}", status_code=204)
def remove_member(
    email: str,
    dictionary: DictionaryDep,
    session: SessionDep,
):
    accounts.remove_member(session=session, dictionary=dictionary, email=email)
    return Response(status_code=204)


@router.get("/circles", response_model=CirclePage)
def list_circles(dictionary: DictionaryDep, session: SessionDep):
    return _page(accounts.list_circles(session=session, dictionary=dictionary))


@router.get("/circles/{name}/members", response_model=CirclePublic)
def get_circle(
    name: str,
    dictionary: DictionaryDep,
    session: SessionDep,
):
    return accounts.circle(session=session, dictionary=dictionary, name=name)


@router.put("/circles/{name}/members/{email}", response_model=CirclePublic)
def add_circle_member(
    name: str,
    email: str,
    dictionary: DictionaryDep,
    session: SessionDep,
):
    """Put a member in the circle (created on first use)."""
    return accounts.add_circle_member(
        session=session, dictionary=dictionary, name=name, email=email
    )


@router.delete("/circles/{name}/members/{email}", response_model=CirclePublic)
def remove_circle_member(
    name: str,
    email: str,
    dictionary: DictionaryDep,
    session: SessionDep,
):
    return accounts.remove_circle_member(
        session=session, dictionary=dictionary, name=name, email=email
    )
