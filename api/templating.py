"""Jinja2 set-up: overridable templates (a folder given in settings, then per dictionary)."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape

from api import csrf, i18n
from api.urls import urls
from lexicon import search
from lexicon.shape.entry import own_definitions

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "templates"


def make_templates(override_dir: str | None) -> Jinja2Templates:
    """Templates from `override_dir` first, then the shipped ones; `default:x.html` always
    names the shipped template, so an override can extend the one it replaces."""
    default = FileSystemLoader(str(DEFAULT_DIR))
    loaders = [FileSystemLoader(override_dir)] if override_dir else []
    loaders += [default, PrefixLoader({"default": default}, delimiter=":")]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env)
    csrf.install(env)
    env.globals["urls"] = urls  # every link: urls.entry(dictionary.slug, e.id), ...
    env.globals["own_definitions"] = own_definitions  # not those that repeat a gloss
    env.globals["search_total_cap"] = search.TOTAL_CAP  # `total` stops counting there
    return Jinja2Templates(env=env)


def template_names(name: str, dictionary=None) -> list[str]:
    """A dictionary may bring its own `<slug>/<name>`; else the general one."""
    return ([f"{dictionary.slug}/{name}"] if dictionary is not None else []) + [name]


def render(request, name: str, context: dict, dictionary=None, status_code: int = 200):
    templates: Jinja2Templates = request.app.state.templates
    viewer = context.get("viewer")
    i18n.prefer(
        user_locale=getattr(viewer, "locale", None),
        dictionary_locale=(dictionary.extra or {}).get("default_locale") if dictionary else None,
    )
    template = templates.env.select_template(template_names(name, dictionary))
    locale = i18n.current()
    base = {"dictionary": dictionary, "ui_lang": locale, "ui_dir": i18n.direction(locale)}
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
