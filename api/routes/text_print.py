"""A text as a printed booklet: `GET /api/dictionaries/{slug}/texts/{id}/print` answers the
PDF (plain: each sentence with its translation; interlinear: words with their morphemes and
glosses in columns). Only the segments the viewer may see are printed (lexicon.printing.booklet)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.deps import DictionaryDep, SessionDep, StorageDep, ViewerDep
from api.print_labels import print_labels
from api.routes.print import PDF, _cache_dir, _client, _number
from lexicon.printing import PrintOptions
from lexicon.printing.booklet import print_text

router = APIRouter(tags=["texts"])


@router.get("/api/dictionaries/{slug}/texts/{text_id}/print", response_class=Response,
            responses=PDF)  # fmt: skip
def text_print(
    request: Request,
    text_id: str,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
    storage: StorageDep,
    layout: Literal["plain", "interlinear"] = "plain",
    paper: Literal["a4", "letter"] = "a4",
    font: Annotated[str | None, Query(description="Font family, e.g. Charis SIL")] = None,
    font_size: Annotated[str | None, Query(description="Points, 6 to 24 in half points")] = None,
    langs: Annotated[str | None, Query(description="Translation languages, e.g. es,en")] = None,
    allow_uncovered: Annotated[
        bool, Query(description="Print even if a character has no glyph")
    ] = False,
):
    """The text as a typeset booklet (PDF); 404 for a text the viewer may not see, 422 lists
    characters no font covers."""
    options = PrintOptions(
        paper=paper, font_family=font or None, font_size=_number(font_size, "font_size"),
        langs=tuple(x.strip() for x in (langs or "").split(",") if x.strip()),
        allow_uncovered=allow_uncovered,
    )  # fmt: skip
    gate, client = request.app.state.print_gate, _client(request, viewer)
    data, key = print_text(
        session=session, dictionary=dictionary, text_id=text_id, viewer=viewer, layout=layout,
        options=options, storage=storage, labels=print_labels(),
        cache_dir=_cache_dir(request), admit=lambda: gate.admit(client),
    )  # fmt: skip
    name = f"{dictionary.slug}-text-{layout}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "ETag": f'"{key}"'}
    return Response(data, media_type="application/pdf", headers=headers)
