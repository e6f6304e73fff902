"""Printing: the PDF (and a PNG preview page) of a selection, and the print builder page."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile

from api.deps import DictionaryDep, ManagerDep, SessionDep, StorageDep, ViewerDep
from api.print_labels import print_labels
from api.templating import render
from lexicon import entries
from lexicon.accounts.access import Viewer
from lexicon.errors import InvalidInput
from lexicon.printing import PrintOptions
from lexicon.printing.service import Selection, describe_print, print_dictionary
from lexicon.printing.uploads import MAX_FONT_BYTES, add_print_font
from lexicon.search import browse

router = APIRouter(tags=["print"])
Layout = Literal["dictionary", "wordlist", "table", "flashcards"]
FONTS = ["Charis SIL", "Doulos SIL", "Andika", "Noto Serif", "Noto Sans"]
PDF = {200: {"content": {"application/pdf": {}}, "description": "The PDF"}}
PNG = {200: {"content": {"image/png": {}}, "description": "One page as PNG"}}


def selection_params(
    letter: Annotated[str | None, Query(description="Only entries filed under this letter")] = None,
    domain: Annotated[
        str | None, Query(description="Semantic domain code or name, e.g. 6.5")
    ] = None,
    pos: Annotated[str | None, Query(description="Part of speech, e.g. n")] = None,
    q: Annotated[str | None, Query(description="Search text in forms and glosses")] = None,
    status: Annotated[str | None, Query(description="draft | needs_review | published")] = None,
    ids: Annotated[
        str | None, Query(description="Comma-separated entry ids (a hand-picked list)")
    ] = None,
) -> Selection:
    picked = tuple(i.strip() for i in (ids or "").split(",") if i.strip())
    # An HTML form sends empty fields as "": they mean "not chosen".
    return Selection(
        letter=letter or None, domain=domain or None, pos=pos or None, q=q or None,
        status=status or None, ids=picked,
    )  # fmt: skip


def options_params(
    request: Request,
    paper: Literal["a4", "letter"] = "a4",
    font: Annotated[str | None, Query(description="Font family, e.g. Charis SIL")] = None,
    font_size: Annotated[str | None, Query(description="Points, 6 to 24 in half points")] = None,
    langs: Annotated[
        str | None, Query(description="Comma-separated gloss languages, e.g. en,pt")
    ] = None,
    qr: Annotated[bool, Query(description="A QR code per entry that opens its audio")] = False,
    pictures: bool = True,
    title: Annotated[str | None, Query(max_length=200)] = None,
    allow_uncovered: Annotated[
        bool, Query(description="Print even if a character has no glyph")
    ] = False,
) -> PrintOptions:
    return PrintOptions(
        paper=paper,
        font_family=font or None,
        font_size=_number(font_size, "font_size"),
        langs=tuple(x.strip() for x in (langs or "").split(",") if x.strip()),
        qr=qr,
        base_url=(request.app.state.settings.public_url or str(request.base_url)).rstrip("/"),
        pictures=pictures,
        title=title or None,
        allow_uncovered=allow_uncovered,
    )


def _number(value: str | None, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"{name}: expected a number, got {value!r}", field=name) from None


def _cache_dir(request: Request) -> Path:
    configured = getattr(request.app.state.settings, "print_cache_dir", None)
    return Path(configured or Path(tempfile.gettempdir()) / "wordkeep-print-cache")


def _client(request: Request, viewer: Viewer) -> str:
    """Whose print budget a render counts against: the account, else the address."""
    if not viewer.anonymous:
        return f"user:{viewer.user_id}"
    return f"addr:{request.client.host if request.client else '-'}"


def _produce(
    request, session, dictionary, viewer, selection, layout, options, output, page=1, *, storage
):
    gate, client = request.app.state.print_gate, _client(request, viewer)
    return print_dictionary(
        session=session, dictionary=dictionary, viewer=viewer, selection=selection,
        layout=layout, options=options, storage=storage,
        labels=print_labels(), output=output, page=page, cache_dir=_cache_dir(request),
        admit=lambda: gate.admit(client),
    )  # fmt: skip


@router.get("/api/dictionaries/{slug}/print.pdf", response_class=Response, responses=PDF)
def print_pdf(
    request: Request,
    *,
    layout: Layout = "dictionary",
    selection: Annotated[Selection, Depends(selection_params)],
    options: Annotated[PrintOptions, Depends(options_params)],
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
    storage: StorageDep,
):
    """The selection as a typeset PDF; 422 lists characters no font covers."""
    data, key = _produce(
        request, session, dictionary, viewer, selection, layout, options, "pdf", storage=storage
    )
    name = f"{dictionary.slug}-{layout}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "ETag": f'"{key}"'}
    return Response(data, media_type="application/pdf", headers=headers)


@router.get("/api/dictionaries/{slug}/print.png", response_class=Response, responses=PNG)
def print_png(
    request: Request,
    *,
    layout: Layout = "dictionary",
    page: Annotated[int, Query(ge=1, le=20)] = 1,
    selection: Annotated[Selection, Depends(selection_params)],
    options: Annotated[PrintOptions, Depends(options_params)],
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
    storage: StorageDep,
):
    """A preview: one page (from the first entries of the selection) as PNG."""
    args = (request, session, dictionary, viewer, selection, layout, options, "png", page)
    data, key = _produce(*args, storage=storage)
    return Response(data, media_type="image/png", headers={"ETag": f'"{key}"'})


@router.get("/d/{slug}/print", include_in_schema=False)
def print_builder(
    request: Request,
    *,
    layout: Layout = "dictionary",
    selection: Annotated[Selection, Depends(selection_params)],
    options: Annotated[PrintOptions, Depends(options_params)],
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
    storage: StorageDep,
):
    """Choose entries, layout and options; see page 1; download the PDF."""
    query = {k: v for k, v in request.query_params.items() if v not in ("", None)}
    summary = None
    if query:
        summary = describe_print(
            session=session, dictionary=dictionary, viewer=viewer, selection=selection,
            layout=layout, options=options, storage=storage,
            cache_dir=_cache_dir(request),
        )  # fmt: skip
    context = {
        "form": dict(query, layout=layout),
        "query": urlencode(query),
        "summary": summary,
        "letters": entries.alphabet_for(dictionary).to_config()["letters"],
        # The topics and parts of speech there are to choose (those the viewer may see).
        "facets": request.app.state.page_cache.page(
            "facets",
            dictionary,
            viewer,
            (),
            lambda: browse.facets(session=session, dictionary=dictionary, viewer=viewer),
        ),  # fmt: skip
        "fonts": FONTS + [f["family"] for f in (dictionary.extra or {}).get("print_fonts", [])],
        "viewer": viewer,
    }
    return render(request, "print_builder.html", context, dictionary=dictionary)


@router.get("/api/dictionaries/{slug}/print/fonts")
def list_print_fonts(dictionary: DictionaryDep) -> list[dict]:
    """Font files uploaded for printing this dictionary (family, sha256, file name)."""
    return [
        {k: f[k] for k in ("family", "sha256", "name")}
        for f in (dictionary.extra or {}).get("print_fonts", [])
    ]


@router.post("/api/dictionaries/{slug}/print/fonts", status_code=201)
def upload_print_font(
    request: Request,
    file: Annotated[UploadFile, File(description="A .ttf, .otf or .ttc font file")],
    dictionary: DictionaryDep,
    session: SessionDep,
    _owner: ManagerDep,
    storage: StorageDep,
) -> dict:
    """Add a font for printing (owners); choose it by its family name in `font=`."""
    data = file.file.read(MAX_FONT_BYTES + 1)
    record = add_print_font(
        session=session, dictionary=dictionary, storage=storage,
        filename=file.filename or "font", data=data,
    )  # fmt: skip
    return {k: record[k] for k in ("family", "sha256", "name")}
