"""The segment editor over a text's sentences (static/segment-editor.js) in Chromium, on a real
recording (a tone between silences) and its server-made waveform: drag an edge with a mouse and
with a finger on a tablet (clamped inside its neighbours and the recording), split at the
playhead, merge, the keyboard shortcuts (not while typing, except Ctrl+S), save as a revision,
and two keepers saving one text (changes apart merge; the same edge moved by both gives the
conflict page, where a choice is made without scripts)."""

from __future__ import annotations

import pytest

from lexicon import texts
from lexicon.accounts.access import Viewer
from tests.browser.test_editor import keeper_page
from tests.browser.test_texts import _story, axe_violations
from tests.conftest import make_user

pytestmark = pytest.mark.browser
TABLET = {"width": 820, "height": 1180}
SAVED = "**/d/demo/edit/texts/*?saved=*"


@pytest.fixture
def story(live_server, session, dictionary, tmp_path):
    """The story (3.0 s recording; sentences 0-1, 1-2, 2-2.9 s) and its editor page's URL."""
    text = _story(session, dictionary, live_server.app.state.storage, tmp_path)
    return text, f"{live_server.url}/d/demo/edit/texts/{text['id']}"


def open_editor(page, url):
    page.goto(url)
    page.wait_for_selector("[data-seg-editor][data-ready=true]")
    return wave_box(page)


def wave_box(page) -> dict:
    wave = page.locator("[data-wave]")
    wave.evaluate("(canvas) => canvas.scrollIntoView({block: 'center'})")
    return wave.bounding_box()


def x_of(box, seconds, duration=3.0):
    """Where `seconds` is drawn (inside the canvas's 1 px border)."""
    return box["x"] + 1 + seconds * (box["width"] - 2) / duration


def playhead(page) -> float:
    return float(page.locator("[data-wave]").get_attribute("aria-valuenow"))


def times(page) -> list[tuple[float, float]]:
    """The (start, end) of every timed row of the form, in order."""
    rows = page.evaluate(
        """() => Array.from(document.querySelectorAll('form.text-edit tbody tr')).map((r) => [
             r.querySelector("[name$='-start']").value, r.querySelector("[name$='-end']").value])
           .filter(([s, e]) => s !== '' && e !== '').map(([s, e]) => [+s, +e])"""
    )
    return [tuple(row) for row in rows]


def stored(session, dictionary, text_id) -> dict:
    session.expire_all()
    session.rollback()
    return texts.read_text(session=session, dictionary=dictionary, text_id=text_id,
                           viewer=Viewer(is_admin=True))  # fmt: skip


def mouse_drag(page, start, end):
    box = wave_box(page)
    y = box["y"] + box["height"] / 2
    page.mouse.move(x_of(box, start), y)
    page.mouse.down()
    page.mouse.move(x_of(box, end), y, steps=6)
    page.mouse.up()


def test_drag_edges_with_a_mouse_clamped_then_save(browser, live_server, story, session,
                                                   dictionary):  # fmt: skip
    text, url = story
    page = keeper_page(browser, live_server, record=False)
    open_editor(page, url)
    assert page.locator("dl.shortcuts").is_visible()  # the shortcuts are listed on the page
    assert times(page) == [(0.0, 1.0), (1.0, 2.0), (2.0, 2.9)]
    mouse_drag(page, 1.0, 1.4)  # the boundary shared by sentences 1 and 2 moves as one
    [(_, end1), (start2, _), _] = times(page)
    assert end1 == start2 and abs(end1 - 1.4) < 0.03
    assert "now runs from" in page.locator("[data-seg-status]").inner_text()
    mouse_drag(page, 2.9, 3.6)  # past the end of the recording: stops at its end
    assert times(page)[2][1] == 3.0
    mouse_drag(page, end1, 0.0)  # over the start of sentence 1: it keeps 50 ms
    assert times(page)[0] == (0.0, 0.05) and times(page)[1][0] == 0.05
    mouse_drag(page, 0.0, -1.0)  # before the recording: stays at 0
    assert times(page)[0][0] == 0.0
    page.locator("[data-save]").click()
    page.wait_for_url(SAVED)
    saved = stored(session, dictionary, text["id"])
    assert saved["version"] == 2
    assert [(s["start"], s["end"]) for s in saved["segments"]] == [
        (0.0, 0.05), (0.05, 2.0), (2.0, 3.0)
    ]  # fmt: skip
    assert saved["segments"][1]["text"] == {"seh": "ndidapita kumunda"}  # the rest as it was
    page.context.close()


def test_split_merge_play_and_the_keyboard(browser, live_server, story, session, dictionary):
    text, url = story
    page = keeper_page(browser, live_server, record=False)
    box = open_editor(page, url)
    rows = page.locator("form.text-edit tbody tr")
    page.mouse.click(x_of(box, 0.5), box["y"] + 10)  # click-to-seek, inside sentence 1
    assert abs(playhead(page) - 0.5) < 0.005
    clicked = playhead(page)
    page.keyboard.press("ArrowLeft")  # a tenth of a second back, and forth again
    assert abs(playhead(page) - (clicked - 0.1)) < 0.0015
    page.keyboard.press("ArrowRight")
    assert "seg-current" in (rows.nth(0).get_attribute("class") or "")
    page.keyboard.press("s")  # split at the playhead
    at = playhead(page)
    assert times(page) == [(0.0, at), (at, 1.0), (1.0, 2.0), (2.0, 2.9)]
    assert page.locator("input[name=rows]").input_value() == "7"
    assert rows.nth(1).locator("textarea").first.get_attribute("aria-label") == (
        "Transcription of sentence 2"
    )
    assert rows.nth(2).locator("[name='seg-2-id']").count() == 1  # renumbered behind it
    rows.nth(1).locator("textarea").first.fill("tsiku")
    page.keyboard.press("s")  # typing in a field: the letter is the field's, nothing splits
    page.keyboard.press("m")
    assert rows.nth(1).locator("textarea").first.input_value() == "tsikusm"
    assert len(times(page)) == 4
    page.locator("[data-wave]").focus()
    page.keyboard.press("n")  # next sentence: the third, and the playhead at its start
    assert "seg-current" in (rows.nth(2).get_attribute("class") or "")
    assert page.locator("[data-wave]").get_attribute("aria-valuenow") == "1"
    page.keyboard.press("m")  # merge the third with the fourth
    assert times(page) == [(0.0, at), (at, 1.0), (1.0, 2.9)]
    merged = rows.nth(2).locator("textarea").first.input_value()
    assert merged == "ndidapita kumunda kuti ndikalime"
    page.keyboard.press("p")
    assert "seg-current" in (rows.nth(1).get_attribute("class") or "")
    page.keyboard.press(" ")  # play from the playhead ...
    page.wait_for_function(
        "() => document.querySelector('[data-text-recording]').currentTime > 0.6"
    )
    assert page.locator("[data-act=toggle]").inner_text() == "Pause"
    page.keyboard.press(" ")  # ... and pause
    page.wait_for_function("() => document.querySelector('[data-text-recording]').paused")
    page.locator("[data-act=segment]").click()  # play sentence 2: it stops at its end
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-text-recording]');"
        " return a.paused && a.currentTime >= 0.99; }",
        timeout=10000,
    )
    assert page.evaluate("document.querySelector('[data-text-recording]').currentTime") < 1.3
    page.keyboard.press("l")  # loop sentence 2: it plays to its end and again from its start
    assert page.locator("[data-act=loop]").get_attribute("aria-pressed") == "true"
    looped = page.evaluate(
        """() => new Promise((resolve) => {
             const a = document.querySelector('[data-text-recording]');
             let high = false;
             const look = () => {
               if (a.currentTime > 0.9) high = true;
               else if (high && a.currentTime < 0.75 && !a.paused) resolve(a.currentTime);
             };
             a.addEventListener('timeupdate', look);
             a.addEventListener('seeked', look);
             setTimeout(() => resolve(null), 8000);
           })"""
    )
    assert looped is not None and looped >= at - 0.01
    page.keyboard.press("l")
    page.keyboard.press(" ")
    page.wait_for_function("() => document.querySelector('[data-text-recording]').paused")
    scroller = page.get_by_label("Part of the recording shown")
    assert scroller.is_hidden()  # the whole recording fits
    page.get_by_role("button", name="Zoom in").click()
    assert scroller.is_visible() and float(scroller.get_attribute("max")) > 1.4
    page.get_by_role("button", name="Zoom out").click()
    assert scroller.is_hidden()
    rows.nth(0).locator("textarea").nth(1).click()
    page.keyboard.press("Control+s")  # saves even while typing
    page.wait_for_url(SAVED)
    saved = stored(session, dictionary, text["id"])
    segments = saved["segments"]
    assert [(s["start"], s["end"]) for s in segments] == [(0.0, at), (at, 1.0), (1.0, 2.9)]
    assert segments[1]["text"] == {"seh": "tsikusm"} and segments[1]["id"]
    assert "ndidapita kumunda kuti ndikalime" in str(segments[2]["text"])
    assert segments[2]["words"] == []  # the words were of the old transcription
    page.context.close()


def touch(cdp, kind, x, y):
    points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def test_a_finger_on_a_tablet(browser, live_server, story, session, dictionary):
    text, url = story
    context = browser.new_context(viewport=TABLET, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/login?next=/d/demo/edit/")
    page.fill("#email", "owner@example.org")
    page.fill("#password", "password-123")
    page.locator("form.login [type=submit]").tap()
    page.wait_for_url(f"{live_server.url}/d/demo/edit/")
    open_editor(page, url)
    upright = page.locator("[data-wave]").evaluate("(canvas) => canvas.width")
    page.set_viewport_size({"width": TABLET["height"], "height": TABLET["width"]})  # turned
    page.wait_for_function(f"() => document.querySelector('[data-wave]').width > {upright}")
    assert page.get_by_label("Part of the recording shown").is_hidden()  # all of it still fits
    page.set_viewport_size(TABLET)  # and back upright: narrower, and still all of it
    page.wait_for_function(f"() => document.querySelector('[data-wave]').width === {upright}")
    assert page.get_by_label("Part of the recording shown").is_hidden()
    box = wave_box(page)
    cdp = context.new_cdp_session(page)
    y = box["y"] + box["height"] / 2
    # A finger lands a little beside the end of sentence 2 (fingers are not precise) and drags.
    touch(cdp, "touchStart", x_of(box, 2.0) + 8, y)
    for step in range(1, 6):
        touch(cdp, "touchMove", x_of(box, 2.0 + step * 0.06), y)
    touch(cdp, "touchEnd", 0, 0)
    [_, (_, end2), (start3, _)] = times(page)
    assert end2 == start3 and abs(end2 - 2.3) < 0.04
    # A tap on the waveform moves the playhead; then the buttons, tapped.
    page.touchscreen.tap(x_of(box, 0.5), y)
    assert abs(playhead(page) - 0.5) < 0.005
    page.get_by_role("button", name="Merge with the next").tap()
    assert len(times(page)) == 2
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save").tap()
    page.wait_for_url(SAVED)
    saved = stored(session, dictionary, text["id"])
    assert [(s["start"], s["end"]) for s in saved["segments"]] == [(0.0, end2), (end2, 2.9)]
    context.close()


def two_keepers(browser, live_server, session, dictionary, url):
    """Two keepers' editors open on the same text, the first having moved the edge between
    sentences 1 and 2 to 1.5 s and saved."""
    make_user(session, "editor@example.org", "editor", dictionary)
    first = keeper_page(browser, live_server, record=False)
    second = keeper_page(browser, live_server, "editor@example.org", record=False)
    open_editor(first, url)
    open_editor(second, url)
    mouse_drag(first, 1.0, 1.5)
    first.keyboard.press("Control+s")
    first.wait_for_url(SAVED)
    first.context.close()
    return second


def test_two_keepers_editing_apart_are_merged(browser, live_server, story, session, dictionary):
    text, url = story
    second = two_keepers(browser, live_server, session, dictionary, url)
    box = wave_box(second)
    second.mouse.click(x_of(box, 2.5), box["y"] + 10)
    second.keyboard.press("s")  # split the third sentence: no part of the first one's change
    second.keyboard.press("Control+s")
    second.wait_for_url("**/d/demo/edit/texts/*?saved=3&merged=1")
    assert second.get_by_text("Your changes did not touch theirs, so both were kept.").is_visible()
    second.wait_for_selector("[data-seg-editor][data-ready=true]")  # the editor, on the merge
    assert times(second) == [(0.0, 1.5), (1.5, 2.0), (2.0, 2.5), (2.5, 2.9)]
    saved = stored(session, dictionary, text["id"])
    assert saved["version"] == 3 and len(saved["segments"]) == 4
    second.context.close()


def test_two_keepers_moving_one_edge_choose_on_the_conflict_page(browser, live_server, story,
                                                                 session, dictionary):  # fmt: skip
    text, url = story
    second = two_keepers(browser, live_server, session, dictionary, url)
    mouse_drag(second, 1.0, 0.6)  # the same edge, elsewhere
    second.keyboard.press("Control+s")
    heading = second.get_by_role("heading", name="Someone else saved this text while you were")
    heading.wait_for()
    clashes = second.locator("fieldset[data-clash]")
    assert clashes.count() == 2  # sentences 1 and 2 both moved, on both sides
    first = clashes.nth(0)
    assert first.locator("legend").inner_text() == "Sentence 1"
    assert "0.000–0.600 s" in first.locator(".mine").inner_text()
    assert "0.000–1.500 s" in first.locator(".theirs").inner_text()
    assert axe_violations(second) == []
    for i in range(2):
        clashes.nth(i).get_by_label("Theirs").check()
    second.get_by_role("button", name="Save the choices above").click()
    second.wait_for_url(SAVED)
    second.wait_for_selector("[data-seg-editor][data-ready=true]")
    assert times(second) == [(0.0, 1.5), (1.5, 2.0), (2.0, 2.9)]
    saved = stored(session, dictionary, text["id"])
    assert saved["version"] == 4  # mine, kept in history as version 3, then theirs chosen
    history = texts.text_history(session=session, dictionary=dictionary, text_id=text["id"])
    assert [(s["start"], s["end"]) for s in history[1]["data"]["segments"]] == [
        (0.0, 0.6), (0.6, 2.0), (2.0, 2.9)]  # fmt: skip
    second.context.close()
