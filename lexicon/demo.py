"""Load the shipped demo dictionary (data/demo/hdi.json) through the store, once."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from lexicon import store
from lexicon.models import Dictionary


def load_demo(*, session: Session, path: Path, editor: str = "demo") -> tuple[Dictionary, bool]:
    """Create the demo dictionary and its entries unless it exists; returns (dictionary, created)."""
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    slug = payload["dictionary"]["slug"]
    existing = session.exec(select(Dictionary).where(Dictionary.slug == slug)).scalar_one_or_none()
    if existing is not None:
        return existing, False
    with store.transaction(session):
        dictionary = store.create_dictionary(session=session, data=payload["dictionary"])
        store.create_entries(
            session=session, dictionary=dictionary, items=payload["entries"], editor=editor
        )
    return dictionary, True
