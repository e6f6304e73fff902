"""Operational basics: a request id on every request and response, and JSON-lines logs.

`install(app)` adds a plain ASGI middleware (no BaseHTTPMiddleware: streamed media responses pass
through untouched) that takes the caller's `X-Request-ID` (or makes one), echoes it, and logs
one JSON line per request on the `wordkeep.access` logger. Every other log record written while
the request runs carries the same id, so one edit can be followed across several workers.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

HEADER = "x-request-id"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
access_log = logging.getLogger("wordkeep.access")
error_log = logging.getLogger("wordkeep.error")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any extras."""

    _standard = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", "") or request_id.get()
        if rid:
            out["request_id"] = rid
        out.update(
            {k: v for k, v in vars(record).items() if k not in self._standard and k not in out}
        )
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners and servers swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class RequestIdMiddleware:
    """Pure ASGI: request id in, request id out, one access log line per HTTP request."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = _header(scope, HEADER)
        rid = given if given and _VALID_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                message = {**message, "headers": [*headers, (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "request",
                extra={
                    "request_id": rid,
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": (scope.get("client") or ("", 0))[0],
                    "pid": os.getpid(),
                },
            )
            request_id.reset(token)


def _header(scope, name: str) -> str:
    wanted = name.encode()
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return value.decode("latin-1").strip()
    return ""


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """An unexpected failure: a JSON body with the request id (the traceback goes to the log)."""
    rid = request_id.get() or getattr(request.state, "request_id", "")
    error_log.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
    return JSONResponse(
        {"detail": "internal server error; the log has the details", "request_id": rid},
        status_code=500,
        headers={"X-Request-ID": rid} if rid else None,
    )


def configure_logging(level: str = "info", stream=None) -> None:
    """Send the `wordkeep` loggers to stderr as JSON lines (once; a host's own setup wins)."""
    logger = logging.getLogger("wordkeep")
    if any(getattr(h, "_wordkeep", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(stream) if stream else _StderrHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler._wordkeep = True
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


def install(app: FastAPI) -> None:
    """Request ids, JSON access logs and a JSON 500. Call last, so it wraps every middleware."""
    settings = getattr(app.state, "settings", None)
    configure_logging(getattr(settings, "log_level", "info"))
    app.add_exception_handler(Exception, internal_error)
    app.add_middleware(RequestIdMiddleware)


def check_media_store(storage) -> None:
    """Raise if the media store cannot be used: a folder (or the one it will be made in) must be
    writable; a bucket must answer."""
    root = getattr(storage, "root", None)
    if root is not None:
        folder = root if root.exists() else root.parent
        if not (folder.is_dir() and os.access(folder, os.W_OK)):
            raise OSError(f"media folder {root} is not a writable folder")
        return
    client, bucket = getattr(storage, "client", None), getattr(storage, "bucket", None)
    if client is not None and bucket is not None:
        client.head_bucket(Bucket=bucket)
        return
    storage.exists("healthz")


def health_response(session, storage) -> JSONResponse:
    """/healthz: 200 {"status": "ok", ...} when the database and media store answer, else 503
    naming the part that failed (a load balancer then sends traffic elsewhere)."""
    from sqlalchemy import text

    checks = {}
    for name, probe in (
        ("database", lambda: session.exec(text("SELECT 1"))),
        ("media", lambda: check_media_store(storage)),
    ):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # any failure is the answer here, not an error of ours
            error_log.warning("health check failed", extra={"check": name, "error": str(exc)})
            checks[name] = f"failed: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", **checks}, status_code=200 if ok else 503
    )
