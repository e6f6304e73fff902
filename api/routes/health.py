from fastapi import APIRouter, Depends, Request
from sqlmodel import Session

from api.deps import get_session
from api.middleware import health_response

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(request: Request, session: Session = Depends(get_session)):
    """Liveness: 200 when the database and the media store answer, else 503 naming the part."""
    return health_response(session, request.app.state.storage)
