"""A new dictionary from the browser: the wizard page `/dictionaries/new` (title and slug,
language, writing systems, licence, visibility, alphabet; optionally a file whose dry run is
shown before anything is created) and the language lookup it uses, `GET /api/languages`.
Creating with a file starts its import as a background job and goes to its progress page
(api/routes/new_dictionary_jobs.py); the dictionary exists only once the import succeeded.

Who may create is the site setting WORDKEEP_DICTIONARY_CREATORS (lexicon.accounts.creators).
The page works as plain form posts; new-dictionary.js adds the language search, the slug
proposal and the alphabet proposal as one types.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api import uploads
from api.deps import CsrfChecked, SessionDep, SettingsDep, ViewerDep
from api.errors import status_for
from api.i18n import _
from api.routes.interchange import _spool
from api.templating import render
from api.urls import urls
from lexicon import languages
from lexicon.accounts.access import Viewer
from lexicon.accounts.creators import may_create_dictionaries, require_may_create
from lexicon.alphabet import Alphabet
from lexicon.errors import DuplicateDictionary, ImportRejected, InvalidInput, WordkeepError
from lexicon.io.importer import FORMATS
from lexicon.io.starting import (
    Findings,
    check_file,
    create_dictionary_from,
    dictionary_fields,
    propose_slug,
    read_findings,
    start_creation,
)

router = APIRouter()
api = APIRouter(prefix="/api/languages", tags=["languages"])
pages = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

ACTION = "create_dictionary"
PATH = urls.new_dictionary()
STAGE_DIR = Path(tempfile.gettempdir()) / "wordkeep-new-dictionaries"
STAGE_KEY = "new_dictionary_file"  # in the signed session: the staged file this browser checked
STAGE_MAX_AGE = 24 * 3600
FINDINGS = "~findings"  # beside a staged file: what it says, read once (a folder: no upload's name)
ALL_RIGHTS = "All rights reserved by the community"
LICENCES = (
    ALL_RIGHTS,
    "CC BY 4.0",
    "CC BY-SA 4.0",
    "CC BY-NC 4.0",
    "CC BY-NC-SA 4.0",
    "CC BY-ND 4.0",
    "CC BY-NC-ND 4.0",
    "CC0 1.0",
)
_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


# ---------------------------------------------------------------- the language lookup


@api.get("")
def find_languages(
    q: Annotated[str, Query(max_length=100, description="a name, another name or a code")] = "",
    limit: Annotated[int, Query(ge=1, le=languages.MAX_RESULTS)] = 20,
) -> dict:
    """ISO 639-3 languages whose code is `q` or whose name (or another name) matches it."""
    return {"items": [lang.to_dict() for lang in languages.find_languages(q, limit)]}


@api.get("/{code}")
def read_language(code: str) -> dict:
    """One language by ISO 639 code, with the alphabet proposed from its CLDR exemplar
    characters (`alphabet` is null when CLDR does not know the language)."""
    found = languages.language(code)
    if found is None:
        raise InvalidInput(f"code: {code!r} is not an ISO 639 language code", field="code")
    return {**found.to_dict(), "alphabet": languages.proposed_alphabet(found.tag)}


# ---------------------------------------------------------------- who may create


async def may_create(viewer: ViewerDep, settings: SettingsDep) -> Viewer:
    """The viewer, if the site lets them create dictionaries (401 / 403 otherwise)."""
    require_may_create(viewer, settings.dictionary_creators)
    return viewer


may_create.action = ACTION  # api.uploads checks it before the file is read
uploads.SITE_ACTIONS[ACTION] = lambda viewer, settings: require_may_create(
    viewer, settings.dictionary_creators
)
CreatorDep = Annotated[Viewer, Depends(may_create)]


def setup(app) -> None:
    """`may_create_dictionary(viewer)` for templates: the dictionaries page's button."""
    creators = app.state.settings.dictionary_creators
    app.state.templates.env.globals["may_create_dictionary"] = lambda viewer: bool(
        viewer is not None and may_create_dictionaries(viewer, creators)
    )


# ---------------------------------------------------------------- the staged file


def _stage(request: Request, upload: UploadFile) -> Path:
    """Keep an uploaded file for the confirmation post; the session remembers which one."""
    _sweep_stage()
    _drop_stage(request)
    token = secrets.token_urlsafe(16)
    folder = STAGE_DIR / token
    folder.mkdir(parents=True, exist_ok=True)
    try:
        path = _spool(upload, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    request.session[STAGE_KEY] = token
    return path


def _staged(request: Request) -> Path | None:
    token = request.session.get(STAGE_KEY)
    if not token or not re.fullmatch(r"[A-Za-z0-9_-]{10,64}", token):
        return None
    folder = STAGE_DIR / token
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return files[0] if files else None


def _drop_stage(request: Request) -> None:
    token = request.session.pop(STAGE_KEY, None)
    if token and re.fullmatch(r"[A-Za-z0-9_-]{10,64}", token):
        shutil.rmtree(STAGE_DIR / token, ignore_errors=True)


def _sweep_stage() -> None:
    """Staged files of wizards left unfinished for a day go."""
    if not STAGE_DIR.is_dir():
        return
    cutoff = time.time() - STAGE_MAX_AGE
    for folder in STAGE_DIR.iterdir():
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _findings(staged: Path, fmt: str | None) -> Findings:
    """What the staged file says (read_findings), kept beside it: the check reads the whole
    file for it, and the create that follows does not read it again (2 s for 12,000 entries)."""
    kept = staged.parent / FINDINGS / f"{fmt or 'guessed'}.json"
    try:
        return Findings(**json.loads(kept.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    found = read_findings(staged, fmt)
    try:
        kept.parent.mkdir(exist_ok=True)
        kept.write_text(json.dumps(found.to_dict()), "utf-8")
    except OSError:  # read again next time
        pass
    return found


# ---------------------------------------------------------------- the form


def _text(form, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def _letters(text: str) -> list:
    """Letters separated by spaces or lines; an upper/lower pair such as `Ŋ ŋ` alone on a line
    is one letter (as on the settings page)."""
    items: list = []
    for line in text.splitlines():
        tokens = line.split()
        pair = len(tokens) == 2 and tokens[0].lower() == tokens[1] and tokens[0] != tokens[1]
        items.extend([" ".join(tokens)] if pair else tokens)
    return items


def _values(form) -> dict:
    """The form as the page shows it again."""
    keys = ("title", "slug", "language_name", "language_code", "glottocode", "vernacular_ws")
    values = {k: _text(form, k) for k in keys}
    values["analysis_ws"] = _text(form, "analysis_ws") if "analysis_ws" in form else "en"
    values["licence"] = _text(form, "licence") or ALL_RIGHTS
    values["visibility"] = _text(form, "visibility") or "public"
    values["letters"] = _text(form, "letters")
    values["format"] = _text(form, "format")
    return values


def _fields(values: dict) -> tuple[dict, dict]:
    """The form's values -> DictionaryCreate fields (empty ones left out), and the errors by
    field name."""
    errors: dict[str, str] = {}
    fields: dict = {}
    if not values["title"]:
        errors["title"] = _("The dictionary needs a title.")
    slug = values["slug"] or propose_slug(values["title"])
    if values["title"] and (not slug or len(slug) > 64 or not _SLUG.match(slug)):
        errors["slug"] = _(
            "A short name for web addresses: lowercase letters, digits and hyphens "
            "(at most 64), such as “sena-dictionary”."
        )
    fields.update(slug=slug, title=values["title"])
    for key in ("language_name", "language_code", "glottocode"):
        if values[key]:
            fields[key] = values[key]
    code = values["language_code"]
    if code and not _TAG.match(code):
        errors["language_code"] = _(
            "“%(tag)s” is not a language code such as “seh” or “qaa-x-mine”.", tag=code
        )
    if values["glottocode"] and not re.fullmatch(r"[a-z0-9]{4}\d{4}", values["glottocode"]):
        errors["glottocode"] = _(
            "A Glottocode is four letters and four digits, such as “sena1264”."
        )
    for key in ("vernacular_ws", "analysis_ws"):
        tags = values[key].replace(",", " ").split()
        bad = [t for t in tags if not _TAG.match(t)]
        if bad:
            errors[key] = _(
                "“%(tag)s” is not a writing system tag such as “en” or “seh-fonipa”.", tag=bad[0]
            )
        elif tags:
            fields[key] = tags
    if values["licence"] not in LICENCES:
        errors["licence"] = _("Choose a licence from the list.")
    fields["licence"] = values["licence"]
    if values["visibility"] not in ("public", "private"):
        errors["visibility"] = _("Choose public or private.")
    fields["visibility"] = values["visibility"]
    letters = _letters(values["letters"])
    if letters:
        config = {"letters": letters, "ignore": ["-", "'", "’", "=", "."]}
        config["ignore"] = [c for c in config["ignore"] if c not in letters]
        try:
            Alphabet.from_config(config)
            fields["alphabet"] = config
        except InvalidInput as exc:
            errors["letters"] = exc.message
    return fields, errors


def _prefill(values: dict, findings, *, alphabet: bool = True) -> list[str]:
    """Fill the fields left empty from the file's findings and the language's CLDR alphabet;
    the names of the fields filled in."""
    filled = []
    if findings is not None:
        for key in ("title", "language_name", "language_code", "glottocode"):
            if not values[key] and getattr(findings, key):
                values[key] = getattr(findings, key)
                filled.append(key)
        if findings.licence in LICENCES and values["licence"] == ALL_RIGHTS:
            values["licence"] = findings.licence
        if not values["vernacular_ws"] and findings.vernacular_ws:
            values["vernacular_ws"] = " ".join(findings.vernacular_ws[:3])
            filled.append("vernacular_ws")
        if findings.analysis_ws and values["analysis_ws"] in ("", "en"):
            values["analysis_ws"] = " ".join(findings.analysis_ws[:3])
            filled.append("analysis_ws")
        if not values["letters"] and findings.alphabet:
            values["letters"] = " ".join(findings.alphabet)
            filled.append("letters")
    if values["language_name"] and not values["language_code"]:
        exact = languages.exact_language(values["language_name"])
        if exact is not None:
            values["language_code"] = exact.tag
            filled.append("language_code")
    if not values["vernacular_ws"] and values["language_code"]:
        values["vernacular_ws"] = values["language_code"]
        filled.append("vernacular_ws")
    if alphabet and not values["letters"]:
        tag = (values["vernacular_ws"].split() or [values["language_code"]])[0]
        letters = languages.proposed_alphabet(tag)
        if letters:
            values["letters"] = " ".join(letters)
            filled.append("letters")
    if not values["slug"] and values["title"]:
        values["slug"] = propose_slug(values["title"])
    return filled


def _page(request, viewer, values, *, errors=None, report=None, findings=None, staged=None,
          filled=(), status_code=200):  # fmt: skip
    ctx = {
        "viewer": viewer,
        "values": values,
        "errors": errors or {},
        "report": report,
        "findings": findings,
        "staged": staged,
        "filled": list(filled),
        "licences": LICENCES,
        "suggestions": _suggestions(values),
        "formats": FORMATS,
        "max_upload": None,
    }
    return render(request, "new_dictionary.html", ctx, status_code=status_code)


def _suggestions(values: dict) -> list:
    """Languages to pick from (without scripts) for a name typed with no code: none when the
    name is a language's own, or a code is given."""
    name = values.get("language_name") or ""
    if not name or values.get("language_code") or languages.exact_language(name) is not None:
        return []
    return [lang.to_dict() for lang in languages.find_languages(name, 8)]


EMPTY = {
    "title": "",
    "slug": "",
    "language_name": "",
    "language_code": "",
    "glottocode": "",
    "vernacular_ws": "",
    "analysis_ws": "en",
    "licence": ALL_RIGHTS,
    "visibility": "public",
    "letters": "",
    "format": "",
}


@pages.get(PATH)
def new_dictionary_page(request: Request, viewer: ViewerDep, settings: SettingsDep):
    if viewer.anonymous:
        return RedirectResponse(urls.login(next=PATH), status_code=303)
    require_may_create(viewer, settings.dictionary_creators)
    _drop_stage(request)  # a fresh start forgets a file checked before
    return _page(request, viewer, dict(EMPTY))


@pages.post(PATH)
async def new_dictionary_post(
    request: Request,
    viewer: CreatorDep,
    _csrf: CsrfChecked,
    session: SessionDep,
    file: Annotated[UploadFile | None, File()] = None,
):
    """`action=check`: stage the file, read what it says, show its dry run; `action=alphabet`:
    propose the language's alphabet; `action=create`: create it (with the staged file)."""
    form = await request.form()
    action = _text(form, "action") or "create"
    values = _values(form)
    picked = languages.language(_text(form, "pick_language"))
    if picked is not None:  # a language suggested to a browser without scripts: check again
        values.update(language_name=picked.name, language_code=picked.tag, vernacular_ws="")
        action = "check"
    staged = None
    try:
        if file is not None and file.filename:
            staged = await _run(_stage, request, file)
        elif _text(form, "forget_file"):
            _drop_stage(request)
        else:
            staged = _staged(request)
            if staged is None and _text(form, "checked_file"):
                # Gone (a day old, or checked on another app server): never create without it.
                errors = {"file": _("The file checked before is no longer here; choose it again.")}
                return _page(request, viewer, values, errors=errors, status_code=422)
        if action == "alphabet":
            values["letters"] = ""
            filled = _prefill(values, None)
            return _page(request, viewer, values, staged=staged, filled=filled)
        return await _check_or_create(request, viewer, session, values, staged, action)
    except DuplicateDictionary:
        errors = {"slug": _("A dictionary with this short name exists already; choose another.")}
        return _page(request, viewer, values, errors=errors, staged=staged, status_code=409)
    except ImportRejected as exc:
        errors = {"file": _("The file was refused: nothing was created.")}
        report = {"errors": exc.details.get("errors") or [{"line": None, "message": exc.message}]}
        return _page(request, viewer, values, errors=errors, report=report, staged=staged,
                     status_code=status_for(exc))  # fmt: skip
    except WordkeepError as exc:
        errors = {"_form": exc.message}
        return _page(request, viewer, values, errors=errors, staged=staged,
                     status_code=status_for(exc))  # fmt: skip


async def _check_or_create(request, viewer, session, values: dict, staged, action: str):
    """Prefill from the staged file and check the form; `check` (or any mistake) shows them
    with the file's dry run. Else create: without a file at once, then to the dictionary; with
    one as a background job (its import all or nothing), then to the job's progress page."""
    fmt = values["format"] if values["format"] in FORMATS else None
    findings = await _run(_findings, staged, fmt) if staged is not None else None
    filled = _prefill(values, findings)
    fields, errors = _fields(values)
    if action == "check" or errors:
        report = None
        if staged is not None and not errors:
            checked = await _run(
                lambda: check_file(session=session, path=staged, fields=fields, format=fmt)
            )
            report = checked.to_dict()
        code = 422 if errors and action != "check" else 200
        return _page(request, viewer, values, errors=errors, report=report,
                     findings=findings, staged=staged, filled=filled, status_code=code)  # fmt: skip
    data = dictionary_fields(findings, fields) if findings is not None else fields
    if staged is None:
        dictionary, _report = await _run(
            lambda: create_dictionary_from(session=session, data=data, owner_id=viewer.user_id)
        )
        return RedirectResponse(urls.dictionary(dictionary.slug), status_code=303)
    job = await _run(
        lambda: start_creation(
            session=session,
            engine=request.app.state.engine,
            data=data,
            owner_id=viewer.user_id,
            path=staged,
            format=fmt,
            storage=getattr(request.app.state, "storage", None),
            editor=viewer.label,
            cleanup=lambda: shutil.rmtree(staged.parent, ignore_errors=True),
        )
    )
    request.session.pop(STAGE_KEY, None)  # the job has the file now, and removes it when it ends
    return RedirectResponse(urls.new_dictionary_job(job.id), status_code=303)


async def _run(fn, *args):
    return await run_in_threadpool(fn, *args)


router.include_router(api)
router.include_router(pages)
