"""The interface language: gettext catalogs (Babel .po files, compiled in memory at start) and
the choice per request.

Order of choice: a choice made on the page (`?lang=xx`, kept in the `wordkeep_lang` cookie),
then the user's own setting, then the browser's Accept-Language, then the dictionary's default
(`extra.default_locale`), then WORDKEEP_DEFAULT_LOCALE. (The page choice comes first so that a
logged-in keeper can switch on the spot; it is also what a shared community computer needs.)
The dictionary's own content is not translated; only the interface is.
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
import io
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
SOURCE_LOCALE = "en"
COOKIE = "wordkeep_lang"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("wordkeep_locale", default="en")
_source: contextvars.ContextVar[str] = contextvars.ContextVar("wordkeep_locale_source", default="")


@lru_cache(maxsize=1)
def available() -> tuple[str, ...]:
    """Interface languages that ship a catalog, English first."""
    found = sorted(p.parent.parent.name for p in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))
    return (SOURCE_LOCALE, *[c for c in found if c != SOURCE_LOCALE])


@lru_cache(maxsize=32)
def translations(locale: str) -> _gettext.NullTranslations:
    path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == SOURCE_LOCALE or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


def language_name(locale: str) -> str:
    try:
        return Locale.parse(locale).get_display_name(locale).capitalize()
    except (UnknownLocaleError, ValueError):
        return locale


def direction(locale: str) -> str:
    try:
        return "rtl" if Locale.parse(locale).character_order == "right-to-left" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


RTL_SCRIPTS = {"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand", "samr", "yezi"}


@lru_cache(maxsize=512)
def ws_direction(tag: str) -> str:
    """Direction of text in a writing system (`ar`, `ur`, `xyz-Arab` -> rtl)."""
    parts = (tag or "").replace("_", "-").lower().split("-")
    if any(p in RTL_SCRIPTS for p in parts[1:]):
        return "rtl"
    if len(parts) > 1 and len(parts[1]) == 4:  # an explicit non-RTL script subtag
        return "ltr"
    return direction(parts[0]) if parts[0] else "ltr"


def match(tag: str | None) -> str | None:
    """The shipped locale for a language tag (`pt-BR` -> `pt`), or None."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").lower()
    langs = available()
    if tag in langs:
        return tag
    base = tag.split("-")[0]
    return base if base in langs else None


def from_accept_language(header: str | None) -> str | None:
    choices = []
    for i, part in enumerate((header or "").split(",")):
        bits = part.strip().split(";q=")
        try:
            weight = float(bits[1]) if len(bits) > 1 else 1.0
        except ValueError:
            weight = 0.0
        choices.append((-weight, i, bits[0]))
    for _w, _i, tag in sorted(choices):
        found = match(tag)
        if found:
            return found
    return None


def set_locale(locale: str, source: str) -> None:
    _current.set(locale)
    _source.set(source)


def current() -> str:
    return _current.get()


def current_source() -> str:
    return _source.get()


def gettext(message: str, **variables) -> str:
    text = translations(current()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = translations(current()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def format_number(value) -> str:
    return format_decimal(value, locale=current())


def format_date(value) -> str:
    return format_datetime(value, format="medium", locale=current()) if value else ""


def install(env: Environment) -> None:
    """Jinja2's i18n extension, answering in the language of the current request."""
    # Jinja's newstyle wrappers do the %-formatting themselves: hand them the raw lookups.
    env.install_gettext_callables(
        gettext=lambda m: translations(current()).gettext(m),
        ngettext=lambda s, p, n: translations(current()).ngettext(s, p, n),
        newstyle=True,
    )
    env.globals.update(
        ui_locale=current,
        ui_languages=lambda: [(code, language_name(code)) for code in available()],
        text_direction=direction,
        ws_dir=ws_direction,
    )
    env.filters["number"] = format_number
    env.filters["datetime"] = format_date


class LocaleMiddleware:
    """Pick the interface language from the page choice, cookie and Accept-Language."""

    def __init__(self, app, default: str = SOURCE_LOCALE):
        self.app = app
        self.default = match(default) or SOURCE_LOCALE

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from starlette.requests import Request

        request = Request(scope)
        chosen = match(request.query_params.get("lang"))
        cookie = match(request.cookies.get(COOKIE))
        if chosen:
            set_locale(chosen, "choice")
        elif cookie:
            set_locale(cookie, "cookie")
        else:
            accepted = from_accept_language(request.headers.get("accept-language"))
            set_locale(accepted or self.default, "browser" if accepted else "default")

        async def send_with_cookie(message):
            if chosen and message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                value = f"{COOKIE}={chosen}; Path=/; Max-Age=31536000; SameSite=Lax"
                headers.append((b"set-cookie", value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def prefer(user_locale: str | None = None, dictionary_locale: str | None = None) -> None:
    """Refine the request's language once the user and dictionary are known."""
    source = current_source()
    if user_locale and match(user_locale) and source not in ("choice", "cookie"):
        set_locale(match(user_locale), "user")
    elif dictionary_locale and match(dictionary_locale) and source == "default":
        set_locale(match(dictionary_locale), "dictionary")
