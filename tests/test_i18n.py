"""Interface languages: complete catalogs, the choice of language per request, RTL markup."""

import importlib.util
from pathlib import Path

import pytest

from api import i18n

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["fr", "es", "pt", "id", "ms"]


def load_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script():
    return load_script()


@pytest.fixture(scope="module")
def template(script):
    return script.extract()


def test_every_shipped_language_has_a_catalog():
    assert set(SHIPPED) <= set(i18n.available())


@pytest.mark.parametrize("locale", SHIPPED)
def test_catalog_is_complete_with_the_same_placeholders(script, template, locale):
    path = script.OUT / locale / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalog for {locale}"
    issues = script.problems(template, script.load(path, locale))
    assert issues == [], f"{locale}: " + "; ".join(issues[:20])


def test_the_check_catches_a_missing_string_and_a_bad_placeholder(script):
    from babel.messages.catalog import Catalog

    english = Catalog()
    english.add("Hello %(name)s")
    english.add("Goodbye")
    french = Catalog(locale="fr")
    french.add("Hello %(name)s", "Bonjour %(nom)s")
    issues = script.problems(english, french)
    assert any("placeholders differ" in i for i in issues)
    assert any("untranslated: 'Goodbye'" in i for i in issues)


def test_accept_language_and_choice(client, dictionary):
    french = client.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr"' in french.text
    chosen = client.get("/?lang=pt", headers={"Accept-Language": "fr"})
    assert '<html lang="pt"' in chosen.text
    assert "wordkeep_lang=pt" in chosen.headers["set-cookie"]
    # The cookie keeps the choice on the next page.
    again = client.get("/", headers={"Accept-Language": "fr"})
    assert '<html lang="pt"' in again.text


def test_unknown_languages_fall_back_to_the_default(client, dictionary):
    page = client.get("/", headers={"Accept-Language": "xx-YY"})
    assert '<html lang="en"' in page.text


def test_direction_of_languages():
    assert i18n.direction("ar") == "rtl"
    assert i18n.direction("fr") == "ltr"
