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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment

from lexicon.errors import InvalidInput
from lexicon.shape.labels import Label

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


@contextmanager
def speaking(locale: str | None) -> Iterator[str]:
    """Write in a reader's language for the block (an email's reader, not the page's), then
    go back to the page's: `with speaking("es"): subject = _("...")`. An unknown or empty
    locale keeps the page's."""
    chosen = match(locale) or current()
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def pick(locale: str | None, field: str = "locale") -> str:
    """A language chosen in a form or the API (`es`, `pt-BR`): the shipped locale; empty or
    None is the page's own language; anything else is InvalidInput."""
    if not (locale or "").strip():
        return current()
    chosen = match(locale)
    if chosen is None:
        shipped = ", ".join(available())
        raise InvalidInput(f"{field}: {locale!r} is not one of {shipped}", field=field)
    return chosen


def page_choice() -> str | None:
    """The page's language when it was chosen (`?lang=`, or its cookie), else None."""
    return current() if current_source() in ("choice", "cookie") else None


def gettext(message: str, **variables) -> str:
    text = translations(current()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = translations(current()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext

# Counts that find a sample of each CLDR plural category of a language for whole numbers
# ("many" in French and Spanish is a multiple of a million).
_PLURAL_SAMPLES = (*range(0, 200), 1000, 1001, 100000, 1000000, 2000000)


@lru_cache(maxsize=32)
def plural_categories(locale: str) -> dict[str, int]:
    """Each CLDR plural category a count can take in `locale` (Intl.PluralRules' names: one,
    few, many, other, ...) with a count in it."""
    try:
        rule = Locale.parse(locale).plural_form
    except (UnknownLocaleError, ValueError):
        return {"one": 1, "other": 2}
    found: dict[str, int] = {}
    for n in _PLURAL_SAMPLES:
        found.setdefault(rule(n), n)
    return found


def plural_forms(singular: str, plural: str) -> dict[str, str]:
    """A counted message for the browser, untranslated placeholders and all: the catalog's form
    (ngettext, the catalog's own Plural-Forms) for each plural category of the page's language,
    so that a script picks `forms[new Intl.PluralRules(lang).select(n)]` (or `other`)."""
    locale = current()
    return {
        category: translations(locale).ngettext(singular, plural, n)
        for category, n in plural_categories(locale).items()
    }


def format_number(value) -> str:
    return format_decimal(value, locale=current())


def _as_datetime(value) -> datetime | date | None:
    """A datetime or date from what stores and rows hold: datetime, date or an ISO string."""
    if isinstance(value, datetime | date) or not value:
        return value or None
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None


def format_when(value, width: str = "medium", time: bool = True) -> str:
    """A moment for the page's language: "12 janv. 2026, 14:03 UTC". Times are stored in UTC
    and the server knows no reader's time zone, so the zone is said rather than guessed; in
    the browser, static/times.js rewrites each <time> in the reader's own zone.
    A value that is no date comes back as it is (never an error page over a date)."""
    moment = _as_datetime(value)
    if moment is None:
        return "" if not value else str(value)
    locale = current()
    if not isinstance(moment, datetime) or not time:
        return babel_dates.format_date(moment, width, locale=locale)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    day = babel_dates.format_date(moment, width, locale=locale)
    # Minutes are enough in lists; CLDR's own way of joining a date and a time.
    clock = babel_dates.format_time(moment, "short", tzinfo=UTC, locale=locale)
    pattern = babel_dates.get_datetime_format(width, locale=locale).replace("'", "")
    return pattern.replace("{1}", day).replace("{0}", f"{clock} UTC")


def iso(value) -> str:
    """The machine-readable form for `<time datetime="...">`."""
    moment = _as_datetime(value)
    if isinstance(moment, datetime) and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat() if moment is not None else ""


def translate(message) -> str:
    """A message the domain left for the web layer to translate (lexicon.shape.labels.Label, with
    its values, themselves translated when they are labels); any other value as it is."""
    if not isinstance(message, Label):
        return "" if message is None else message
    values = {k: translate(v) for k, v in message.values.items()}
    return gettext(message.message, **values)


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
        plural_forms=plural_forms,
        text_direction=direction,
        ws_dir=ws_direction,
    )
    env.filters["number"] = format_number
    env.filters["datetime"] = format_when
    env.filters["iso"] = iso
    env.filters["tr"] = translate


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
