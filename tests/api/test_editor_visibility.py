"""Who may see one sense or one example, set in the entry form (plain posts and in Chromium),
and what readers outside the circle then see: the access rule applied to what the form saved."""

from __future__ import annotations

import re

from lexicon import entries
from lexicon.accounts.access import Viewer
from tests.api.test_editor import create, csrf_of, login, new_entry_form
from tests.conftest import make_user

ADMIN = Viewer(is_admin=True)
ENTRY_URL = re.compile(r"/d/demo/edit/entries/([0-9a-f-]{36})\?saved=(\d+)")


def stored(session, dictionary, entry_id) -> dict:
    session.rollback()  # end the read snapshot and forget loaded rows: see what the app wrote
    session.expire_all()
    return entries.read_entry(
        session=session, dictionary=dictionary, entry_id=entry_id, viewer=ADMIN
    )


def restricted_form(csrf: str, **extra) -> dict:
    """Sense 1 public with a community example; sense 2 only for the circle "elders"."""
    return new_entry_form(
        csrf,
        **{
            "status": "published",
            "sense.0.visibility": "public",
            "sense.0.circle": "",
            "sense.0.ex.0.visibility": "community",
            "sense.0.ex.0.circle": "",
            "sense.1.gloss.en": "sacred house",
            "sense.1.visibility": "restricted",
            "sense.1.circle": "elders",
            "sense.1.ex.0.visibility": "public",
            **extra,
        },
    )


def test_form_sets_visibility_per_sense_and_example(client, dictionary, session, owner):
    csrf = login(client, owner.email)
    r = client.post("/d/demo/edit/entries/new", data=restricted_form(csrf))
    assert r.status_code == 200, r.text
    entry_id = ENTRY_URL.search(str(r.url)).group(1)
    entry = stored(session, dictionary, entry_id)
    first, second = entry["senses"]
    assert (first["visibility"], first["examples"][0]["visibility"]) == ("public", "community")
    assert (second["visibility"], second["circle"]) == ("restricted", "elders")
    # The form shows the choice again, unfolded where it is not public.
    page = client.get(f"/d/demo/edit/entries/{entry_id}").text
    assert re.search(r'name="sense\.1\.circle" value="elders"', page)
    assert re.search(
        r'<select id="f-sense-1-visibility" name="sense.1.visibility">.*?'
        r'<option value="restricted" selected>',
        page,
        re.S,
    )
    assert page.count('<details class="item-visibility" open>') == 2  # sense 2, example 1.1

    # An anonymous reader: no restricted sense, no community example, on any way in.
    client.cookies.clear()
    learner = client.get(f"/d/demo/entries/{entry_id}").text
    assert "house" in learner and "sacred house" not in learner
    assert "Nyumba yanga." not in learner  # the community example of sense 1
    api = client.get(f"/api/dictionaries/demo/entries/{entry_id}").json()
    assert [s["glosses"]["en"] for s in api["senses"]] == ["house"]
    assert api["senses"][0]["examples"] == []
    found = client.get("/api/dictionaries/demo/search", params={"q": "sacred"}).json()
    assert found["items"] == []

    # A member of the circle sees it all.
    elder = make_user(session, "elder@example.org", "viewer", dictionary, circles=["elders"])
    seen = client.get(f"/api/dictionaries/demo/entries/{entry_id}", headers=elder.headers)
    assert [s["glosses"]["en"] for s in seen.json()["senses"]] == ["house", "sacred house"]


def test_visibility_is_kept_when_the_form_leaves_it_out_and_can_be_widened(
    client, dictionary, session, owner
):
    csrf = login(client, owner.email)
    entry_id, version = create(client, csrf, **restricted_form(csrf))
    entry = stored(session, dictionary, entry_id)
    ids = {
        "sense.0.id": entry["senses"][0]["id"],
        "sense.1.id": entry["senses"][1]["id"],
        "sense.0.ex.0.id": entry["senses"][0]["examples"][0]["id"],
        "sense.1.ex.0.id": entry["senses"][1]["examples"][0]["id"],
    }
    # A form without the visibility fields (an older page) changes nothing about who sees what.
    csrf = csrf_of(client, f"/d/demo/edit/entries/{entry_id}")
    plain = new_entry_form(csrf, version=str(version), status="published", **ids)
    plain["sense.1.gloss.en"] = "sacred house"
    assert client.post(f"/d/demo/edit/entries/{entry_id}", data=plain).status_code == 200
    entry = stored(session, dictionary, entry_id)
    assert entry["senses"][1]["visibility"] == "restricted"
    assert entry["senses"][0]["examples"][0]["visibility"] == "community"
    # Widening sense 2 to public: the anonymous reader now sees it; history says so.
    wide = restricted_form(csrf, version=str(entry["version"]), **ids)
    wide["sense.1.visibility"] = "public"
    assert client.post(f"/d/demo/edit/entries/{entry_id}", data=wide).status_code == 200
    history = client.get(f"/d/demo/edit/entries/{entry_id}/history").text
    assert "Sense 2 · visibility" in history
    assert "<del>restricted (circle: elders)</del>" in history
    client.cookies.clear()
    assert "sacred house" in client.get(f"/d/demo/entries/{entry_id}").text


def test_a_visibility_not_offered_is_refused_next_to_its_field(client, dictionary, owner):
    csrf = login(client, owner.email)
    r = client.post(
        "/d/demo/edit/entries/new", data=restricted_form(csrf, **{"sense.1.visibility": "secret"})
    )
    assert r.status_code == 422
    assert 'id="f-sense-1-visibility-error"' in r.text
    assert "Choose one of: public, community, restricted." in r.text


def test_a_sense_added_in_the_browser_can_be_restricted(
    browser, live_server, session, dictionary, owner
):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/login?next=/d/demo/edit/")
    page.fill("#email", owner.email)
    page.fill("#password", "password-123")
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/d/demo/edit/")
    page.goto(f"{live_server.url}/d/demo/edit/entries/new")
    page.fill("#f-headword-seh", "nyumba")
    page.select_option("#f-status", "published")
    page.fill("#f-sense-0-gloss-en", "house")
    page.click("[data-add-sense]")  # a sense made from the page's template by form.js
    page.fill("#f-sense-1-gloss-en", "sacred house")
    sense = page.locator("[data-sense]").nth(1)
    assert sense.locator("details.item-visibility").first.get_attribute("open") is None
    sense.locator("details.item-visibility > summary").first.click()
    page.select_option("#f-sense-1-visibility", "restricted")
    page.fill("#f-sense-1-circle", "elders")
    # The example of sense 1 only for members of the dictionary.
    first = page.locator("[data-sense]").nth(0).locator("[data-example]").first
    first.locator("details.item-visibility > summary").click()
    page.fill("#f-sense-0-ex-0-text-seh", "Nyumba yanga.")
    page.select_option("#f-sense-0-ex-0-visibility", "community")
    page.click("[data-save]")
    page.wait_for_url(ENTRY_URL)
    entry_id = ENTRY_URL.search(page.url).group(1)
    entry = stored(session, dictionary, entry_id)
    assert [(s["glosses"]["en"], s["visibility"], s.get("circle")) for s in entry["senses"]] == [
        ("house", "public", None),
        ("sacred house", "restricted", "elders"),
    ]
    assert entry["senses"][0]["examples"][0]["visibility"] == "community"
    # The same page, opened by someone not logged in.
    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/d/demo/entries/{entry_id}")
    senses = reader.locator("ol.senses > li.sense")
    assert senses.count() == 1 and "house" in senses.first.inner_text()
    assert "sacred" not in reader.locator("main").inner_text()
    assert "Nyumba yanga." not in reader.locator("main").inner_text()
    reader.context.close()
    context.close()
