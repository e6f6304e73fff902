"""gettext for pages and messages. Catalogs are added by the interface-languages work;
until a catalog exists for a language, text shows in English."""

from __future__ import annotations

import gettext

from jinja2 import Environment

_null = gettext.NullTranslations()


def install(env: Environment) -> None:
    env.install_gettext_translations(_null, newstyle=True)


def _(message: str) -> str:
    return _null.gettext(message)
