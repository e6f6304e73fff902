"""The interface languages in Chromium: an Arabic-script (Urdu) dictionary lays out right to
left where its own text is, and a French visitor finds no English left on the learner pages,
the editor and the print builder."""

from __future__ import annotations

import re

from lexicon import editing, entries
from tests.conftest import make_user
from tests.factories import sign_in

URDU_LETTERS = [
    "ا",
    "آ",
    "ب",
    "پ",
    "ت",
    "ٹ",
    "ث",
    "ج",
    "چ",
    "ح",
    "خ",
    "د",
    "ڈ",
    "ذ",
    "ر",
    "ڑ",
    "ز",
    "ژ",
    "س",
    "ش",
    "ص",
    "ض",
    "ط",
    "ظ",
    "ع",
    "غ",
    "ف",
    "ق",
    "ک",
    "گ",
    "ل",
    "م",
    "ن",
    "و",
    "ہ",
    "ھ",
    "ء",
    "ی",
    "ے",
]
URDU_WORDS = [
    ("پانی", "water", "eau", "پانی ٹھنڈا ہے", "The water is cold"),
    ("گھر", "house", "maison", "یہ میرا گھر ہے", "This is my house"),
    ("کتاب", "book", "livre", "کتاب میز پر ہے", "The book is on the table"),
    ("آدمی", "man", "homme", "آدمی آیا", "The man came"),
]


def make_urdu_dictionary(session, owner_id=None):
    """A small Urdu (Arabic-script, right-to-left) dictionary: slug `urdu`."""
    dictionary = editing.create_dictionary(
        session=session,
        data={
            "slug": "urdu",
            "title": "Urdu Wordlist",
            "language_name": "اردو",
            "language_code": "ur",
            "vernacular_ws": ["ur"],
            "analysis_ws": ["en", "fr"],
            "alphabet": {"letters": URDU_LETTERS},
        },
        owner_id=owner_id,
    )
    ids = {}
    for word, en, fr, sentence, translation in URDU_WORDS:
        entry = editing.create_entry(
            session=session,
            dictionary=dictionary,
            data={
                "headword": {"ur": word},
                "part_of_speech": "n",
                "senses": [
                    {
                        "glosses": {"en": en, "fr": fr},
                        "examples": [
                            {"text": {"ur": sentence}, "translations": {"en": translation}}
                        ],
                    }
                ],
            },
        )
        ids[en] = entry["id"]
    return dictionary, ids


def box(page, selector):
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not rendered"
    return found


def style(page, selector, prop):
    return page.locator(selector).first.evaluate(
        f"e => getComputedStyle(e).getPropertyValue({prop!r})"
    )


def test_urdu_entry_is_right_to_left_where_its_text_is(page, live_server, session, owner):
    _, ids = make_urdu_dictionary(session, owner.user.id)
    page.goto(f"{live_server.url}/d/urdu/entries/{ids['water']}?lang=en")
    # The interface stays English, left to right...
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("html").get_attribute("lang") == "en"
    # ...while every piece of Urdu text says so, and the browser lays it out right to left.
    hw = page.locator("h1 .hw")
    assert hw.get_attribute("lang") == "ur" and hw.get_attribute("dir") == "rtl"
    assert hw.inner_text() == "پانی"
    assert style(page, "h1 .hw", "direction") == "rtl"
    example = page.locator(".example [lang=ur]")
    assert example.get_attribute("dir") == "rtl"
    assert style(page, ".example [lang=ur]", "direction") == "rtl"
    gloss = page.locator(".gloss [lang=en]")
    assert gloss.get_attribute("dir") == "ltr"


def test_urdu_headword_heading_is_mirrored(page, live_server, session, owner):
    _, ids = make_urdu_dictionary(session, owner.user.id)
    page.goto(f"{live_server.url}/d/urdu/entries/{ids['water']}?lang=en")
    # The headword heading is an Urdu block: it starts at the right edge of the page column,
    # while the interface around it (header, footer) stays left to right.
    assert style(page, "h1", "direction") == "rtl"
    assert style(page, "header.site", "direction") == "ltr"
    heading, word = box(page, "h1"), box(page, "h1 .hw")
    assert abs((heading["x"] + heading["width"]) - (word["x"] + word["width"])) < 2
    assert word["x"] > heading["x"] + heading["width"] / 2


def test_urdu_alphabet_runs_from_the_right(page, live_server, session, owner):
    make_urdu_dictionary(session, owner.user.id)
    page.goto(f"{live_server.url}/d/urdu/?lang=en")
    nav = page.locator("nav.alphabet")
    assert style(page, "nav.alphabet", "direction") == "rtl"
    first, second = nav.locator("a").nth(0), nav.locator("a").nth(1)
    assert first.inner_text() == "ا" and second.inner_text() == "آ"
    # The first letter is the rightmost one, as in a printed Urdu dictionary.
    assert first.bounding_box()["x"] > second.bounding_box()["x"]
    # The list of words: each headword marked as Urdu, each gloss as its own language.
    assert page.locator("ol.entries .hw[dir=rtl][lang=ur]").count() == len(URDU_WORDS)
    assert page.locator("html").get_attribute("dir") == "ltr"


# ---------------------------------------------------------------------------------------------
# The French walk. The known English strings are every msgid whose French differs, as far as
# the walk meets it in English first; EXTRA_ENGLISH adds words seen on these pages in English.

EXTRA_ENGLISH = [
    # Met on these pages in English but not (yet) in a catalog: values shown as they are
    # stored, or strings written in scripts.
    "US Letter", "needs_review", "Find a semantic domain (number or word)", "Recording (new)",
    "Semantic domains", "Sense added", "Example added", "Moved up", "Moved down",
]  # fmt: skip


def catalog_english(locale: str = "fr") -> list[str]:
    """Every English msgid whose `locale` translation differs (a plural gives both forms)."""
    from babel.messages.pofile import read_po

    from api.i18n import TRANSLATIONS_DIR

    path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    found = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            # Only the words around a placeholder: "%(count)s entries" -> "entries".
            for part in re.split(r"%\(\w+\)[sd]|\{\w*\}", english or ""):
                part = part.strip(" .:()")
                # A word the translation keeps as it is ("Licence : %(licence)s") is no sign
                # of English left over.
                if len(part) >= 3 and not any(part.lower() in s.lower() for s in strings):
                    found.add(part)
    return sorted(found, key=len, reverse=True)


def visible_text(page) -> str:
    """What a reader meets: the text, and the labels read out or shown on hover."""
    return page.evaluate(
        """() => document.body.innerText + "\\n" + Array.from(document.querySelectorAll(
            '[aria-label],[title],[placeholder],input[type=submit],input[type=button]'))
          .map(e => [e.getAttribute('aria-label'), e.getAttribute('title'),
                     e.getAttribute('placeholder'), e.type === 'submit' || e.type === 'button'
                     ? e.value : ''].filter(Boolean).join("\\n")).join("\\n")"""
    )


def found_in(text: str, strings: list[str]) -> list[str]:
    text = re.sub(r"\S+@\S+", " ", text)  # e-mail addresses (owner@example.org) are not words
    return [s for s in strings if re.search(rf"(?<![\w’'-]){re.escape(s)}(?![\w’'-])", text)]


def walk_pages(session, dictionary) -> list[str]:
    """The learner, editor and print-builder pages of `dictionary` with a few entries."""
    # The dictionary's own words are not the interface: keep English out of them.
    editing.update_dictionary(
        session=session, dictionary=dictionary, data={"title": "Mau a Chisena", "licence": "CC0"}
    )
    ids = []
    for word, en, pt in [
        ("ngoma", "drum", "tambor"),
        ("nyumba", "hut", "casa"),
        ("bala", "x", "y"),
    ]:
        entry = editing.create_entry(
            session=session,
            dictionary=dictionary,
            data={
                "headword": {"seh": word},
                "part_of_speech": "n",
                "senses": [
                    {
                        "glosses": {"en": en, "pt": pt},
                        "semantic_domains": ["6.5.1"],
                        "examples": [
                            {"text": {"seh": f"{word} yanga"}, "translations": {"pt": pt}}
                        ],
                    }
                ],
            },
            editor="owner@example.org",
        )
        ids.append(entry["id"])
    first = ids[0]
    learner = ["/", "/d/demo/", "/d/demo/?letter=ng", f"/d/demo/entries/{first}",
               "/d/demo/search", "/d/demo/search?q=ngoma", "/d/demo/search?q=zzzz",
               "/d/demo/browse", "/d/demo/browse?letter=n", "/d/demo/browse?domain=6.5.1",
               "/login", "/logout"]  # fmt: skip
    editor = ["/d/demo/edit/", "/d/demo/edit/entries/new", f"/d/demo/edit/entries/{first}",
              f"/d/demo/edit/entries/{first}/history", "/d/demo/edit/deleted",
              "/d/demo/edit/review", "/d/demo/edit/settings", "/d/demo/edit/import",
              "/account"]  # fmt: skip
    return learner + editor + ["/d/demo/print"]


def logged_in(browser, live_server, email, **options):
    context = browser.new_context(**{"locale": "en-GB", **options})
    page = context.new_page()
    sign_in(page, live_server.url, email, "/d/demo/edit/")
    return page


def test_french_leaves_no_english_on_learner_editor_and_print_pages(
    browser, live_server, session, dictionary
):
    paths = walk_pages(session, dictionary)
    # A keeper whose name is no English word (the header shows it on every page).
    keeper = make_user(session, "mwali@example.org", "owner", dictionary)
    known = catalog_english("fr")
    page = logged_in(browser, live_server, keeper.email)
    seen_in_english, left_in_french = set(), {}
    for path in paths:
        page.goto(f"{live_server.url}{path}{'&' if '?' in path else '?'}lang=en")
        assert page.locator("html").get_attribute("lang") == "en", path
        seen_in_english.update(found_in(visible_text(page), known + EXTRA_ENGLISH))
    for path in paths:
        page.goto(f"{live_server.url}{path}{'&' if '?' in path else '?'}lang=fr")
        assert page.locator("html").get_attribute("lang") == "fr", path
        left = found_in(visible_text(page), sorted(seen_in_english))
        if left:
            left_in_french[path] = left
    # The walk saw the pages it meant to (in English first): the list is not empty by accident.
    assert {"Search", "Browse", "New entry", "Save", "Download PDF", "Log out"} <= seen_in_english
    report = "\n".join(f"{path}: {left}" for path, left in left_in_french.items())
    assert left_in_french == {}, "English left in French pages:\n" + report
    page.context.close()


def test_moments_are_shown_in_the_readers_time_zone(browser, live_server, session, owner,
                                                    dictionary):  # fmt: skip
    """The server writes a revision's time in UTC and says so; in the browser it becomes the
    reader's own time (here Jakarta, UTC+7), the UTC text kept as its title."""
    from datetime import UTC, datetime, timedelta, timezone

    from lexicon.accounts.access import Viewer

    entry = editing.create_entry(session=session, dictionary=dictionary,
                               data={"headword": {"seh": "nyumba"}})  # fmt: skip
    created = entries.list_revisions(session=session, dictionary=dictionary, entry_id=entry["id"],
                                   viewer=Viewer(is_admin=True))["items"][0]["created_at"]  # fmt: skip
    moment = datetime.fromisoformat(created)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = moment.astimezone(timezone(timedelta(hours=7)))

    page = logged_in(browser, live_server, owner.email, locale="fr-FR",
                     timezone_id="Asia/Jakarta")  # fmt: skip
    page.goto(f"{live_server.url}/d/demo/edit/entries/{entry['id']}/history?lang=fr")
    shown = page.locator("td time").first
    shown.wait_for()
    page.wait_for_function("document.querySelector('td time').title !== ''")
    text, title = shown.text_content(), shown.get_attribute("title")
    page.context.close()
    assert "UTC" in title and "UTC" not in text, (text, title)
    assert f"{local.hour:02d}:{local.minute:02d}" in text, (text, local)
    assert str(local.day) in text
