"""Aligned words on a text's learner page (issue 23): after word alignment (ReadAlongs, on
espeak-ng speech) the sentence is shown as typed, punctuation kept, and the word being spoken
is highlighted as the recording plays (static/texts.js), in Chromium."""

from __future__ import annotations

import io

import pytest

from lexicon import texts
from lexicon.texts import aligning
from tests.lexicon.texts.speech_synth import build

pytestmark = pytest.mark.browser


def test_the_spoken_word_is_highlighted(browser, live_server, session, dictionary, tmp_path):
    wav = tmp_path / "story.wav"
    truth = build([(["the", "river", "carries", "water", "home"], 0.3)], wav, voice="en-us")[0]
    storage = live_server.app.state.storage
    data = {"title": {"seh": "River"}, "status": "published",
            "segments": [{"start": truth["start"], "end": truth["end"],
                          "text": {"seh": "The river carries water, home!"}}]}  # fmt: skip
    text = texts.import_text(session=session, storage=storage, dictionary=dictionary, data=data,
                             audio_file=io.BytesIO(wav.read_bytes()), audio_name="s.wav")  # fmt: skip
    dictionary.language_code = "eng"
    aligning.align_text(session=session, storage=storage, dictionary=dictionary,
                        text_id=text["id"])  # fmt: skip
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/d/demo/texts/{text['id']}")
    sentence = page.locator(".segment .vern").first
    assert sentence.inner_text() == "The river carries water, home!"  # as typed
    words = page.locator(".word[data-start]")
    assert words.count() == 5
    starts = [float(words.nth(n).get_attribute("data-start")) for n in range(5)]
    assert starts == sorted(starts)
    # The page records each word as it lights up (polling from here could miss a short word
    # on a busy machine), and plays at half speed so a slow frame cannot skip one either.
    page.evaluate("""() => {
        window.seen = [];
        new MutationObserver((changes) => {
            for (const change of changes) {
                const node = change.target;
                const lit = node.matches(".word.current");
                if (lit && window.seen.at(-1) !== node.textContent) window.seen.push(node.textContent);
            }
        }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["class"]});
        const player = document.querySelector("[data-text-audio]");
        player.playbackRate = 0.5;
        player.play();
    }""")
    page.wait_for_function("() => document.querySelector('[data-text-audio]').ended",
                           timeout=30_000)  # fmt: skip
    seen = page.evaluate("() => window.seen")
    # Every word lit up in turn while it was spoken (the pauses between them light none).
    assert seen == ["The", "river", "carries", "water", "home"], seen
