"""The text editor's buttons for background work (static/text-jobs.js) in Chromium: "Propose
sentences from the recording" runs the segmentation job on real speech (espeak-ng) and the page
comes back with the proposed sentences; on a recording with no speech the job's own message is
shown and nothing changes."""

from __future__ import annotations

import io

import pytest

from lexicon import texts
from tests.browser.test_editor import keeper_page
from tests.browser.test_segment_editor import stored, times
from tests.browser.test_texts import _story
from tests.lexicon.texts.audio_synth import spoken

pytestmark = pytest.mark.browser
PROPOSE = "Propose sentences from the recording"


def _untimed_story(session, dictionary, storage, tmp_path) -> tuple[dict, list]:
    """A text with three spoken sentences (pauses between them) and no segments yet."""
    wav = tmp_path / "spoken.wav"
    truth = spoken(wav, pauses=(0.8,), sentences=(
        "Shuk punllaka wasiman rirkani.", "Mamaka mikhunata yanuykan.", "Ñukaka yachachik kani."))  # fmt: skip
    data = {"title": {"seh": "Three sentences"}, "status": "published", "segments": []}
    text = texts.import_text(session=session, storage=storage, dictionary=dictionary, data=data,
                             audio_file=io.BytesIO(wav.read_bytes()), audio_name="spoken.wav")  # fmt: skip
    return text, truth


def test_propose_sentences_from_the_browser(browser, live_server, session, dictionary, tmp_path):
    text, truth = _untimed_story(session, dictionary, live_server.app.state.storage, tmp_path)
    page = keeper_page(browser, live_server, record=False)
    page.goto(f"{live_server.url}/d/demo/edit/texts/{text['id']}")
    assert times(page) == []
    with page.expect_navigation(timeout=60_000):  # the page reloads when the job is done
        page.get_by_role("button", name=PROPOSE).click()
    page.wait_for_selector("[data-seg-editor][data-ready=true]")
    shown = times(page)
    assert len(shown) == len(truth), (shown, truth)
    for (start, end), (true_start, true_end) in zip(shown, truth, strict=True):
        assert abs(start - true_start) < 0.3 and abs(end - true_end) < 0.3, (shown, truth)
    saved = stored(session, dictionary, text["id"])
    assert [(s["start"], s["end"]) for s in saved["segments"]] == shown
    page.context.close()


def test_a_recording_without_speech_says_why(browser, live_server, session, dictionary,
                                             tmp_path):  # fmt: skip
    """The story's recording is a tone: the job fails with its own message, shown on the page;
    the sentences stay as they were."""
    text = _story(session, dictionary, live_server.app.state.storage, tmp_path)
    page = keeper_page(browser, live_server, record=False)
    page.goto(f"{live_server.url}/d/demo/edit/texts/{text['id']}")
    before = times(page)
    page.get_by_role("button", name=PROPOSE).click()
    page.wait_for_selector("[data-text-jobs][data-job-state=failed]", timeout=60_000)
    status = page.locator("[data-job-status]").inner_text()
    assert status.startswith("It did not work:") and len(status) > 30, status
    assert page.get_by_role("button", name=PROPOSE).is_enabled()
    assert times(page) == before
    saved = stored(session, dictionary, text["id"])
    assert [(s["start"], s["end"]) for s in saved["segments"]] == before
    page.context.close()
