"""Every URL the app links to, built in one place (the idea of datasette's `Urls`).

Routes, templates (the Jinja global `urls`: `urls.entry(dictionary.slug, e.id)`) and scripts
(through `data-` attributes the server renders) take their URLs from here, so a path is spelled
once. Each path part is percent-quoted and each query string encoded; the paths are the ones
the routers declare.

One kind of URL is the data's own: where a stored recording or picture is served is part of
an entry's JSON, of exports and of printed QR codes, which the command line makes without the
web layer. That path is spelled once, in `lexicon.entries.read.media_url`, and `media` here
uses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote, urlencode

from lexicon.entries.read import media_url

Query = Mapping[str, object] | Iterable[tuple[str, object]] | str | None


def _part(value: object) -> str:
    """One path segment, quoted: a `/` or `?` in a slug or id cannot change the path."""
    return quote(str(value), safe="")


def _query(query: Query = None, **params: object) -> str:
    """`?a=1&b=2` (empty when there is nothing to add); None values are left out, lists repeat
    their name. A ready-made string (already encoded) is appended as it is."""
    if isinstance(query, str):
        return f"?{query}" if query else ""
    pairs = list(query.items() if isinstance(query, Mapping) else (query or []))
    pairs += list(params.items())
    flat: list[tuple[str, object]] = []
    for key, value in pairs:
        if value is None:
            continue
        if isinstance(value, list | tuple):
            flat += [(key, v) for v in value]
        else:
            flat.append((key, value))
    # Quoted as Jinja's `urlencode` filter and `quote` do: "/" stays, a space is %20.
    return f"?{urlencode(flat, safe='/', quote_via=quote)}" if flat else ""


def safe_next(target: str | None) -> str:
    """Where to go back to after a login or a language change: only a path on this site,
    never "//evil.example" or "https://..." (anything else is "/")."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class Urls:
    """The site's URLs. Methods return paths (no host); `query` values are encoded."""

    # ------------------------------------------------------------------ site

    def index(self) -> str:
        return "/"

    def static(self, path: str) -> str:
        return "/static/" + "/".join(_part(p) for p in path.split("/"))

    def login(self, next: str | None = None) -> str:
        return "/login" + _query(next=next)

    def logout(self) -> str:
        return "/logout"

    def account(self, *parts: object) -> str:
        """`/account`, or below it: `account("tokens", 3, "revoke")`."""
        return "/account" + "".join(f"/{_part(p)}" for p in parts)

    # ------------------------------------------ account links (lexicon.accounts.links)

    def setup(self, token: str) -> str:
        """The first-run page `wordkeep serve` prints while no admin exists."""
        return f"/setup/{_part(token)}"

    def invitation(self, token: str, lang: str | None = None) -> str:
        """An invitation's page; `lang` opens it in the invitee's language (that of the email)."""
        return f"/invite/{_part(token)}" + _query(lang=lang)

    def forgot(self) -> str:
        return "/forgot"

    def reset(self, token: str) -> str:
        return f"/reset/{_part(token)}"

    def new_dictionary(self) -> str:
        """The wizard that makes a dictionary (from an import file or empty)."""
        return "/dictionaries/new"

    def new_dictionary_job(self, job_id: object) -> str:
        """The progress page of a new dictionary's import, then its way in."""
        return f"/dictionaries/new/jobs/{_part(job_id)}"

    def api_new_dictionary_job(self, job_id: object) -> str:
        return f"/api/new-dictionary-jobs/{_part(job_id)}"

    # ------------------------------------------------------ a dictionary's pages

    def dictionary(self, slug: str) -> str:
        return f"/d/{_part(slug)}/"

    def search(self, slug: str, q: str | None = None, query: Query = None, **params) -> str:
        return f"/d/{_part(slug)}/search" + _query(query, q=q, **params)

    def browse(self, slug: str, letter: str | None = None, query: Query = None, **params) -> str:
        return f"/d/{_part(slug)}/browse" + _query(query, letter=letter, **params)

    def entry(self, slug: str, entry_id: object) -> str:
        return f"/d/{_part(slug)}/entries/{_part(entry_id)}"

    def texts(self, slug: str) -> str:
        """The learners' list of a dictionary's texts (recorded stories)."""
        return f"/d/{_part(slug)}/texts"

    def text(self, slug: str, text_id: object) -> str:
        return f"{self.texts(slug)}/{_part(text_id)}"

    def text_sentence(self, slug: str, text_id: object, position: int) -> str:
        """A sentence in its text's page (the page numbers its sentences from 1)."""
        return f"{self.text(slug, text_id)}#s{int(position) + 1}"

    def candidates(self, slug: str, text_id: object | None = None) -> str:
        """The editor's new-word candidates: of the dictionary's texts, or of one."""
        return self.editor(slug, "candidates", query={"text": text_id} if text_id else None)

    def icons(self, slug: str | None = None) -> str:
        """The folder of the icons: a dictionary's own, else the shipped ones."""
        return f"/d/{_part(slug)}/icons/" if slug else "/static/icons/"

    def manifest(self, slug: str) -> str:
        """The dictionary's web app manifest (issue 21: installable on a phone)."""
        return f"/d/{_part(slug)}/manifest.webmanifest"

    def service_worker(self) -> str:
        """The offline service worker, served from the site root so its scope is the site."""
        return "/sw.js"

    def offline(self, slug: str | None = None) -> str:
        """The page a phone shows offline: the saved dictionary's shell, or "not saved"."""
        return f"/d/{_part(slug)}/offline" if slug else "/offline"

    def api_offline(self, slug: str, *parts: object, query: Query = None) -> str:
        """A dictionary saved for offline use: the data, `plan` (sizes), `changes` (delta)."""
        return self.api_dictionary(slug, "offline", *parts, query=query)

    def print(self, slug: str, query: Query = None) -> str:
        return f"/d/{_part(slug)}/print" + _query(query)

    def editor(self, slug: str, *parts: object, query: Query = None, fragment: str = "") -> str:
        """The keepers' editor: `editor(slug)` is its entry list, `editor(slug, "entries", id,
        "history")` a page below it."""
        path = "/".join(_part(p) for p in parts)
        return (
            f"/d/{_part(slug)}/edit/{path}" + _query(query) + (f"#{fragment}" if fragment else "")
        )

    def editor_entry(self, slug: str, entry_id: object, *parts: object, query: Query = None):
        return self.editor(slug, "entries", entry_id, *parts, query=query)

    # --------------------------------------------------------------------- API

    def api_dictionary(self, slug: str, *parts: object, query: Query = None) -> str:
        path = "".join(f"/{_part(p)}" for p in parts)
        return f"/api/dictionaries/{_part(slug)}{path}" + _query(query)

    def api_search(self, slug: str, query: Query = None, **params) -> str:
        return self.api_dictionary(slug, "search") + _query(query, **params)

    def api_entry(self, slug: str, entry_id: object, *parts: object) -> str:
        return self.api_dictionary(slug, "entries", entry_id, *parts)

    def api_text(
        self, slug: str, text_id: object | None = None, *parts: object, query: Query = None
    ) -> str:
        """`.../texts`, one text, or below it: `api_text(slug, id, "export", query={...})`."""
        ids = [] if text_id is None else [text_id]
        return self.api_dictionary(slug, "texts", *ids, *parts, query=query)

    def text_print(self, slug: str, text_id: object, layout: str = "plain") -> str:
        """A text as a printed booklet (PDF): layout plain or interlinear."""
        return self.api_text(slug, text_id, "print", query={"layout": layout})

    def api_clip(self, slug: str, text_id: object, segment_id: object) -> str:
        """A sentence's sound, cut from its text's recording (HTTP ranges)."""
        return self.api_text(slug, text_id, "segments", segment_id, "clip")

    def api_word_clip(self, slug: str, text_id: object, segment_id: object, n: int) -> str:
        """An aligned word's sound, cut from its text's recording (HTTP ranges)."""
        return self.api_text(slug, text_id, "segments", segment_id, "words", n, "clip")

    def api_print(self, slug: str, fmt: str = "pdf", query: Query = None) -> str:
        return self.api_dictionary(slug, f"print.{fmt}") + _query(query)

    def api_import_job(self, slug: str, job_id: object | None = None) -> str:
        return self.api_dictionary(slug, "import-jobs", *([job_id] if job_id is not None else []))

    # ------------------------------------------------------------------- media

    def media(self, slug: str, sha256: str, original: bool = False) -> str:
        return media_url(_part(slug), _part(sha256), original=original)

    def picture(self, slug: str, sha256: str, width: int) -> str:
        """A picture's web copy `width` pixels wide."""
        return f"{self.media(slug, sha256)}/w{int(width)}"

    def srcset(self, slug: str, sha256: str, widths: Iterable[int]) -> str:
        """The `srcset` attribute of a picture's web copies."""
        return ", ".join(f"{self.picture(slug, sha256, w)} {int(w)}w" for w in sorted(widths))


urls = Urls()
