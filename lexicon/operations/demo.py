"""Load the shipped demo: the Hdi dictionary (data/demo/hdi.json) and the small sample
dictionaries with real recordings and pictures (data/demo/samples/*.json, their files in
data/demo/media/), each through the store and the media pipeline, once."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from lexicon import media
from lexicon.db.transactions import transaction
from lexicon.editing.batch import create_entries
from lexicon.editing.dictionaries import create_dictionary
from lexicon.io.texts import read_text
from lexicon.media import pictures
from lexicon.media.storage import Storage
from lexicon.models import Dictionary
from lexicon.texts.recording import import_text


def load_demo(*, session: Session, path: Path, editor: str = "demo") -> tuple[Dictionary, bool]:
    """Create the demo dictionary and its entries unless it exists; returns (dictionary, created)."""
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    slug = payload["dictionary"]["slug"]
    existing = session.exec(select(Dictionary).where(Dictionary.slug == slug)).scalar_one_or_none()
    if existing is not None:
        return existing, False
    with transaction(session):
        dictionary = create_dictionary(session=session, data=payload["dictionary"])
        create_entries(
            session=session, dictionary=dictionary, items=payload["entries"], editor=editor
        )
    return dictionary, True


def load_samples(
    *, session: Session, storage: Storage, folder: Path, editor: str = "demo"
) -> list[tuple[Dictionary, bool]]:
    """Each sample dictionary in `folder` (*.json) with its recordings and pictures (files in
    `folder`/../media), unless it exists; returns (dictionary, created) for each."""
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        dictionary, created = load_demo(session=session, path=path, editor=editor)
        if created:
            payload = json.loads(path.read_text(encoding="utf-8"))
            senses = {e["id"]: [s["id"] for s in e["senses"]] for e in payload["entries"]}
            for item in payload.get("media", []):
                if item["kind"] != "audio":  # a picture belongs to one sense of the entry
                    item = {**item, "sense_id": senses[item["entry"]][item.get("sense", 0)]}
                _attach(session, storage, dictionary, Path(folder).parent / "media", item, editor)
            for item in payload.get("texts", []):
                _add_text(session, storage, dictionary, Path(folder).parent / "media", item, editor)
        out.append((dictionary, created))
    return out


def _attach(session, storage, dictionary, media_dir: Path, item: dict, editor: str) -> None:
    """One recording (a new pronunciation) or picture (of the item's sense) of an entry."""
    common = dict(session=session, storage=storage, dictionary=dictionary,
                  entry_id=item["entry"], filename=item["file"], fields=item.get("fields", {}),
                  editor=editor)  # fmt: skip
    with (media_dir / item["file"]).open("rb") as fileobj:
        if item["kind"] == "audio":
            media.add_pronunciation_audio(fileobj=fileobj, **common)
        else:
            pictures.add_sense_picture(fileobj=fileobj, sense_id=item["sense_id"], **common)


def _add_text(session, storage, dictionary, media_dir: Path, item: dict, editor: str) -> None:
    """A recorded story: its transcript file (the segments ending by `until` seconds, as far
    as its recording goes) in the dictionary's first vernacular writing system, with its
    recording."""
    text = read_text(media_dir / item["file"])
    lang = dictionary.vernacular_ws[0]
    until = item.get("until")
    text["segments"] = [
        dict(s, text={lang: " ".join(s["text"].values())})
        for s in text["segments"]
        if until is None or (s.get("end") or 0) <= until
    ]
    text.update(title=item["title"], genre=item.get("genre", ""), status="published")
    with (media_dir / item["audio"]).open("rb") as fileobj:
        import_text(session=session, storage=storage, dictionary=dictionary, data=text,
                    editor=editor, audio_file=fileobj, audio_name=item["audio"])  # fmt: skip
