"""Export a dictionary as a zip in LIFT, CSV, CLDF, MDF or JSON, with its media files inside
(and, in LIFT and JSON, its texts: lexicon.io.textpack)."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, union
from sqlmodel import Session

from lexicon.accounts import access
from lexicon.entries import relations
from lexicon.entries.read import entry_dicts
from lexicon.errors import InvalidInput
from lexicon.io import textpack, wsmap
from lexicon.io.bulk import gc_paused
from lexicon.io.cldf.write import write_cldf
from lexicon.io.jsonio import write_json
from lexicon.io.lift.package import LiftDocument, write_lift
from lexicon.io.lift.write import plain_source
from lexicon.io.mdf.write import write_mdf
from lexicon.io.tabular.write import write_table
from lexicon.media.storage import safe_file_name
from lexicon.models import Dictionary, Entry, Example, Media, Picture, Pronunciation, Sense
from lexicon.shape.entry import audio_refs, iter_media

EXPORT_FORMATS = ("lift", "csv", "cldf", "mdf", "json")


def _rows(session: Session, dictionary: Dictionary, *columns, ids=None):
    """The dictionary's entry rows in its order, all columns or `columns` (Core rows: building
    12,000 ORM objects was a fifth of an export), those of `ids` if given; and a select of
    their ids."""
    table = Entry.__table__
    where = [table.c.dictionary_id == dictionary.id, table.c.deleted == False]  # noqa: E712
    if ids is not None:
        where.append(table.c.id.in_(ids))
    query = select(*(columns or [table])).where(*where).order_by(table.c.sort_key, table.c.id)
    return session.execute(query).all(), select(table.c.id).where(*where)


def _entries(session: Session, dictionary: Dictionary, viewer) -> list[dict]:
    rows, ids = _rows(session, dictionary)
    out: list[dict] = []
    # The children of all entries at once, chosen in SQL (an IN list of thousands of ids
    # cost SQLAlchemy more than the query did).
    for e in entry_dicts(session=session, dictionary=dictionary, rows=rows, ids_query=ids):
        if viewer is not None:
            e = access.filter_entry(viewer, dictionary, e)
        if e is not None:
            out.append(e)
    if viewer is not None:  # relations to targets the viewer may not see are left out
        out = relations.resolve(session, dictionary, viewer, out)
    return out


def _lift_entries(session: Session, dictionary: Dictionary) -> tuple[list[dict], dict[str, str]]:
    """Every entry, for a LIFT export with no viewer (nothing to filter), and {entry id: text}
    of those that go back out as their import had them and hold no media file
    (lift.write.plain_source). Those are not assembled: their dicts carry only what the other
    entries' relations need (ids, headword, lift attributes of the entry and its senses)."""
    c = Entry.__table__.c
    rows, ids = _rows(session, dictionary, c.id, c.version, c.headword, c.citation, c.extra)
    texts = {}
    for row in rows:
        text = plain_source({"version": row.version, "extra": row.extra})
        if text is not None:
            texts[row.id] = text
    if texts:
        for entry_id in _with_media(session, ids):  # never so, unless edited unversioned
            texts.pop(entry_id, None)
    others = [row.id for row in rows if row.id not in texts]
    full = {e["id"]: e for e in _entry_dicts(session, dictionary, others)}
    senses = _sense_stubs(session, ids) if texts else {}
    out = []
    for row in rows:
        if row.id in texts:
            out.append({"id": row.id, "version": row.version, "headword": row.headword,
                        "citation": row.citation, "extra": row.extra,
                        "senses": senses.get(row.id, [])})  # fmt: skip
        elif row.id in full:  # else deleted since the first query
            out.append(full[row.id])
    return out, texts


def _plain_texts(entries: list[dict]) -> dict[str, str]:
    """{entry id: text} of the entries (as the viewer sees them) that go back out as their
    import had them and hold no media file (lift.write.plain_source)."""
    texts = {}
    for e in entries:
        text = plain_source(e)
        if text is not None and next(iter_media(e), None) is None:
            texts[e["id"]] = text
    return texts


_FEW = 500  # up to this many entries, their rows and children are chosen by an IN list of ids


def _entry_dicts(session: Session, dictionary: Dictionary, ids: list[str]) -> list[dict]:
    """The entry dicts of `ids`, in the dictionary's order."""
    if not ids:
        return []
    if len(ids) <= _FEW:
        rows, _ = _rows(session, dictionary, ids=ids)
        return entry_dicts(session=session, dictionary=dictionary, rows=rows)
    rows, chosen = _rows(session, dictionary)
    wanted = set(ids)
    rows = [row for row in rows if row.id in wanted]
    return entry_dicts(session=session, dictionary=dictionary, rows=rows, ids_query=chosen)


def _with_media(session: Session, ids) -> set[str]:
    """The entries among `ids` with a part naming a stored file."""
    parts = (Pronunciation, Example, Picture)
    return set(session.execute(union(*(
        select(p.entry_id).where(p.entry_id.in_(ids), p.media_sha256.is_not(None)) for p in parts
    ))).scalars())  # fmt: skip


def _sense_stubs(session: Session, ids) -> dict[str, list[dict]]:
    """{entry id: [{"id", "extra"}]}: its senses and subsenses, in one list."""
    table = Sense.__table__
    query = select(table.c.id, table.c.entry_id, table.c.extra).where(table.c.entry_id.in_(ids))
    out: dict[str, list[dict]] = {}
    for sense_id, entry_id, extra in session.execute(query.order_by(table.c.position)):
        out.setdefault(entry_id, []).append({"id": sense_id, "extra": extra})
    return out


@dataclass
class _Packed:
    """Where each media file went in the package ({sha: relative path}), and the pictures
    that travel as their stripped copies ({sha: mime}) instead of their originals."""

    placed: dict[str, str] = field(default_factory=dict)
    stripped: dict[str, str] = field(default_factory=dict)
    originals: int = 0


_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def _stripped_copy(row: Media) -> tuple[str, str] | None:
    """A picture's largest copy without the original's metadata: (storage key, mime)."""
    extra = row.extra or {}
    printed = extra.get("print") or {}
    if printed.get("key"):
        return printed["key"], printed.get("mime") or "image/jpeg"
    copies = sorted((extra.get("derivatives") or {}).values(), key=lambda c: c.get("width", 0))
    if copies and copies[-1].get("key"):
        return copies[-1]["key"], copies[-1].get("mime") or "image/webp"
    if row.derivative_key:
        return row.derivative_key, row.derivative_mime or "image/webp"
    return None


def _package_media(session, dictionary, entries, storage, folder: Path, originals: bool) -> _Packed:
    """Copy the media files the entries use into audio/ or pictures/: recordings as stored,
    pictures as stored only if `originals` (else their stripped copies: no GPS, no EXIF)."""
    shas = {
        o["media"]["sha256"] for e in entries for _, o in iter_media(e) if o["media"].get("sha256")
    }
    shas |= {r["sha256"] for e in entries for r in audio_refs(e) if r.get("sha256")}
    packed = _Packed()
    if not shas or storage is None:
        return packed
    rows = (
        session.exec(
            select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256.in_(shas))
        )
        .scalars()
        .all()
    )
    used: set[str] = set()
    for row in rows:
        sub = "pictures" if row.kind == "image" else "audio"
        name = safe_file_name(row.original_name, row.sha256)  # names stored before the check
        key = row.original_key
        if row.kind == "image" and not originals:
            copy = _stripped_copy(row)
            if copy is None:  # no copy without metadata: the picture stays out
                continue
            key, mime = copy
            name = (Path(name).stem or row.sha256) + _EXTENSIONS.get(mime, ".img")
            packed.stripped[row.sha256] = mime
        elif row.kind == "image":
            packed.originals += 1
        if f"{sub}/{name}" in used:  # two different files with one name
            name = f"{row.sha256[:12]}-{name}"
        rel = f"{sub}/{name}"
        used.add(rel)
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(key) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out)
        packed.placed[row.sha256] = rel
    return packed


def _describe_stripped(entries: list[dict], packed: _Packed) -> None:
    """Entries name a stripped picture as the file in the package: its name, its type, and no
    link to the original."""
    if not packed.stripped:
        return
    for e in entries:
        for _, obj in iter_media(e):
            media = obj.get("media") or {}
            if media.get("sha256") in packed.stripped:
                media["mime"] = packed.stripped[media["sha256"]]
                media["original_name"] = Path(packed.placed[media["sha256"]]).name
                media.pop("original_url", None)


README_ORIGINALS = (
    "The pictures in pictures/ are the originals as they were uploaded. They may carry the\n"
    "camera's EXIF data, among it the GPS position where a photo was taken: share this export\n"
    "only with people who may know those places.\n"
)
README_STRIPPED = (
    "The pictures in pictures/ are copies made for the web and for print: they carry no EXIF\n"
    "data (no GPS position, no camera details). The originals are given only to the\n"
    "dictionary's editors and owners.\n"
)


def _write_readme(folder: Path, dictionary: Dictionary, packed: _Packed) -> None:
    """README.txt says what the package's pictures are: originals (with their metadata) or
    stripped copies. Written only when pictures travel along."""
    if not packed.originals and not packed.stripped:
        return
    head = f"{dictionary.title or dictionary.slug}: exported from Wordkeep.\n\n"
    body = README_ORIGINALS if packed.originals else README_STRIPPED
    (folder / "README.txt").write_text(head + body, encoding="utf-8")


@gc_paused()
def export_dictionary(
    *,
    session: Session,
    dictionary: Dictionary,
    format: str,
    dest,
    storage=None,
    viewer=None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Path:
    """Write `dest` (a .zip) holding the dictionary in `format` plus the media files it uses.

    `viewer` limits the export to what that person may see (None: everything, for the CLI);
    pictures travel as their originals only if the viewer may fetch originals
    (`access.sees_originals`), else as copies without EXIF, and README.txt says which.
    """
    fmt = format.lower()
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"format: {format!r} is not one of {', '.join(EXPORT_FORMATS)}")
    _check_name(fmt, Path(dest))
    tick = progress or (lambda done, total, stage: None)
    verbatim: dict[str, str] = {}
    if fmt == "lift" and viewer is None:
        entries, verbatim = _lift_entries(session, dictionary)
    else:
        entries = _entries(session, dictionary, viewer)
        verbatim = _plain_texts(entries) if fmt == "lift" else {}
    tick(0, len(entries), "exporting")
    # The dicts were just built from the database: renaming tags in them in place is safe.
    wsmap.restore_entries(entries, (dictionary.extra or {}).get("ws_map") or {})
    dest = Path(dest)
    with tempfile.TemporaryDirectory(prefix="wordkeep-export-") as tmp:
        folder = Path(tmp) / dictionary.slug
        folder.mkdir()
        originals = access.sees_originals(viewer, dictionary)
        # The entries written as their import had them hold no media file (_lift_entries).
        holders = [e for e in entries if e["id"] not in verbatim] if verbatim else entries
        packed = _package_media(session, dictionary, holders, storage, folder, originals)
        _describe_stripped(holders, packed)
        _write_readme(folder, dictionary, packed)
        texts = _texts(session, dictionary, viewer, fmt, storage, folder, packed.placed)
        _write_format(fmt, dictionary, entries, folder, packed.placed, texts, verbatim)
        _deliver(folder, dest, fmt)
    tick(len(entries), len(entries), "done")
    return dest


def _texts(session, dictionary, viewer, fmt: str, storage, folder: Path, placed) -> list[dict]:
    """The texts the viewer may see, with their recordings under audio/ (LIFT and JSON)."""
    if fmt not in ("lift", "json"):
        return []
    texts = textpack.texts_for_export(session=session, dictionary=dictionary, viewer=viewer)
    textpack.package_recordings(session, dictionary, texts, storage, folder, placed)
    return texts


# A format's own file names: an export to such a name is that plain file (no zip around it).
PLAIN_SUFFIXES = {
    "lift": (".lift",),
    "json": (".json",),
    "csv": (".csv",),
    "mdf": (".sfm", ".txt", ".mdf", ".db"),
    "cldf": (),  # a CLDF dataset is several files: always a zip
}


PLAIN_TYPES = {
    ".json": "application/json",
    ".lift": "application/xml",
    ".csv": "text/csv; charset=utf-8",
    ".sfm": "text/plain; charset=utf-8",
}


def plain_export_name(slug: str, fmt: str) -> str:
    """The plain file name an export in `fmt` gets (`sena.json`); refused for CLDF."""
    own = PLAIN_SUFFIXES.get(fmt.lower())
    if not own:
        raise ExportRefused(f"format: a {fmt.upper()} export is several files: only as a zip")
    return f"{slug}{own[0]}"


class ExportRefused(InvalidInput):
    """The output name asks for a plain file that cannot hold this export."""


def _check_name(fmt: str, dest: Path) -> None:
    suffix = dest.suffix.lower()
    if suffix == ".zip" or suffix in PLAIN_SUFFIXES[fmt]:
        return
    own = " or ".join(PLAIN_SUFFIXES[fmt])
    plain = f" (or {own} for the plain file when no media travel along)" if own else ""
    raise ExportRefused(
        f"{dest.name}: a {fmt.upper()} export is written as {dest.stem}.zip{plain}; nothing written"
    )


# zlib's level 3 instead of its default 6: half the CPU of a 12 MB LIFT's compression (0.07 s
# instead of 0.14), for a zip 15% larger.
ZIP_LEVEL = 3


def _deliver(folder: Path, dest: Path, fmt: str) -> None:
    """The package as a zip at `dest`, or, for a plain name (`words.json`), the one file the
    export is; refused (nothing written) when more than that one file travels along."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if dest.suffix.lower() != ".zip":
        main = [p for p in files if p.suffix.lower() in PLAIN_SUFFIXES[fmt] and p.parent == folder]
        others = [p.relative_to(folder).as_posix() for p in files if p not in main[:1]]
        if len(main) != 1 or others:
            shown = ", ".join(others[:3]) + (
                f" and {len(others) - 3} more" if len(others) > 3 else ""
            )
            raise ExportRefused(
                f"{dest.name}: this {fmt.upper()} export is more than one file ({shown} travel "
                f"along with it); name the output {dest.stem}.zip; nothing written"
            )
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(main[0], dest)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zf:
        for p in files:
            zf.write(p, p.relative_to(folder).as_posix())


def dictionary_dict(dictionary: Dictionary) -> dict:
    keys = (
        "slug",
        "title",
        "language_name",
        "language_code",
        "glottocode",
        "vernacular_ws",
        "analysis_ws",
        "alphabet",
        "visibility",
        "licence",
        "credits",
        "description",
        "default_entry_visibility",
    )
    return {k: getattr(dictionary, k) for k in keys}


def _write_format(
    fmt: str, dictionary: Dictionary, entries, folder: Path, placed, texts, verbatim
) -> None:
    vern = (dictionary.vernacular_ws or [None])[0]
    if fmt == "lift":
        lift_extra = (dictionary.extra or {}).get("lift") or {"name": dictionary.slug}

        def href(media: dict, kind: str, x: dict) -> str:
            original = (x.get("hrefs") or {}).get("media")
            if media.get("sha256") in placed:
                stored = Path(placed[media["sha256"]]).name
                # Keep FLEx's href when it names the same file; else point at ours.
                if original and original.replace("\\", "/").rsplit("/", 1)[-1] == stored:
                    return original
                return stored
            return original or media.get("href") or ""

        doc = LiftDocument.from_parts(entries=entries, lift_extra=lift_extra, verbatim=verbatim)
        write_lift(doc, folder, media_href=href)
        textpack.write_beside_lift(texts, folder)
    elif fmt == "csv":
        for e in entries:
            for _, obj in iter_media(e):
                if obj.get("media") and obj["media"].get("sha256") in placed:
                    obj["media"]["original_name"] = placed[obj["media"]["sha256"]]
        write_table(entries, folder / f"{dictionary.slug}.csv", vernacular=vern)
    elif fmt == "cldf":
        files = {}
        for sha, rel in placed.items():
            files[sha] = (Path(rel).name, (folder / rel).read_bytes(), None)
            (folder / rel).unlink()
        write_cldf(
            entries,
            folder / "cldf",
            dictionary=dictionary_dict(dictionary),
            media_files=files,
            meta_language=(dictionary.analysis_ws or ["en"])[0],
        )
    elif fmt == "mdf":
        analysis = dictionary.analysis_ws or ["en"]
        write_mdf(
            entries,
            folder / f"{dictionary.slug}.sfm",
            vernacular=vern or "und",
            national=analysis[1] if len(analysis) > 1 else "qaa-x-national",
            media_names={sha: Path(rel).name for sha, rel in placed.items()},
        )
    else:
        for e in entries:  # where in the package each file is, for an import elsewhere
            for _, obj in iter_media(e):
                if obj["media"].get("sha256") in placed:
                    obj["media"]["href"] = placed[obj["media"]["sha256"]]
        write_json(dictionary_dict(dictionary), entries, folder / f"{dictionary.slug}.json", texts)
