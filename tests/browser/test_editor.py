"""The editor in Chromium: create with senses, examples and a recording; conflicts between two
browser contexts; restore from history; the palette; drafts; accessibility (axe-core)."""

from __future__ import annotations

import io
import math
import re
import struct
import wave
from pathlib import Path

import pytest

from lexicon import editing, entries
from lexicon.accounts.access import Viewer
from tests.factories import sign_in

AXE = Path(__file__).parents[1] / "vendor" / "axe.min.js"
ADMIN = Viewer(is_admin=True)
ENTRY_URL = re.compile(r"/d/demo/edit/entries/([0-9a-f-]{36})\?saved=(\d+)")


def keeper_page(browser, live_server, email="owner@example.org", *, record=True):
    """A fresh browser context, logged in through the login form."""
    context = browser.new_context()
    if record:
        context.grant_permissions(["microphone"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, live_server.url, email, "/d/demo/edit/")
    return page


def new_entry_with_a_recording(page, live_server, headword: str, ipa: str, gloss: str) -> None:
    """The new-entry form filled in, with a recording made and kept (uploaded on save)."""
    page.goto(f"{live_server.url}/d/demo/edit/entries/new")
    page.fill("#f-headword-seh", headword)
    page.fill("#f-pron-0-ipa", ipa)
    page.fill("#f-sense-0-gloss-en", gloss)
    page.click("[data-rec-start]")
    page.wait_for_selector("[data-rec-stop]:not([disabled])")
    page.wait_for_timeout(1500)  # let the fake microphone produce some sound
    page.click("[data-rec-stop]")
    page.locator("[data-rec-keep]").click()
    page.wait_for_selector("text=It is uploaded when you save")


def stored(session, dictionary, entry_id):
    session.rollback()  # a new read: SQLite's would go on seeing the last one's snapshot
    session.expire_all()
    return entries.read_entry(
        session=session, dictionary=dictionary, entry_id=entry_id, viewer=ADMIN
    )


def test_create_two_senses_two_examples_and_a_recording(browser, live_server, session, dictionary):
    page = keeper_page(browser, live_server)
    page.goto(f"{live_server.url}/d/demo/edit/entries/new")
    page.fill("#f-headword-seh", "nyumba")
    page.fill("#f-pron-0-ipa", "ɲumba")
    page.fill("#f-sense-0-gloss-en", "house")
    page.fill("#f-sense-0-ex-0-text-seh", "Nyumba yanga ndi yakulu.")
    page.fill("#f-sense-0-ex-0-tr-en", "My house is big.")
    page.click("[data-add-sense]")
    page.fill("#f-sense-1-gloss-en", "home")
    page.locator("[data-sense]").nth(1).locator("[data-add-example]").click()
    page.fill("#f-sense-1-ex-0-text-seh", "Ndabwera kunyumba.")
    page.fill("#f-sense-1-ex-0-tr-en", "I came home.")

    page.click("[data-rec-start]")
    page.wait_for_selector("[data-rec-stop]:not([disabled])")
    page.click("[data-rec-stop]")
    page.wait_for_selector("[data-rec-preview]", state="visible")  # listen back first
    page.click("[data-rec-again]")  # re-record
    page.wait_for_selector("[data-rec-stop]:not([disabled])")
    page.wait_for_timeout(1500)  # let the fake microphone produce some sound
    page.click("[data-rec-stop]")
    page.locator("[data-rec-keep]").click()
    page.wait_for_selector("text=It is uploaded when you save")
    page.click("[data-save]")
    page.wait_for_url(ENTRY_URL, timeout=30000)
    entry_id = ENTRY_URL.search(page.url).group(1)

    page.goto(f"{live_server.url}/d/demo/edit/entries/{entry_id}")  # reopen
    assert page.input_value("#f-headword-seh") == "nyumba"
    assert page.input_value("#f-sense-0-gloss-en") == "house"
    assert page.input_value("#f-sense-1-gloss-en") == "home"
    assert page.input_value("#f-sense-0-ex-0-text-seh") == "Nyumba yanga ndi yakulu."
    assert page.input_value("#f-sense-1-ex-0-tr-en") == "I came home."
    played = page.evaluate(
        """async () => {
          const audio = document.querySelector("[data-prons] audio");
          await audio.play();
          await new Promise((ok) => {
            const t = setTimeout(ok, 5000);
            audio.addEventListener("timeupdate", () => { if (audio.currentTime > 0.2) { clearTimeout(t); ok(); } });
          });
          audio.pause();
          return {time: audio.currentTime, error: audio.error && audio.error.code, src: audio.currentSrc};
        }"""
    )
    assert played["error"] is None and played["time"] > 0.2, played
    entry = stored(session, dictionary, entry_id)
    assert [s["glosses"]["en"] for s in entry["senses"]] == ["house", "home"]
    assert sum(len(s["examples"]) for s in entry["senses"]) == 2
    [pron] = entry["pronunciations"]  # the IPA and the recording are one pronunciation
    assert pron["ipa"] == "ɲumba" and pron["media"]["duration"] > 0.3
    page.context.close()


def test_a_recording_the_server_did_not_take_stays_on_the_page(
    browser, live_server, session, dictionary
):
    """A new entry saved while its recording's upload fails (the connection drops): the page
    stays with the recording (it used to leave for the saved entry after 4 s, the recording
    gone), offers it as a file and a link to the saved entry, and cannot create the entry
    twice; Keep then uploads it to that entry, with the IPA typed for it."""
    page = keeper_page(browser, live_server)
    new_entry_with_a_recording(page, live_server, "nyumba", "ɲumba", "house")
    page.route("**/pronunciations", lambda route: route.abort())
    page.click("[data-save]")
    page.wait_for_selector("[data-rec-download]:not([hidden])", timeout=30000)
    assert page.url.endswith("/d/demo/edit/entries/new")
    assert "the recording was not" in page.inner_text("[data-rec-status]")
    href = page.get_attribute("[data-rec-download]", "href")
    assert href.startswith("blob:")
    assert page.evaluate("async (u) => (await (await fetch(u)).blob()).size", href) > 1000
    assert page.locator("[data-save]").is_disabled()
    entry_id = ENTRY_URL.search(page.get_attribute("[data-rec-saved-entry]", "href")).group(1)
    assert stored(session, dictionary, entry_id)["pronunciations"] == []
    page.unroute("**/pronunciations")
    page.locator("[data-rec-keep]").click()
    page.wait_for_url(ENTRY_URL, timeout=30000)
    assert ENTRY_URL.search(page.url).group(1) == entry_id
    [pron] = stored(session, dictionary, entry_id)["pronunciations"]
    assert pron["ipa"] == "ɲumba" and pron["media"]["duration"] > 0.3
    listed = entries.list_entries(session=session, dictionary=dictionary, viewer=ADMIN)
    assert [e["headword_text"] for e in listed["items"]] == ["nyumba"]  # one entry, not two
    page.context.close()


def test_speaker_and_consent_of_a_recording(browser, live_server, session, dictionary):
    page = keeper_page(browser, live_server)
    new_entry_with_a_recording(page, live_server, "madzi", "madzi", "water")
    page.locator("[data-pron] [data-recording-notes] summary").first.click()
    page.fill("#f-pron-0-speaker", "Maria Tembo")
    page.fill("#f-pron-0-place", "Caia")
    page.fill("#f-pron-0-recorded_on", "2024-05-01")
    page.select_option("#f-pron-0-consent_publish", "yes")
    page.select_option("#f-pron-0-consent_speech_tools", "no")
    page.check("#f-pron-0-speaker_named")
    page.click("[data-save]")
    page.wait_for_url(ENTRY_URL, timeout=30000)
    entry_id = ENTRY_URL.search(page.url).group(1)
    [pron] = stored(session, dictionary, entry_id)["pronunciations"]  # one, with the recording
    assert pron["media"] and pron["ipa"] == "madzi"
    assert (pron["speaker"], pron["place"]) == ("Maria Tembo", "Caia")
    assert pron["recorded_on"] == "2024-05-01"
    assert (pron["consent_publish"], pron["consent_speech_tools"], pron["speaker_named"]) == (
        True, False, True,
    )  # fmt: skip

    page.goto(f"{live_server.url}/d/demo/edit/entries/{entry_id}")  # reopen: the form shows them
    assert page.input_value("#f-pron-0-speaker") == "Maria Tembo"
    assert page.input_value("#f-pron-0-consent_speech_tools") == "no"
    assert page.is_checked("#f-pron-0-speaker_named")
    page.locator("[data-pron] [data-recording-notes] summary").first.click()
    page.select_option("#f-pron-0-consent_publish", "no")  # while the recording is public
    page.click("[data-save]")
    page.wait_for_selector("#error-summary")
    assert "did not agree to publication" in page.inner_text("#error-summary")
    assert stored(session, dictionary, entry_id)["pronunciations"][0]["consent_publish"] is True

    learner = page.context.new_page()
    learner.goto(f"{live_server.url}/d/demo/entries/{entry_id}")
    spoken = learner.locator(".rec .spoken-by")
    assert spoken.inner_text() == "Spoken by Maria Tembo"
    audio_box, name_box = learner.locator(".rec audio").bounding_box(), spoken.bounding_box()
    assert name_box["y"] >= audio_box["y"] + audio_box["height"] - 1  # under the play button
    page.context.close()


def make_entry(session, dictionary, gloss="house") -> dict:
    return editing.create_entry(
        session=session,
        dictionary=dictionary,
        data={
            "headword": {"seh": "nyumba"},
            "senses": [{"glosses": {"en": gloss}, "examples": [{"text": {"seh": "Nyumba."}}]}],
        },
        editor="owner@example.org",
    )


@pytest.mark.parametrize("decision", ["Keep mine", "Take theirs", "Save the choices above"])
def test_second_save_shows_the_conflict_and_loses_nothing(
    browser, live_server, session, dictionary, decision
):
    from tests.conftest import make_user

    make_user(session, "editor@example.org", "editor", dictionary)
    entry = make_entry(session, dictionary)
    url = f"{live_server.url}/d/demo/edit/entries/{entry['id']}"
    first = keeper_page(browser, live_server, record=False)
    second = keeper_page(browser, live_server, "editor@example.org", record=False)
    first.goto(url)
    second.goto(url)
    first.fill("#f-sense-0-gloss-en", "hut")
    first.click("[data-save]")
    first.wait_for_url(ENTRY_URL)
    second.fill("#f-sense-0-gloss-en", "dwelling")
    second.fill("#f-part_of_speech", "n")
    second.click("[data-save]")
    second.wait_for_selector("h1:has-text('Someone else saved this entry')")
    senses = second.locator("fieldset[data-field=senses]")
    assert "dwelling" in senses.locator(".side.mine").inner_text()
    assert "hut" in senses.locator(".side.theirs").inner_text()
    if decision == "Save the choices above":  # merge: their senses, my part of speech
        second.locator("fieldset[data-field=senses] label:has-text('Theirs')").click()
    second.click(f"button:has-text('{decision}')")
    second.wait_for_url(ENTRY_URL)

    current = stored(session, dictionary, entry["id"])
    expected = {
        "Keep mine": ("dwelling", "n"),
        "Take theirs": ("hut", None),
        "Save the choices above": ("hut", "n"),
    }[decision]
    assert (current["senses"][0]["glosses"]["en"], current["part_of_speech"]) == expected
    history = entries.list_revisions(
        session=session, dictionary=dictionary, entry_id=entry["id"], viewer=ADMIN
    )["items"]
    texts = {s["glosses"]["en"] for r in history for s in r["data"]["senses"]}
    assert {"house", "hut", "dwelling"} <= texts
    first.context.close()
    second.context.close()


def test_restore_an_old_revision_from_history(browser, live_server, session, dictionary):
    entry = make_entry(session, dictionary, "house")
    for gloss in ("hut", "shed"):
        entry["senses"][0]["glosses"]["en"] = gloss
        entry = editing.update_entry(
            session=session, dictionary=dictionary, entry_id=entry["id"], data=entry,
            version=entry["version"], editor="other@example.org",
        )  # fmt: skip
    page = keeper_page(browser, live_server, record=False)
    page.goto(f"{live_server.url}/d/demo/edit/entries/{entry['id']}/history")
    assert "other@example.org" in page.inner_text("table.revisions")
    assert "<del>hut</del>" in page.inner_html("table.diff")
    page.click("button:has-text('Restore 1')")
    page.wait_for_selector("text=was restored as a new version")
    page.goto(f"{live_server.url}/d/demo/edit/entries/{entry['id']}")
    assert page.input_value("#f-sense-0-gloss-en") == "house"
    assert stored(session, dictionary, entry["id"])["version"] == 4
    page.context.close()


def test_palette_inserts_a_multigraph_at_the_cursor(browser, live_server, dictionary):
    page = keeper_page(browser, live_server, record=False)
    page.goto(f"{live_server.url}/d/demo/edit/entries/new")
    field = page.locator("#f-headword-seh")
    field.fill("oma")
    field.press("Home")
    page.click("[data-palette] button[data-insert='ng']")
    assert field.input_value() == "ngoma"
    assert page.evaluate("document.activeElement.id") == "f-headword-seh"
    assert page.evaluate("document.activeElement.selectionStart") == 2
    # Keyboard only: Tab away to the palette, press the letter; it lands where the cursor was.
    gloss = page.locator("#f-sense-0-gloss-en")
    gloss.fill("riverbank")
    gloss.press("Home")
    page.locator("[data-palette] button[data-insert='ŋ']").first.focus()
    page.keyboard.press("Enter")
    assert gloss.input_value() == "ŋriverbank"
    page.context.close()


def test_draft_comes_back_after_the_tab_is_closed(browser, live_server, session, dictionary):
    entry = make_entry(session, dictionary)
    url = f"{live_server.url}/d/demo/edit/entries/{entry['id']}"
    page = keeper_page(browser, live_server, record=False)
    page.goto(url)
    page.fill("#f-sense-0-gloss-en", "big house")
    page.click("[data-add-sense]")
    page.fill("#f-sense-1-gloss-en", "family")
    page.wait_for_function(  # the draft is written 300 ms after the last keystroke
        "() => (localStorage.getItem(document.querySelector('[data-draft-key]').dataset.draftKey)"
        " || '').includes('family')"
    )
    context = page.context
    page.close()
    page = context.new_page()
    page.goto(url)
    page.click("[data-draft-restore]")
    assert page.input_value("#f-sense-0-gloss-en") == "big house"
    assert page.input_value("#f-sense-1-gloss-en") == "family"
    context.close()


def _tone_wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 16000)))
                for i in range(16000)
            )
        )
    return out.getvalue()


def test_without_mediarecorder_a_file_upload_shows_progress(
    browser, live_server, session, dictionary, tmp_path
):
    entry = make_entry(session, dictionary)
    page = keeper_page(browser, live_server, record=False)
    page.add_init_script("delete window.MediaRecorder")
    page.goto(f"{live_server.url}/d/demo/edit/entries/{entry['id']}")
    assert page.locator(".rec-controls").is_hidden()
    wav = tmp_path / "tone.wav"
    wav.write_bytes(_tone_wav())
    page.set_input_files("[data-rec-file]", str(wav))
    page.click("[data-rec-upload]")
    page.wait_for_selector("text=Recording saved.")
    assert page.get_attribute("[data-rec-progress]", "value") == "100"
    assert page.input_value("input[name=version]") == str(entry["version"] + 1)
    page.click("[data-save]")  # the form adopted the upload's version: no conflict
    page.wait_for_url(ENTRY_URL)
    assert stored(session, dictionary, entry["id"])["pronunciations"][0]["media"]["size"] > 0
    page.context.close()


@pytest.mark.parametrize("path", ["", "entries/new", "entry", "history", "settings"])
def test_axe_finds_no_serious_violations(browser, live_server, session, dictionary, path):
    entry = make_entry(session, dictionary)
    page = keeper_page(browser, live_server, record=False)
    target = {"entry": f"entries/{entry['id']}", "history": f"entries/{entry['id']}/history"}
    target = target.get(path, path)
    page.goto(f"{live_server.url}/d/demo/edit/{target}")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => { const r = await axe.run(document);"
        " return {violations: r.violations, passes: r.passes.map((p) => p.id)}; }"
    )
    assert {"label", "color-contrast", "button-name"} <= set(result["passes"])  # axe really ran
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
    page.context.close()


@pytest.mark.parametrize("viewport", [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_axe_browse_with_an_empty_letter(browser, live_server, session, dictionary, viewport):
    make_entry(session, dictionary)  # only "n" has an entry: every other letter is empty
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.goto(f"{live_server.url}/d/demo/browse?letter=n")
    empty = page.locator(".alphabet [aria-disabled=true]", has_text="ch")
    assert empty.count() == 1 and empty.evaluate("e => e.tagName") == "SPAN"  # not a link
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => { const r = await axe.run(document);"
        " return {violations: r.violations, passes: r.passes.map((p) => p.id)}; }"
    )
    assert "color-contrast" in result["passes"]  # axe really checked the letters
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
    context.close()


def test_pickers_work_with_the_keyboard(browser, live_server, session, dictionary):
    target = editing.create_entry(
        session=session, dictionary=dictionary,
        data={"headword": {"seh": "chipinda"}, "senses": [{"glosses": {"en": "room"}}]},
    )  # fmt: skip
    entry = make_entry(session, dictionary)
    page = keeper_page(browser, live_server, record=False)
    page.goto(f"{live_server.url}/d/demo/edit/entries/{entry['id']}")
    search = page.get_by_label("Find a semantic domain (number or word)").first
    search.fill("building")
    page.wait_for_selector("[data-domains] .options li")
    search.press("ArrowDown")
    search.press("Enter")
    assert page.input_value("#f-sense-0-domains").startswith("6.5")
    related = page.locator("#f-rel-0-target_headword")
    related.fill("chip")
    page.wait_for_selector("#f-rel-0-options li")
    related.press("Enter")
    assert related.input_value() == "chipinda"
    page.fill("#f-rel-0-type", "synonym")
    page.keyboard.press("Tab")
    page.click("[data-save]")
    page.wait_for_url(ENTRY_URL)
    saved = stored(session, dictionary, entry["id"])
    assert saved["relations"][0]["target_id"] == target["id"]
    assert saved["relations"][0]["type"] == "synonym"
    assert saved["senses"][0]["semantic_domains"][0].startswith("6.5")
    page.context.close()


def test_alphabet_preview_follows_typing(browser, live_server, dictionary):
    page = keeper_page(browser, live_server, record=False)
    page.goto(f"{live_server.url}/d/demo/edit/settings")
    page.fill("#f-letters", "a b m n ng o")
    page.fill("#f-sample", "ngoma\nnoma\nmama\nbaba")
    page.wait_for_function(
        "document.querySelector('[data-preview]').innerText.startsWith('baba')", timeout=5000
    )
    items = page.locator("[data-preview] li").all_inner_texts()
    assert [i.split()[0] for i in items] == ["baba", "mama", "noma", "ngoma"]
    page.fill("#f-letters", "a a")
    page.wait_for_function("document.querySelector('[data-preview-error]').innerText !== ''")
    page.context.close()


def test_basic_fields_work_with_scripts_off(browser, live_server, session, dictionary):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/login?next=/d/demo/edit/entries/new")
    page.fill("#email", "owner@example.org")
    page.fill("#password", "password-123")
    page.press("#password", "Enter")
    page.wait_for_url("**/edit/entries/new")
    assert page.locator("[data-palette]").is_hidden()
    page.fill("#f-headword-seh", "madzi")
    page.fill("#f-sense-0-gloss-en", "water")
    page.click("button[value=add_sense]")  # a round trip adds a blank sense
    page.fill("#f-sense-1-gloss-en", "juice")
    page.click("[data-save]")
    page.wait_for_url(ENTRY_URL)
    entry_id = ENTRY_URL.search(page.url).group(1)
    entry = stored(session, dictionary, entry_id)
    assert [s["glosses"]["en"] for s in entry["senses"]] == ["water", "juice"]
    context.close()


def test_reorder_and_remove_senses_and_examples(browser, live_server, session, dictionary):
    entry = editing.create_entry(
        session=session, dictionary=dictionary,
        data={"headword": {"seh": "madzi"}, "senses": [
            {"glosses": {"en": "water"}, "examples": [
                {"text": {"seh": "Madzi a m'nyanja."}}, {"text": {"seh": "Madzi ozizira."}}]},
            {"glosses": {"en": "juice"}},
        ]},
    )  # fmt: skip
    page = keeper_page(browser, live_server, record=False)
    page.goto(f"{live_server.url}/d/demo/edit/entries/{entry['id']}")
    first = page.locator("[data-sense]").first
    first.locator("[data-example]").nth(1).locator("button:has-text('Move up')").click()
    first.locator("button:has-text('Move sense down')").click()
    assert page.input_value("#f-sense-0-gloss-en") == "juice"
    assert page.input_value("#f-sense-1-ex-0-text-seh") == "Madzi ozizira."
    page.get_by_label("Remove this example").nth(1).check()  # "Madzi a m'nyanja."
    page.click("[data-save]")
    page.wait_for_url(ENTRY_URL)
    saved = stored(session, dictionary, entry["id"])
    assert [s["glosses"]["en"] for s in saved["senses"]] == ["juice", "water"]
    assert [e["text"]["seh"] for e in saved["senses"][1]["examples"]] == ["Madzi ozizira."]
    assert saved["senses"][1]["id"] == entry["senses"][0]["id"]  # the same sense, moved
    page.context.close()
