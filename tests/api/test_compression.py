"""Pages and JSON reach visitors who are not signed in gzipped (learners on weak connections);
a signed-in keeper's pages never are (BREACH); recordings, ranges and the offline data, which
is gzipped already, are passed through as they are (api/compression.py)."""

from __future__ import annotations

import gzip
import json

from lexicon import editing
from lexicon.media import audio
from tests.api.test_busy import log_in

GZIP = {"Accept-Encoding": "gzip"}


def entries_of(session, dictionary, n: int = 60) -> None:
    editing.create_entries(session=session, dictionary=dictionary, items=[
        {"headword": {"seh": f"mawu{i:03d}"}, "senses": [{"glosses": {"en": f"word number {i}"}}]}
        for i in range(n)
    ])  # fmt: skip
    session.commit()


def raw(client, url: str, **headers):
    """The response as sent: its headers and body, not decoded by the client."""
    with client.stream("GET", url, headers={**GZIP, **headers}) as answer:
        return answer, b"".join(answer.iter_raw())


def test_a_visitors_pages_and_json_are_gzipped(client, session, dictionary):
    entries_of(session, dictionary)
    for url in ("/d/demo/browse?letter=m", "/d/demo/search?q=word",
                "/api/dictionaries/demo/entries?limit=50"):  # fmt: skip
        answer, body = raw(client, url)
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == "gzip", url
        assert "accept-encoding" in answer.headers["vary"].lower()
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert gzip.decompress(body) == plain.content
        assert len(body) < len(plain.content) / 2


def test_a_signed_in_keepers_pages_are_not_compressed(client, session, dictionary, owner):
    """Their pages hold the CSRF token beside what they typed in a search: compressing both
    together is what BREACH reads. The same page is gzipped again once they log out, until a
    form gives their session a token again."""
    entries_of(session, dictionary)
    log_in(client, owner.email)
    for url in ("/d/demo/browse?letter=m", "/d/demo/search?q=word", "/d/demo/edit/entries/new"):
        answer, body = raw(client, url)
        assert answer.status_code == 200 and "content-encoding" not in answer.headers, url
        assert b"</html>" in body
    client.cookies.clear()
    assert raw(client, "/d/demo/search?q=word")[0].headers["content-encoding"] == "gzip"
    raw(client, "/login")  # its form gives the session a CSRF token: no page compressed since
    for url in ("/login", "/d/demo/search?q=word"):
        assert "content-encoding" not in raw(client, url)[0].headers, url


def test_recordings_ranges_and_the_offline_data_pass_as_they_are(
    client, session, dictionary, auth, tmp_path
):
    entry = editing.create_entry(session=session, dictionary=dictionary,
                                 data={"headword": {"seh": "mawu"}})  # fmt: skip
    session.commit()
    wav = tmp_path / "word.wav"
    audio.write_tone(wav, container="wav", codec="pcm_s16le", tone=1.0)
    with open(wav, "rb") as fh:
        made = client.post(f"/api/dictionaries/demo/entries/{entry['id']}/pronunciations",
                           files={"file": ("word.wav", fh, "audio/wav")}, headers=auth)  # fmt: skip
    assert made.status_code == 201, made.text
    url = made.json()["pronunciations"][0]["media"]["url"]
    whole, body = raw(client, url)
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("audio/")
    assert "content-encoding" not in whole.headers
    assert int(whole.headers["content-length"]) == len(body) > 1000
    part, chunk = raw(client, url, Range="bytes=100-1099")
    assert part.status_code == 206 and "content-encoding" not in part.headers
    assert chunk == body[100:1100]
    offline, data = raw(client, "/api/dictionaries/demo/offline")
    assert offline.headers["content-encoding"] == "gzip"
    assert "entries" in json.loads(gzip.decompress(data))  # gzipped once, not twice
