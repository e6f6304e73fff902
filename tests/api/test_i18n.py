"""Interface languages: complete catalogs, the choice of language per request, RTL markup."""

import importlib.util
from pathlib import Path

import pytest

from api import i18n

ROOT = Path(__file__).resolve().parents[2]
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


# --- the language a person chooses (POST /account/language), PDF labels --------------------


def _csrf(client) -> str:
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found, "the login page has no CSRF field"
    return found.group(1)


def _login(client, email: str) -> None:
    data = {"email": email, "password": "password-123", "next": "/", "csrf_token": _csrf(client)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303


def test_choosing_a_language_needs_the_csrf_token(client, dictionary):
    refused = client.post("/account/language", data={"locale": "fr"}, follow_redirects=False)
    assert refused.status_code == 403
    assert "wordkeep_lang" not in refused.headers.get("set-cookie", "")


def test_anyone_may_choose_a_language_it_is_kept_in_a_cookie(client, dictionary):
    token = _csrf(client)
    done = client.post(
        "/account/language",
        data={"locale": "pt-BR", "next": "/d/demo/", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/d/demo/"
    assert "wordkeep_lang=pt" in done.headers["set-cookie"]
    assert '<html lang="pt"' in client.get("/d/demo/", headers={"Accept-Language": "fr"}).text
    # Somewhere else is never a place to be sent back to.
    away = client.post(
        "/account/language",
        data={"locale": "es", "next": "//evil.example/", "csrf_token": token},
        follow_redirects=False,
    )
    assert away.headers["location"] == "/"


def test_a_language_not_shipped_is_refused_naming_the_field(client, dictionary):
    bad = client.post(
        "/account/language",
        data={"locale": "xx", "csrf_token": _csrf(client)},
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert "locale" in bad.text and "'xx'" in bad.text


def test_a_logged_in_user_keeps_the_choice_on_another_computer(app, session, dictionary):
    from fastapi.testclient import TestClient

    from lexicon.models import User
    from tests.conftest import make_user

    keeper = make_user(session, "keeper@example.org", "editor", dictionary)
    with TestClient(app) as first:
        _login(first, keeper.email)
        token = _csrf(first)
        done = first.post(
            "/account/language", data={"locale": "id", "csrf_token": token}, follow_redirects=False
        )
        assert done.status_code == 303
    session.rollback()  # end the read snapshot and forget loaded rows: see what the app wrote
    session.expire_all()
    assert session.get(User, keeper.user.id).locale == "id"
    # Another browser, no cookie, an English Accept-Language: the user's setting wins.
    with TestClient(app) as second:
        _login(second, keeper.email)
        page = second.get("/d/demo/", headers={"Accept-Language": "en"})
        assert '<html lang="id"' in page.text
        # ...and choosing "" goes back to the browser's language.
        token = _csrf(second)
        cleared = second.post(
            "/account/language", data={"locale": "", "csrf_token": token}, follow_redirects=False
        )
        assert cleared.status_code == 303, cleared.text
    session.rollback()  # end the read snapshot and forget loaded rows: see what the app wrote
    session.expire_all()
    assert session.get(User, keeper.user.id).locale is None


def test_print_labels_follow_the_interface_language():
    from api.print_labels import print_labels

    i18n.set_locale("fr", "choice")
    try:
        french = print_labels()
    finally:
        i18n.set_locale("en", "default")
    assert french["ui_lang"] == "fr"
    assert french["index"] == "Index" and french["abbreviations"] == "Abréviations"
    assert french["made_with"] == "Réalisé avec Wordkeep"
    assert french["abbreviation_names"]["n"] == "nom"
    assert french["abbreviation_names"]["vt"] == "verbe transitif"
    english = print_labels()
    assert english["abbreviations"] == "Abbreviations" and "abbreviation_names" not in english


def test_a_french_pdf_has_french_headings(session, dictionary, tmp_path):
    import subprocess

    from api.print_labels import print_labels
    from lexicon import editing
    from lexicon.accounts.access import Viewer
    from lexicon.printing import PrintOptions
    from lexicon.printing.service import Selection, print_dictionary

    for word, en in [("nyumba", "house"), ("ngoma", "drum")]:
        data = {
            "headword": {"seh": word},
            "part_of_speech": "n",
            "senses": [{"glosses": {"en": en}}],
        }
        editing.create_entry(session=session, dictionary=dictionary, data=data)
    i18n.set_locale("fr", "choice")
    try:
        labels = print_labels()
    finally:
        i18n.set_locale("en", "default")
    pdf, _key = print_dictionary(
        session=session, dictionary=dictionary, viewer=Viewer(is_admin=True),
        selection=Selection(), options=PrintOptions(date="2026-01-01"), labels=labels,
    )  # fmt: skip
    path = tmp_path / "fr.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Abréviations" in text and "nom" in text
    assert "Réalisé avec Wordkeep" in text
    assert "Abbreviations" not in text and "Made with Wordkeep" not in text
