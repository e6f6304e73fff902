"""The editor's pages in another interface language: dates written for the reader's language,
whole sentences (no English fragments glued to translated ones), diff labels and form messages
made by the domain, and the account page's choice of language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from api import i18n
from lexicon import editing, entries
from lexicon.shape import diffs
from lexicon.shape.labels import Label
from tests.api.test_editor import create, csrf_of, login, new_entry_form

ROOT = Path(__file__).resolve().parents[2]
RAW_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def in_locale(locale: str, fn, *args, **kwargs):
    i18n.set_locale(locale, "choice")
    try:
        return fn(*args, **kwargs)
    finally:
        i18n.set_locale("en", "default")


def text_of(html: str) -> str:
    """What a reader sees: no tags, and so no machine-readable datetime attributes."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- the date filter


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Jan 12, 2026, 2:03\u202fPM UTC"),  # CLDR: a narrow no-break space
        ("fr", "12 janv. 2026, 14:03 UTC"),
        ("es", "12 ene 2026, 14:03 UTC"),
        ("pt", "12 de jan. de 2026 14:03 UTC"),
        ("id", "12 Jan 2026 14.03 UTC"),
        ("ms", "12 Jan 2026, 2:03\u202fPTG UTC"),
    ],
)
def test_a_moment_is_written_for_the_page_language(locale, expected):
    moment = datetime(2026, 1, 12, 14, 3, 59, tzinfo=UTC)
    assert in_locale(locale, i18n.format_when, moment) == expected
    # The same moment as stores keep it: an ISO string, naive or with an offset.
    assert in_locale(locale, i18n.format_when, "2026-01-12T14:03:59.123456") == expected
    assert in_locale(locale, i18n.format_when, "2026-01-12T16:03:59+02:00") == expected


def test_dates_without_a_time_and_what_is_no_date():
    assert in_locale("fr", i18n.format_when, date(2026, 3, 1)) == "1 mars 2026"
    assert in_locale("fr", i18n.format_when, "2026-01-12T14:03", time=False) == "12 janv. 2026"
    assert i18n.format_when(None) == "" and i18n.format_when("") == ""
    assert i18n.format_when("not a date") == "not a date"
    assert i18n.iso("2026-01-12T14:03:00") == "2026-01-12T14:03:00+00:00"


# ---------------------------------------------------------------- labels of the domain


def test_labels_compare_as_english_and_translate_as_a_whole():
    label = Label("Sense %(n)s · gloss (%(ws)s)", n=2, ws="en")
    assert label == "Sense 2 · gloss (en)" and {label: 1}["Sense 2 · gloss (en)"] == 1
    assert in_locale("fr", i18n.translate, label) == "Sens 2 · glose (en)"
    assert in_locale("es", i18n.translate, label) == "Acepción 2 · glosa (en)"
    nested = diffs.visibility_text({"visibility": "restricted", "circle": "elders"})
    assert nested == "restricted (circle: elders)"
    assert in_locale("fr", i18n.translate, nested) == "restreinte (cercle : elders)"
    assert i18n.translate("typed by a keeper") == "typed by a keeper"  # data stays as it is
    import copy

    assert copy.deepcopy(label).message == label.message  # copies keep what translates


def test_every_label_of_the_domain_is_in_the_catalog_template():
    import importlib.util

    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    template = script.extract()
    entry = {
        "headword": {"seh": "nyumba"}, "citation": {"seh": "nyumba"}, "part_of_speech": "n",
        "status": "needs_review", "visibility": "restricted", "circle": "elders",
        "pronunciations": [{"ipa": "ɲumba", "media": {"sha256": "a" * 64}}],
        "senses": [{"part_of_speech": "n", "glosses": {"en": "house"},
                    "definitions": {"en": "a building"}, "semantic_domains": ["6.5.1"],
                    "visibility": "community",
                    "examples": [{"text": {"seh": "x"}, "translations": {"en": "y"},
                                  "visibility": "restricted"}]}],
        "variants": [{"form": {"seh": "numba"}, "type": "dialect"}, {"form": {"seh": "nyuba"}}],
        "relations": [{"type": "synonym", "target_id": "x", "target_headword": "chipinda"}],
        "notes": [{"text": {"en": "note"}}],
    }  # fmt: skip
    labels = [label for label, _ in diffs.flatten(entry)] + list(diffs.FIELD_LABELS.values())
    labels += list(editing.validate({"headword": {}, "status": "x"}, dictionary=None).values())
    missing = {label.message for label in labels if template.get(label.message) is None}
    assert missing == set()


# ---------------------------------------------------------------- pages in French


@pytest.fixture
def french_keeper(client, dictionary, owner):
    csrf = login(client, owner.email)
    client.cookies.set("wordkeep_lang", "fr")
    return csrf


def test_history_in_french_dates_labels_and_whole_sentences(
    client, french_keeper, session, dictionary
):
    entry_id, version = create(client, french_keeper)
    csrf = csrf_of(client, f"/d/demo/edit/entries/{entry_id}")
    form = new_entry_form(csrf, version=str(version), **{"sense.0.gloss.en": "hut"})
    client.post(f"/d/demo/edit/entries/{entry_id}", data=form)
    restore = client.post(
        f"/d/demo/edit/entries/{entry_id}/revisions/1/restore", data={"csrf_token": csrf}
    )
    page = restore.text
    assert "La révision 1 a été restaurée comme nouvelle version." in page
    assert 'Historique de <span lang="seh" dir="ltr">nyumba</span>' in page
    visible = text_of(page)
    assert not RAW_ISO.search(visible), RAW_ISO.search(visible)
    revisions = entries.list_revisions(
        session=session, dictionary=dictionary, entry_id=entry_id,
        viewer=__import__("lexicon.accounts.access", fromlist=["x"]).Viewer(is_admin=True),
    )["items"]  # fmt: skip
    first = revisions[0]["created_at"]
    assert in_locale("fr", i18n.format_when, first) in visible
    assert f'datetime="{i18n.iso(first)}"' in page
    assert "création" in visible and "restauration" in visible  # what each revision did
    assert "a restauré la révision 1" in visible  # the comment Wordkeep wrote
    assert revisions[-1]["comment"] == "restored revision 1"  # stored and sent in English
    assert "Modifications de la révision 2 à la révision 3" in visible
    assert "Sens 1 · glose (en)" in visible  # the diff's own labels
    for english in ("History of", "was restored", "Changes from revision", "Sense 1 ·",
                    "restored revision"):  # fmt: skip
        assert english not in visible


def test_deleted_review_and_form_pages_in_french(client, french_keeper, session, dictionary):
    from tests.conftest import make_user

    entry_id, version = create(client, french_keeper)
    form_page = client.get(f"/d/demo/edit/entries/{entry_id}").text
    assert 'Modifier <span lang="seh"' in form_page
    assert "dernier enregistrement par owner@example.org le " in text_of(form_page)
    assert "datant du <time></time>." in form_page  # the draft offer: one sentence
    csrf = csrf_of(client, f"/d/demo/edit/entries/{entry_id}")
    deleted = client.post(
        f"/d/demo/edit/entries/{entry_id}/delete", data={"csrf_token": csrf, "version": version}
    ).text
    visible = text_of(deleted)
    assert "supprimée par owner@example.org le " in visible
    assert not RAW_ISO.search(visible)
    assert 'aria-label="Restaurer nyumba"' in deleted

    make_user(session, "contrib@example.org", "contributor", dictionary)
    client.cookies.clear()
    csrf = login(client, "contrib@example.org")
    client.cookies.set("wordkeep_lang", "fr")
    client.post("/d/demo/edit/entries/new", data=new_entry_form(csrf))
    review = client.get("/d/demo/edit/review").text
    visible = text_of(review)
    assert re.search(r"Proposé par contrib@example\.org le \d+ \S+ \d{4}, \d\d:\d\d UTC", visible)
    assert "création · nyumba" in visible
    assert "Sens 1 · glose (en)" in visible and not RAW_ISO.search(visible)


def test_form_messages_from_the_domain_are_translated(client, french_keeper):
    r = client.post(
        "/d/demo/edit/entries/new", data=new_entry_form(french_keeper, **{"headword.seh": " "})
    )
    assert r.status_code == 422
    assert "Écrivez la vedette dans au moins un système d’écriture." in r.text
    assert "Write the headword" not in r.text


# ---------------------------------------------------------------- choosing the language


def test_account_page_chooses_the_interface_language(client, dictionary, owner, session):
    from lexicon.models import User

    login(client, owner.email)
    page = client.get("/account", headers={"Accept-Language": "en"}).text
    form = re.search(r'<form method="post" action="/account/language".*?</form>', page, re.S)
    assert form, "the account page has no language form"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))
    assert fields["csrf_token"] and fields["next"].startswith("/account")
    options = re.findall(r'<option value="(\w*)"', form.group(0))
    assert options == ["", "en", "es", "fr", "id", "ms", "pt"]
    assert 'lang="pt"' in form.group(0) and ">Português<" in form.group(0)

    chosen = client.post("/account/language", data={**fields, "locale": "pt"})
    assert chosen.status_code == 200 and '<html lang="pt"' in chosen.text
    assert "A sua escolha de língua foi guardada." in chosen.text
    assert re.search(r'<option value="pt" lang="pt" selected>', chosen.text)
    session.rollback()  # end the read snapshot and forget loaded rows: see what the app wrote
    session.expire_all()
    assert session.get(User, owner.user.id).locale == "pt"
    # Back to the browser's language: the account forgets its choice.
    fields["csrf_token"] = csrf_of(client, "/account")
    back = client.post(
        "/account/language", data={**fields, "locale": ""}, headers={"Accept-Language": "es"}
    )
    assert '<html lang="es"' in back.text
    assert re.search(r'<option value="" selected>El idioma de mi navegador</option>', back.text)


# ---------------------------------------------------------------- no fragments left

FRAGMENT = re.compile(
    r"\{\{ _\((\"[^\"]*\"|'[^']*')\) \}\} \{\{(?! _\()"  # a translated piece, then a value
    r"|\}\} \{\{ _\((\"[^\"]*\"|'[^']*')\) \}\}"  # a value, then a translated piece
    r"|\{\{ _\((\"[^\"]*\"|'[^']*')\) \}\}: \{\{"  # "Label: value", punctuation is language
)


def test_no_sentence_is_glued_from_translated_pieces():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in FRAGMENT.finditer(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert found == []


def test_a_missing_page_says_so_in_the_readers_language_only(client):
    page = client.get("/no/such/page", headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert page.status_code == 404
    assert "Introuvable" in page.text and "Not Found" not in page.text
    api = client.get("/api/no/such/thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_an_error_page_knows_who_is_signed_in_and_speaks_their_language(
    client, dictionary, owner, session
):
    """A keeper who follows a dead link is still signed in: the page's header names them and
    offers "Log out", not "Log in", in the language of their account."""
    owner.user.locale = "fr"
    session.add(owner.user)
    session.commit()
    login(client, owner.email)
    page = client.get("/d/demo/entries/no-such-entry", headers={"Accept": "text/html"})
    assert page.status_code == 404
    header = text_of(page.text.split("</header>")[0])
    assert (owner.user.display_name or owner.email) in header
    assert "Se déconnecter" in header and "Se connecter" not in header
    client.cookies.clear()
    anonymous = client.get("/d/demo/entries/no-such-entry", headers={"Accept": "text/html"})
    assert anonymous.status_code == 404
    assert "Log in" in text_of(anonymous.text.split("</header>")[0])
