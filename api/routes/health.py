from fastapi import APIRouter

from api.deps import SessionDep, StorageDep
from api.middleware import health_response

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(session: SessionDep, storage: StorageDep):
    """Liveness: 200 when the database and the media store answer, else 503 naming the part."""
    return health_response(session, storage)
