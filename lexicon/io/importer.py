"""Import a file into a dictionary (all or nothing, through the store) and export one.

Every format's reader gives entry dicts (docs/entry-shape.md). The importer resolves media
files, merges by id (a LIFT guid, a CLDF/MDF/CSV derived id), and writes new entries in
batches and changed ones as updates, so each gets a revision. One transaction covers it all.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from lexicon.accounts.access import Viewer
from lexicon.db.transactions import transaction
from lexicon.editing.batch import create_entries
from lexicon.editing.dictionaries import set_server_extra, update_dictionary
from lexicon.editing.write import delete_entry, update_entry
from lexicon.entries.read import entry_dicts
from lexicon.errors import ImportRejected
from lexicon.io import foreign, import_guard, import_plan, mediafiles, syncmarks, textpack, wsmap
from lexicon.io.bulk import gc_paused
from lexicon.io.safety import DEFAULT_LIMITS, Limits
from lexicon.io.sources import Parsed, detect_format, parse
from lexicon.models import Dictionary, Entry, Media
from lexicon.search import index as search_index
from lexicon.shape import verbatim
from lexicon.shape.entry import audio_refs, iter_media
from lexicon.shape.schemas import EntryIn

FORMATS = ("lift", "csv", "xlsx", "cldf", "mdf", "json")
BATCH = 2000  # entries per store call: fewer per-batch index passes; progress moves per batch
BULK_CACHE_KIB = -65536  # SQLite page cache during an import (negative: KiB, so 64 MiB)

Progress = Callable[[int, int, str], None]


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    format: str
    dry_run: bool
    entries_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: int = 0
    media_added: int = 0
    media_missing: int = 0
    texts: dict = field(default_factory=dict)  # read, created, updated, unchanged (io.textpack)
    warnings: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@gc_paused()
def import_file(
    *,
    session: Session,
    dictionary: Dictionary,
    path,
    format: str | None = None,
    dry_run: bool = False,
    editor: str = "",
    progress: Progress | None = None,
    storage=None,
    options: dict | None = None,
    limits: Limits = DEFAULT_LIMITS,
    viewer: Viewer | None = None,
) -> ImportReport:
    """Import `path` into `dictionary`; a dry run reports without writing anything.

    Refused (ImportRejected, nothing written) when any row or entry is wrong. Media files go
    to `storage` when one is given; otherwise their references are kept in `extra`. `viewer`
    (the web's importer; None is the command line) changes only what they may see
    (lexicon.io.import_guard).
    """
    with prepare_import(
        session=session, dictionary=dictionary, path=path, format=format, dry_run=dry_run,
        progress=progress, options=options, limits=limits, storage=storage, editor=editor,
    ) as prepared:  # fmt: skip
        if dry_run:
            guard = import_guard.bounding(viewer, dictionary)
            _dry_run(session, dictionary, prepared.parsed, prepared.report, guard)
            return prepared.report
        return write_import(
            session=session, dictionary=dictionary, prepared=prepared, editor=editor,
            viewer=viewer,
        )  # fmt: skip


@dataclass
class PreparedImport:
    """A file read and checked for an import, nothing written yet (`prepare_import`)."""

    parsed: Parsed
    report: ImportReport
    ws_mapping: dict  # the writing-system map the dictionary keeps (wsmap)
    tick: Progress
    # The package's media files made ready (stored, their rows not yet added), by href, and
    # the texts' recordings in `parsed.texts` order (textpack.prepare_recordings).
    media: dict = field(default_factory=dict)
    recordings: list = field(default_factory=list)


@contextmanager
def prepare_import(
    *,
    session: Session,
    dictionary: Dictionary,
    path,
    format: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    options: dict | None = None,
    limits: Limits = DEFAULT_LIMITS,
    storage=None,
    editor: str = "",
) -> Iterator[PreparedImport]:
    """Read `path` and check every entry, outside any write transaction: a bad file never
    locks, nor does a large one while it is read. Refused (ImportRejected) as by `import_file`,
    except in a dry run. The block keeps the parsed entries, an unpacked upload's temporary
    files, and the cycle collector paused (lexicon.io.bulk.gc_paused).

    The reading takes from `dictionary` its writing systems, language code and `extra.ws_map`,
    and from a stored one the LIFT entries still as imported (left unread): it may be one not
    stored yet, with the new one's fields (lexicon.io.starting), written by `write_import`.

    The package's recordings and pictures are checked, transcoded or scaled and put in
    `storage` here too, after the entries passed their checks: minutes for a large package,
    during which SQLite would let no keeper save were it inside the write transaction. If the
    block ends by an exception, the files stored for it that no Media row names are deleted.
    """
    path = Path(path)
    fmt = (format or detect_format(path)).lower()
    if fmt not in FORMATS:
        raise ImportRejected(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    report = ImportReport(format=fmt, dry_run=dry_run)
    tick = progress or (lambda done, total, stage: None)
    tick(0, 0, "reading")
    # Entries stored as a LIFT import left them: the reader skips those the file still has.
    lift = fmt == "lift" and dictionary.id is not None and not dry_run
    known = syncmarks.unchanged_lift(session, dictionary) if lift else {}
    with gc_paused(), parse(path, fmt, dictionary, options or {}, limits, known) as parsed:
        ws_mapping = _take_in(parsed, dictionary, report)
        tick(0, report.entries_read, "checking")
        _validate_all(parsed.entries, report)
        report.errors += textpack.check_texts(parsed.texts, report)
        if report.errors and not dry_run:
            raise ImportRejected(_summary(path, report.errors), errors=report.errors)
        prepared = PreparedImport(parsed, report, ws_mapping, tick)
        try:
            if not dry_run:
                mediafiles.prepare_package(session, dictionary, parsed, storage, editor, report,
                                           tick, into=prepared.media)  # fmt: skip
                prepared.recordings = textpack.prepare_recordings(
                    session=session, dictionary=dictionary, pack=parsed.texts,
                    storage=storage, editor=editor, report=report,
                )  # fmt: skip
            yield prepared
        except BaseException:
            mediafiles.discard(session, storage, [*prepared.media.values(), *prepared.recordings])
            raise


def write_import(
    *,
    session: Session,
    dictionary: Dictionary,
    prepared: PreparedImport,
    editor: str = "",
    viewer: Viewer | None = None,
) -> ImportReport:
    """Write what `prepare_import` read and checked into `dictionary`, stored (the one it was
    read against, or the new one its placeholder stood for): media, languages, entries and
    texts in one transaction (part of the caller's when one is open). On SQLite the write
    lock is taken here, not while the file was read nor while its media were made ready.
    `viewer`: see `import_file`."""
    parsed, report, tick = prepared.parsed, prepared.report, prepared.tick
    viewer = import_guard.bounding(viewer, dictionary)
    if report.dry_run:
        raise ValueError("a dry run's file is not written")
    tick(0, report.entries_read, "writing")
    plan = None
    if session.info.get("wk_depth", 0) == 0 and dictionary.id is not None:
        _settle(session, dictionary, prepared, viewer)  # with reads only: before the lock
        plan = import_plan.plan_new_entries(session, dictionary, parsed, prepared, editor, BATCH)
    with transaction(session), _bulk_cache(session):
        mediafiles.add_all(session, dictionary, prepared.media)
        if plan is None:
            _settle(session, dictionary, prepared, viewer)
        # Languages first: changing them later would re-key every imported entry.
        _remember_package(session, dictionary, parsed, prepared.ws_mapping)
        _write_entries(session, dictionary, parsed, editor, report, tick, viewer, plan)
        textpack.write_texts(session=session, dictionary=dictionary, pack=parsed.texts,
                             recordings=prepared.recordings, editor=editor, report=report,
                             viewer=viewer)  # fmt: skip
    if report.entries_read >= 1000:
        search_index.settle_after_bulk_load(session=session)
    tick(report.entries_read, report.entries_read, "done")
    return report


def _settle(session, dictionary, prepared: PreparedImport, viewer) -> None:
    """The file's entries as they will be stored: the files they name attached (the package's,
    and those named by sha256 the dictionary stores), ids another dictionary holds remapped."""
    parsed, report = prepared.parsed, prepared.report
    media = {href: ready.sha256 for href, ready in prepared.media.items()}
    media.update(_known_media(session, dictionary, parsed.entries, viewer))
    _attach_media(parsed.entries, media, report)
    _remap_foreign(session, dictionary, parsed.entries, report)


def _take_in(parsed: Parsed, dictionary: Dictionary, report: ImportReport) -> dict:
    """What the file gave, counted into the report, its writing systems settled (a tag that is
    not BCP 47 gets one, with a warning); returns the dictionary's writing-system map."""
    verbatim.keep_own_sources(parsed.entries, report.format)
    report.entries_read = len(parsed.entries) + len(parsed.kept)
    report.unchanged = len(parsed.kept)
    report.warnings += parsed.warnings
    report.errors += parsed.errors
    ws = wsmap.fix_entries(parsed.entries, dict((dictionary.extra or {}).get("ws_map") or {}))
    for new_tag, old in ws.added.items():
        message = f"writing system {old!r} is not a BCP 47 tag; kept as {new_tag!r}"
        report.warnings.append({"line": None, "message": f"{message} (written back as {old!r})"})
    return ws.mapping


def _dry_run(session, dictionary: Dictionary, parsed: Parsed, report: ImportReport, viewer) -> None:
    """What the import would do: media it would store, entries and texts it would create or
    update; an entry hidden from `viewer` it names is an error (import_guard)."""
    _dry_media(parsed, report)
    existing = syncmarks.stored_marks(session, dictionary, [e["id"] for e in parsed.entries])
    hidden = set(import_guard.hidden_entries(session, dictionary, viewer, list(existing)))
    for entry_id in sorted(hidden):  # neither created nor updated: refused
        report.errors.append({"line": None, "message": import_guard.out_of_sight(
            "entry", entry_id).message})  # fmt: skip
    stored = sum(1 for e in parsed.entries if e["id"] in existing)
    report.updated = stored - sum(1 for e in parsed.entries if e["id"] in hidden)
    report.created = report.entries_read - stored
    textpack.predict(session=session, dictionary=dictionary, pack=parsed.texts, report=report)


@contextmanager
def _bulk_cache(session: Session):
    """A larger SQLite page cache while the import writes: the search index's B-trees take
    thousands of scattered inserts, and with the default 2 MB cache each one rereads pages
    (about a third of their cost on 12,000 entries). Set back before the connection goes
    back to the pool."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size={BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with suppress(SQLAlchemyError):  # a broken connection is discarded anyway
            connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def _summary(path: Path, errors: list[dict]) -> str:
    shown = "; ".join(
        (f"line {e['line']}: " if e.get("line") else "") + e["message"] for e in errors[:5]
    )
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return f"{path.name}: {len(errors)} problem(s), nothing imported: {shown}{more}"


def _validate_all(entries: list[dict], report: ImportReport) -> None:
    for e in entries:
        # Media are still file references here (stored, then attached, inside the write).
        probe = copy.copy(e)
        probe["pronunciations"] = [{**p, "media": None} for p in e.get("pronunciations") or []]
        probe["senses"] = [_no_media(s) for s in e.get("senses") or []]
        try:
            EntryIn.model_validate(probe)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            hw = next(iter(e.get("headword", {}).values()), e.get("id"))
            report.errors.append(
                {"line": None, "message": f"entry {hw!r}: {where}: {first['msg']}"}
            )


def _no_media(sense: dict) -> dict:
    out = dict(sense)
    out["examples"] = [{**x, "media": None} for x in sense.get("examples") or []]
    out["pictures"] = [{**p, "media": None} for p in sense.get("pictures") or []]
    out["subsenses"] = [_no_media(s) for s in sense.get("subsenses") or []]
    return out


def _full_rows(session: Session, ids: list[str]) -> dict:
    """The whole entry rows of `ids` (Core rows, for entry_dicts)."""
    table = Entry.__table__
    return {row.id: row for row in session.execute(select(table).where(table.c.id.in_(ids)))}


# ---------------------------------------------------------------------- media
def _dry_media(parsed: Parsed, report: ImportReport) -> None:
    hrefs = {(m["kind"], m["href"]): m.get("path") for m in parsed.media}
    report.media_added = sum(1 for p in hrefs.values() if p)
    report.media_missing = sum(1 for p in hrefs.values() if not p)


def _known_media(session, dictionary, entries: list[dict], viewer) -> dict[str, str]:
    """Media named by sha256 (our own JSON export) that this dictionary already stores and
    `viewer` may hear."""
    shas = {o["media"].get("sha256") for e in entries for _, o in iter_media(e)}
    shas |= {ref.get("sha256") for e in entries for ref in audio_refs(e)}
    shas.discard(None)
    if not shas:
        return {}
    found = session.exec(
        select(Media.sha256).where(Media.dictionary_id == dictionary.id, Media.sha256.in_(shas))
    ).scalars()
    return {sha: sha for sha in import_guard.hearable(session, dictionary, viewer, found)}


def _attach_media(entries: list[dict], stored: dict, report: ImportReport) -> None:
    """Replace file references by stored media; keep a reference that has no file in extra."""
    for e in entries:
        for ref in audio_refs(e):  # recordings of glosses, definitions ... (audio forms)
            if ref["audio_href"] in stored:
                ref["sha256"] = stored[ref["audio_href"]]
            elif ref.get("sha256") not in stored:
                ref.pop("sha256", None)  # names no file this import may use
        for _, obj in iter_media(e):
            media = obj["media"]
            if media.get("href") in stored:
                obj["media"] = {"sha256": stored[media["href"]]}
            elif media.get("sha256") in stored:
                obj["media"] = {"sha256": media["sha256"]}  # re-import of our own JSON
            else:
                obj["media"] = None
                extra = obj.setdefault("extra", {})
                if "lift" not in extra:
                    extra.setdefault("import", {})["media"] = {
                        "href": media.get("href") or "",
                        "original_name": media.get("original_name") or "",
                    }


# ---------------------------------------------------------------------- entries
def _remap_foreign(session, dictionary, entries: list[dict], report: ImportReport) -> None:
    """Ids another dictionary uses get ones of this dictionary (lexicon.io.foreign)."""
    count = foreign.remap_foreign(session, dictionary, entries)
    if count:
        report.warnings.append(
            {
                "line": None,
                "message": f"{count} entry id(s) are used by "
                f"another dictionary; these entries got new ids here",
            }
        )


def _write_entries(session, dictionary, parsed: Parsed, editor, report, tick, viewer, plan) -> None:
    entries = parsed.entries
    existing = syncmarks.stored_marks(
        session, dictionary, [e["id"] for e in entries], report.format
    )
    digests = plan.digests if plan else {e["id"]: syncmarks.content_hash(e) for e in entries}
    progress = _Progress(tick, len(entries) + len(parsed.kept))
    fresh = [e for e in entries if e["id"] not in existing]
    if plan is not None and plan.fresh_ids == [e["id"] for e in fresh]:
        for batch in plan.batches:  # planned before the lock (import_plan)
            create_entries(session=session, dictionary=dictionary, items=batch.items,
                           editor=editor, action="import", plan=batch)  # fmt: skip
            progress.advance(len(batch.items), "writing")
    else:
        _create_fresh(session, dictionary, fresh, digests, editor, progress)
    report.created = len(fresh)
    known = _to_compare(entries, existing, digests, report)
    progress.advance(report.skipped + report.unchanged)
    _merge_known(session, dictionary, known, existing, digests, editor, report, progress, viewer)
    _apply_tombstones(session, dictionary, parsed.deleted_ids, editor, report, viewer)


@dataclass
class _Progress:
    """How many of `total` entries the write has done, told to `tick` as it goes."""

    tick: Callable
    total: int
    done: int = 0

    def advance(self, count: int, stage: str | None = None) -> None:
        self.done += count
        if stage:
            self.tick(self.done, self.total, stage)


def _create_fresh(session, dictionary, fresh: list[dict], digests, editor, progress) -> None:
    """Create the entries that are new to the dictionary, BATCH at a time."""
    for i in range(0, len(fresh), BATCH):
        batch = fresh[i : i + BATCH]
        for e in batch:
            syncmarks.mark_synced(e, 1, digests[e["id"]])
        create_entries(
            session=session, dictionary=dictionary, items=batch, editor=editor, action="import"
        )
        progress.advance(len(batch), "writing")


def _to_compare(entries: list[dict], existing: dict, digests: dict, report) -> list[dict]:
    """The entries already in the dictionary that need comparing: a deleted one is skipped
    (with a warning), one unchanged since the same import is counted unchanged."""
    known = []
    for e in entries:
        row = existing.get(e["id"])
        if row is None:
            continue
        if row.deleted:
            report.skipped += 1
            report.warnings.append(
                {
                    "line": None,
                    "message": f"entry {e['id']} was deleted "
                    f"in Wordkeep; the import does not bring it back",
                }
            )
        elif syncmarks.same_marks(row, digests[e["id"]]):
            report.unchanged += 1  # cheap: no entry read back, no comparison built
        else:
            known.append(e)
    return known


def _merge_known(
    session, dictionary, known, existing, digests, editor, report, progress, viewer
) -> None:
    """Update each known entry whose content differs from the stored one, BATCH at a time;
    what is hidden from `viewer` stays as it is (import_guard)."""
    for i in range(0, len(known), BATCH):
        batch = known[i : i + BATCH]
        full = _full_rows(session, [e["id"] for e in batch])
        rows = [full[e["id"]] for e in batch]
        current = {
            c["id"]: c for c in entry_dicts(session=session, dictionary=dictionary, rows=rows)
        }
        for e in batch:
            row = existing[e["id"]]
            e = import_guard.as_seen(viewer, dictionary, current[e["id"]], e)
            if syncmarks.canon(e) == syncmarks.canon(current[e["id"]]):
                report.unchanged += 1
                continue
            syncmarks.mark_synced(e, row.version + 1, digests[e["id"]])
            update_entry(
                session=session,
                dictionary=dictionary,
                entry_id=e["id"],
                data=e,
                version=row.version,
                editor=editor,
                action="import",
                comment=f"{report.format} import",
                viewer=viewer,
                current=current[e["id"]],  # read above: not read again for its checks
            )
            report.updated += 1
        progress.advance(len(batch), "merging")


def _apply_tombstones(session, dictionary, ids: list[str], editor, report, viewer) -> None:
    """An entry FLEx marks deleted (dateDeleted) is soft-deleted here too, restorable."""
    marks = syncmarks.stored_marks(session, dictionary, ids)
    if viewer is not None and marks:
        full = _full_rows(session, list(marks))
        rows = [full[entry_id] for entry_id in marks]
        import_guard.check_deletions(viewer, dictionary, entry_dicts(
            session=session, dictionary=dictionary, rows=rows))  # fmt: skip
    for entry_id, row in marks.items():
        if not row.deleted:
            delete_entry(session=session, dictionary=dictionary, entry_id=entry_id, editor=editor)
            report.deleted += 1


def _remember_package(session, dictionary, parsed: Parsed, ws_mapping: dict) -> None:
    """Keep what the export needs to rebuild the package (LIFT header, ranges, tags)."""
    extra, changes = import_plan.package_changes(dictionary, parsed, ws_mapping)
    if any((dictionary.extra or {}).get(k) != v for k, v in extra.items()):
        set_server_extra(session=session, dictionary=dictionary, values=extra)
    if changes:
        update_dictionary(session=session, dictionary=dictionary, data=changes)
