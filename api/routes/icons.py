"""The site icon: /favicon.ico and the shipped SVG/PNG sizes, or a dictionary's own.

A dictionary brings its own icon the way it brings its own templates: files with the shipped
names (`ICON_NAMES`) in WORDKEEP_TEMPLATES_DIR/SLUG/ are served at /d/SLUG/icons/NAME instead
of the shipped ones. Which files exist says nothing about the dictionary (no database read), so
every slug answers the same way unless its keepers gave it an icon.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

router = APIRouter(tags=["icons"], include_in_schema=False)

ICON_DIR = Path(__file__).resolve().parent.parent / "static" / "icons"
ICON_NAMES = {
    "favicon.ico": "image/x-icon",
    "icon.svg": "image/svg+xml",
    "icon-32.png": "image/png",
    "icon-180.png": "image/png",
    "icon-192.png": "image/png",
    "icon-512.png": "image/png",
}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_CACHE = {"Cache-Control": "public, max-age=86400"}


def _send(path: Path, name: str) -> FileResponse:
    return FileResponse(path, media_type=ICON_NAMES[name], headers=_CACHE)


@router.get("/favicon.ico")
def favicon():
    return _send(ICON_DIR / "favicon.ico", "favicon.ico")


@router.get("/apple-touch-icon.png")
def apple_touch_icon():
    return _send(ICON_DIR / "icon-180.png", "icon-180.png")


@router.get("/d/{slug}/icons/{name}")
def dictionary_icon(request: Request, slug: str, name: str):
    """The dictionary's own icon file if its keepers put one in the templates folder."""
    if name not in ICON_NAMES or not _SLUG.match(slug):
        raise HTTPException(status_code=404, detail=f"no icon {name!r}")
    folder = request.app.state.settings.templates_dir
    own = Path(folder, slug, name) if folder else None
    return _send(own if own is not None and own.is_file() else ICON_DIR / name, name)
