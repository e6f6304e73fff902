"""Start a dictionary, optionally from a file: what the file says of itself (writing systems,
language, alphabet, title, licence) to prefill the new dictionary, its dry run before anything
exists, and the creation with its import as one all-or-nothing transaction.

The file is read and checked first, against the dictionary as it will be but not yet stored
(lexicon.io.importer.prepare_import), and only then does the transaction open that creates the
dictionary and writes the entries (write_import). On SQLite that transaction holds the site's
one write lock, so other keepers' saves wait only while the new dictionary is written, not
while its file is read (seconds for a large file) nor while its recordings and pictures are
transcoded and stored (minutes for a large package); a refused file never takes the lock.

Used by the browser's new-dictionary wizard (api/routes/new_dictionary.py) and by
`wordkeep dictionary create` / `wordkeep import --create` (wordkeep/cli_dictionary.py).

The wizard creates a dictionary with a file as a background job (`start_creation`, through
lexicon.io.jobs, kind NEW_DICTIONARY). The job row is committed first, with no dictionary; the
job's thread then reads the file and, in one transaction, creates the dictionary and writes
the file's entries; the row names the dictionary once that commits. A job that fails (a refused
file, a duplicate slug, an error half-way through the writing, a killed process) leaves no
dictionary, no entries and no media files: the transaction rolls back, and the files its
import stored that nothing else names are deleted at once (the orphan sweep,
lexicon.media.sweep, is the backstop when the process itself died). Only the job row stays,
with the error and the file's problems by line, for the page of the user who started it
(`own_job`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lxml import etree
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from lexicon import languages
from lexicon.alphabet import PLAIN_LATIN
from lexicon.db.transactions import transaction
from lexicon.editing.dictionaries import create_dictionary, new_dictionary
from lexicon.errors import DuplicateDictionary, ImportRejected, InvalidInput
from lexicon.io import jobs
from lexicon.io.importer import ImportReport, import_file, prepare_import, write_import
from lexicon.io.safety import DEFAULT_LIMITS, Limits
from lexicon.io.sources import detect_format, parse
from lexicon.models import Dictionary
from lexicon.shape.schemas import DictionaryCreate

SLUG_MAX = 64
NEW_DICTIONARY = "new-dictionary"  # the kind of job (the job row's `format`)
_AUDIO_WS = re.compile(r"-zxxx(-|$)", re.IGNORECASE)


@dataclass
class Findings:
    """What an import file says about the dictionary it holds (empty where it says nothing)."""

    format: str
    vernacular_ws: list[str] = field(default_factory=list)
    analysis_ws: list[str] = field(default_factory=list)
    language_name: str = ""
    language_code: str = ""
    glottocode: str = ""
    title: str = ""
    licence: str = ""
    alphabet: list[str] = field(default_factory=list)  # letters, where the file gives them
    alphabet_source: str = ""  # "ldml" when the file's writing system definition gave them

    def to_dict(self) -> dict:
        return asdict(self)


def propose_slug(title: str) -> str:
    """A slug from a title: lowercase ASCII letters, digits and hyphens (`Sena (Mozambique)`
    -> `sena-mozambique`); "" when nothing of the title is left."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def _placeholder(fields: dict | None = None) -> Dictionary:
    """A dictionary that is never stored: what a file is read against before one exists."""
    fields = fields or {}
    code = fields.get("language_code") or ""
    return Dictionary(
        slug="new",
        title=fields.get("title") or "",
        language_code=code,
        vernacular_ws=list(fields.get("vernacular_ws") or []),
        analysis_ws=list(fields.get("analysis_ws") or ["en"]),
        extra={},
    )


def read_findings(path: Path, format: str | None = None, limits: Limits = DEFAULT_LIMITS):
    """What the file at `path` says of its languages, writing systems and itself."""
    path = Path(path)
    fmt = (format or detect_format(path)).lower()
    found = Findings(format=fmt)
    with parse(path, fmt, _placeholder(), {}, limits) as parsed:
        vern, anal = _writing_systems(parsed.entries)
        found.vernacular_ws = _clean(parsed.vernacular_ws) or vern
        found.analysis_ws = _clean(parsed.analysis_ws) or anal
        if parsed.lift_extra:
            _from_ldml(found, (parsed.lift_extra or {}).get("writing_systems") or {})
        if parsed.languages:
            first = parsed.languages[0]
            found.language_code = found.language_code or first.get("code") or ""
            found.language_name = found.language_name or first.get("name") or ""
            found.glottocode = first.get("glottocode") or ""
        meta = parsed.metadata or {}
        found.title = meta.get("dc:title") or ""
        found.licence = meta.get("dc:license") or ""
    if found.vernacular_ws and not found.language_code:
        base = found.vernacular_ws[0].split("-")[0]
        if languages.language(base) is not None and base not in ("und", "qaa"):
            found.language_code = base
    if found.language_code and not found.language_name:
        found.language_name = languages.known_language_name(found.language_code)
    return found


def _clean(tags: list[str]) -> list[str]:
    return [t for t in dict.fromkeys(tags or []) if t and not _AUDIO_WS.search(t)]


def _writing_systems(entries: list[dict]) -> tuple[list[str], list[str]]:
    """The vernacular (headwords) and analysis (glosses, definitions) tags, most used first."""
    vern, anal = Counter(), Counter()
    for e in entries:
        for key in ("headword", "lexeme_form", "citation"):
            vern.update(k for k, v in (e.get(key) or {}).items() if v)
        stack = list(e.get("senses") or [])
        while stack:
            s = stack.pop()
            stack.extend(s.get("subsenses") or [])
            for key in ("glosses", "definitions"):
                anal.update(k for k, v in (s.get(key) or {}).items() if v)
    return _clean([t for t, _ in vern.most_common()]), _clean([t for t, _ in anal.most_common()])


_PALASO = "urn://palaso.org/ldmlExtensions/v1"
_FW = "urn://fieldworks.sil.org/ldmlExtensions/v1"


def _from_ldml(found: Findings, files: dict[str, str]) -> None:
    """The vernacular writing system's definition (WritingSystems/<tag>.ldml, as FieldWorks
    and WeSay write it): the language's name, and its letters (exemplar characters, else the
    word-forming characters FieldWorks keeps)."""
    import icu  # heavy: imported when used (docs/architecture.md)

    if not found.vernacular_ws:
        return
    text = files.get(f"{found.vernacular_ws[0]}.ldml")
    if not text:
        return
    try:
        root = etree.fromstring(text.lstrip("\ufeff").encode("utf-8"))
    except etree.XMLSyntaxError:
        return
    name = root.find(f".//{{{_PALASO}}}languageName")
    if name is not None and name.get("value"):
        found.language_name = name.get("value")
    letters: list[str] = []
    exemplar = root.find(".//characters/exemplarCharacters")
    if exemplar is not None and (exemplar.text or "").strip():
        try:
            letters = [str(s) for s in icu.UnicodeSet(exemplar.text.strip())]
        except icu.ICUError:
            letters = []
    if not letters:
        valid = root.find(f".//{{{_FW}}}validChars")
        if valid is not None and valid.get("value"):
            try:
                value = re.sub(r"^\s*<\?xml[^>]*\?>", "", valid.get("value"))  # says utf-16
                chars = etree.fromstring(value.encode("utf-8"))
                forming = chars.findtext("WordForming") or ""
            except (etree.XMLSyntaxError, ValueError):
                forming = ""
            letters = forming.split("\ufffc")
    found.alphabet = _letters(letters)
    found.alphabet_source = "ldml" if found.alphabet else ""


def _letters(items: list[str]) -> list[str]:
    """Lower-case letters in the order given, each once; punctuation and digits left out."""
    out: list[str] = []
    for item in items:
        item = unicodedata.normalize("NFC", item.strip()).lower()
        is_letter = any(unicodedata.category(c).startswith("L") for c in item)
        if item and is_letter and item not in out:
            out.append(item)
    return out


def check_file(
    *,
    session: Session,
    path: Path,
    fields: dict,
    format: str | None = None,
    options: dict | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportReport:
    """The dry run of importing `path` into a dictionary not made yet (with `fields`' writing
    systems): what it would create, its warnings and errors, media found and missing."""
    return import_file(
        session=session,
        dictionary=_placeholder(fields),
        path=path,
        format=format,
        dry_run=True,
        options=options,
        limits=limits,
    )


def create_dictionary_from(
    *,
    session: Session,
    data: DictionaryCreate | dict,
    owner_id: int | None = None,
    path: Path | None = None,
    format: str | None = None,
    storage=None,
    editor: str = "",
    options: dict | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress=None,
) -> tuple[Dictionary, ImportReport | None]:
    """Create the dictionary and, with a file, import it: one transaction, so a duplicate slug
    or a file refused by its import leaves nothing behind (DuplicateDictionary,
    ImportRejected). The file is read and checked, and its recordings and pictures stored,
    before that transaction opens, so on SQLite other writers do not wait while that is done
    (only while it is written). If the creation fails, the media files it stored that nothing
    else names are deleted (lexicon.io.mediafiles.discard)."""
    if path is None:
        with transaction(session):
            return create_dictionary(session=session, data=data, owner_id=owner_id), None
    # The file is read against the dictionary as it will be (its fields checked now): the
    # reading takes its writing systems and language code; it has no entries and no ws_map yet.
    reading = prepare_import(
        session=session, dictionary=new_dictionary(data), path=path, format=format,
        options=options, limits=limits, progress=progress, storage=storage, editor=editor,
    )  # fmt: skip
    # Entered in order: the whole file read and checked, then the transaction begins.
    with reading as prepared, transaction(session):
        dictionary = create_dictionary(session=session, data=data, owner_id=owner_id)
        report = write_import(
            session=session, dictionary=dictionary, prepared=prepared, editor=editor
        )
        if report.errors:
            raise ImportRejected(
                f"{Path(path).name}: the file has errors; nothing created", errors=report.errors
            )
    return dictionary, report


def dictionary_fields(findings: Findings, given: dict) -> dict:
    """The fields of a dictionary created from a file: what was `given` (non-empty values),
    else what the file says, else the language's CLDR alphabet."""
    out = {k: v for k, v in given.items() if v not in (None, "", [])}
    for key in ("language_name", "language_code", "glottocode", "licence"):
        if not out.get(key) and getattr(findings, key):
            out[key] = getattr(findings, key)
    for key in ("vernacular_ws", "analysis_ws"):
        if not out.get(key) and getattr(findings, key):
            out[key] = getattr(findings, key)[:3]
    if not out.get("alphabet"):
        letters = findings.alphabet or languages.proposed_alphabet(
            (out.get("vernacular_ws") or [out.get("language_code") or ""])[0]
        )
        if letters:
            ignore = [c for c in PLAIN_LATIN["ignore"] if c not in letters]
            out["alphabet"] = {"letters": letters, "ignore": ignore}
    return out


# ---------------------------------------------------------------- as a background job


def start_creation(
    *, session: Session, engine, data: dict, owner_id: int | None, path: Path,
    format: str | None = None, storage=None, editor: str = "", cleanup=None,
) -> jobs.ImportJob:  # fmt: skip
    """Create the dictionary `data` from the file at `path` in a background job: the job row
    now (committed, no dictionary yet), the dictionary with its import in a thread, all or
    nothing (see the module's docstring). `cleanup` runs when the job ends, however it ends.
    A dictionary that could not be created at all (fields, slug taken) is refused at once."""
    try:
        slug = DictionaryCreate.model_validate(data).slug
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
    if _slug_taken(session, slug):
        raise DuplicateDictionary(f"a dictionary with slug {slug!r} exists already")
    job = jobs.create_job(session=session, dictionary=None, user_id=owner_id,
                          format=NEW_DICTIONARY, file_name=Path(path).name)  # fmt: skip
    work = creation_work(data=data, owner_id=owner_id, path=path, format=format,
                         storage=storage, editor=editor)  # fmt: skip
    jobs.start(engine=engine, job_id=job.id, kind=NEW_DICTIONARY, work=work, cleanup=cleanup)
    return job


def creation_work(
    *, data: dict, owner_id: int | None, path: Path, format: str | None, storage, editor: str
) -> jobs.Work:
    """The work of a NEW_DICTIONARY job: `create_dictionary_from` (whose import takes back the
    media files it stored if it fails). Its row ends naming the new dictionary."""

    def work(session: Session, progress: jobs.Progress) -> dict:
        try:
            dictionary, report = create_dictionary_from(
                session=session, data=data, owner_id=owner_id, path=path, format=format,
                storage=storage, editor=editor, progress=progress,
            )  # fmt: skip
        except BaseException as exc:
            if isinstance(exc, IntegrityError):  # PostgreSQL: the slug taken meanwhile?
                session.rollback()
                slug = DictionaryCreate.model_validate(data).slug
                if _slug_taken(session, slug):
                    message = f"a dictionary with slug {slug!r} exists already"
                    raise DuplicateDictionary(message) from exc
            raise
        read = report.entries_read
        return {"dictionary_id": dictionary.id, "done": read, "total": read,
                "report": report.to_dict()}  # fmt: skip

    return work


def _slug_taken(session: Session, slug: str) -> bool:
    return session.exec(select(Dictionary.id).where(Dictionary.slug == slug)).first() is not None


def own_job(*, session: Session, user_id: int | None, job_id: str) -> dict:
    """A NEW_DICTIONARY job as a poll answers it (lexicon.io.jobs.poll_row), with the slug of
    its dictionary once created; JobNotFound for anyone but the user who started it."""
    job = session.exec(
        select(jobs.ImportJob).where(
            jobs.ImportJob.id == job_id, jobs.ImportJob.format == NEW_DICTIONARY
        )
    ).first()
    if job is None or user_id is None or job.user_id != user_id:
        raise jobs.JobNotFound(f"job: no new dictionary job {job_id!r} of yours")
    session.refresh(job)
    data = jobs.poll_row(session=session, job=job)
    made = session.get(Dictionary, job.dictionary_id) if job.dictionary_id else None
    data["dictionary"] = made.slug if made is not None and data["status"] == "done" else None
    return data
