from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlmodel import Session

from api.deps import get_session

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(session: Session = Depends(get_session)) -> dict:
    """Liveness and database reachability."""
    session.exec(text("SELECT 1"))
    return {"status": "ok"}
