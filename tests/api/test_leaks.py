"""The leak test: every GET route the app registers, asked by people outside a circle, never
shows a restricted headword, gloss, example, recording, picture or private dictionary; and the
members of the circle do see them.

Routes are enumerated from `app.routes` (so routes added later are covered without editing this
file); path parameters are filled from the fixture below by name, query parameters by name
(q, letter, ids, ...) and by type (every value of a Literal/Enum, e.g. export formats).
Answers are read as text, as PDF text (pdftotext) and as zip archives (every member).
"""

from __future__ import annotations

import enum
import io
import math
import struct
import subprocess
import typing
import wave
import zipfile
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from lexicon import editing, entries
from lexicon.accounts.access import Viewer
from lexicon.editing import review
from lexicon.models import Media
from tests.conftest import FIXTURES, make_user

AUDIO = FIXTURES / "lift-patani-audio"
PICTURE = FIXTURES / "lift-biatah" / "pictures" / "waterBasket1.png"

# Words that exist nowhere else; all plain ASCII so that HTML, JSON, URL and PDF text keep them.
RESTRICTED_ENTRY = ["ngwirimbo", "quillmoss", "tindakwela", "ashlantern", "ngwirimpa"]
RESTRICTED_PARTS = ["emberwick", "kusumbira", "glasswhale", "mbataika", "veilcaption"]
COMMUNITY = ["chingolo", "riverhorse"]
PRIVATE = ["sindikiza", "nightjarx", "hushbook"]
PENDING = ["pendakula", "plumgloss"]
DRAFT = ["sirinzika", "lampwool"]  # an unpublished entry: editors and contributors only
PUBLIC = ["pamba", "mbatata"]

REVEALS_MIXED = {"emberwick", "kusumbira"}  # restricted gloss and example of "mbatata"
QUERY_VALUES = {
    "q": ["ngwiri", "quillmoss", "emberwick", "kusumbira", "chingolo", "pendakula"],
    "letter": ["ng", "m", "ch"],
}


def tone_wav(seconds: float = 1.0, hz: float = 523.0) -> bytes:
    """A real WAV file (a sine tone), different from every fixture recording."""
    rate = 16000
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * hz * i / rate)))
        for i in range(int(rate * seconds))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def _entry(headword, gloss, **extra) -> dict:
    return {"headword": {"seh": headword}, "senses": [{"glosses": {"en": gloss}}], **extra}


def _upload(client, auth, entry_id, name, data: bytes, **form) -> dict:
    done = client.post(
        f"/api/dictionaries/demo/entries/{entry_id}/pronunciations",
        files={"file": (name, data)},
        data=form,
        headers=auth,
    )
    assert done.status_code == 201, done.text
    return done.json()


@dataclass
class World:
    ids: dict
    shas: dict
    people: dict
    private_slug: str
    audio: dict = field(default_factory=dict)  # file name -> byte runs of its stored copies
    widths: list = field(default_factory=list)
    proposal_ids: list = field(default_factory=list)
    sense_ids: list = field(default_factory=list)
    example_ids: list = field(default_factory=list)


def _build_entries(session, dictionary, owner) -> dict:
    def create(data):
        return editing.create_entry(
            session=session, dictionary=dictionary, data=data, editor=owner.email
        )

    ids = {
        "public": create(_entry("pamba", "cotton"))["id"],
        "community": create(_entry("chingolo", "riverhorse", visibility="community"))["id"],
        "draft": create(_entry("sirinzika", "lampwool", status="draft"))["id"],
        "restricted": create(
            {
                "headword": {"seh": "ngwirimbo"},
                "visibility": "restricted",
                "circle": "elders",
                "pronunciations": [{"ipa": "ngwirimpa"}],
                "senses": [
                    {
                        "glosses": {"en": "quillmoss"},
                        "examples": [
                            {"text": {"seh": "tindakwela"}, "translations": {"en": "ashlantern"}}
                        ],
                    }
                ],
            }
        )["id"],
    }
    # A public entry whose example was public at first and restricted later: the old revision
    # must not show it either.
    mixed = create(
        {
            "headword": {"seh": "mbatata"},
            "senses": [
                {
                    "glosses": {"en": "potato"},
                    "examples": [
                        {"text": {"seh": "kusumbira"}, "translations": {"en": "glasswhale"}}
                    ],
                }
            ],
        }
    )
    mixed["senses"][0]["examples"][0].update(visibility="restricted", circle="elders")
    mixed["senses"].append(
        {"glosses": {"en": "emberwick"}, "visibility": "restricted", "circle": "elders"}
    )
    mixed["pronunciations"] = [{"ipa": "mbataika", "visibility": "restricted", "circle": "elders"}]
    editing.update_entry(
        session=session,
        dictionary=dictionary,
        entry_id=mixed["id"],
        data=mixed,
        version=1,
        editor=owner.email,
    )
    ids["mixed"] = mixed["id"]
    return ids


def _keys(media: Media) -> list[str]:
    """Every stored copy of a media file: original, web copies (each width), print copy."""
    keys = [media.original_key, media.derivative_key]
    keys += [d["key"] for d in media.extra.get("derivatives", {}).values()]
    keys.append(media.extra.get("print", {}).get("key"))
    return sorted({k for k in keys if k})


def _slices(blob: bytes, public: list[bytes], size: int = 48, want: int = 4) -> list[bytes]:
    """Byte runs of a restricted file that no public file contains (so a hit is a leak)."""
    found = []
    for start in range(len(blob) // 8, len(blob) - size, max(1, len(blob) // 40)):
        piece = blob[start : start + size]
        if len(set(piece)) > 8 and not any(piece in p for p in public):
            found.append(piece)
        if len(found) == want:
            break
    assert found, "no distinctive byte run in a restricted media file"
    return found


@pytest.fixture
def world(client, session, dictionary, owner, app) -> World:
    people = {
        "viewer": make_user(session, "viewer@example.org", "viewer", dictionary),
        "outsider": make_user(session, "outsider@example.org", "editor", dictionary),
        "elder": make_user(session, "elder@example.org", "viewer", dictionary, ["elders"]),
        "contributor": make_user(session, "contrib@example.org", "contributor", dictionary),
    }
    ids = _build_entries(session, dictionary, owner)
    auth = owner.headers
    public = _upload(client, auth, ids["public"], "tone.wav", tone_wav())
    mp3 = (AUDIO / "short.mp3").read_bytes()
    webm = (AUDIO / "short.webm").read_bytes()
    _upload(client, auth, ids["restricted"], "short.mp3", mp3)
    _upload(
        client, auth, ids["mixed"], "short.webm", webm, visibility="restricted", circle="elders"
    )

    private = editing.create_dictionary(
        session=session,
        data={"slug": "hushbook", "title": "Hushbook", "visibility": "private"},
        owner_id=owner.user.id,
    )
    ids["private"] = editing.create_entry(
        session=session, dictionary=private, data=_entry("sindikiza", "nightjarx"), editor="o"
    )["id"]

    contributor = Viewer(
        user_id=people["contributor"].user.id, roles={dictionary.id: "contributor"}
    )
    proposals = [
        review.propose(
            session=session, dictionary=dictionary, viewer=contributor, action="create",
            data=_entry("pendakula", "cotton"),
        ),
        review.propose(
            session=session, dictionary=dictionary, viewer=contributor, action="update",
            entry_id=ids["public"], data=_entry("pamba", "plumgloss", version=2),
        ),
    ]  # fmt: skip

    full = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=ids["mixed"], viewer=Viewer(is_admin=True)
    )
    picture = client.post(
        f"/api/dictionaries/demo/entries/{ids['mixed']}/senses/{full['senses'][0]['id']}/pictures",
        files={"file": ("basket.png", PICTURE.read_bytes())},
        data={"caption_en": "veilcaption", "visibility": "restricted", "circle": "elders"},
        headers=auth,
    )
    assert picture.status_code == 201, picture.text

    storage = app.state.storage
    session.commit()  # end the read snapshot, to see what the uploads wrote
    rows = {
        "basket.png" if m.kind == "image" else m.original_name: m
        for m in session.exec(select(Media)).scalars()
    }
    blobs = {name: [storage.open(k).read() for k in _keys(m)] for name, m in rows.items()}
    public_blobs = blobs["tone.wav"]
    audio = {
        name: [s for blob in blobs[name] for s in _slices(blob, public_blobs)]
        for name in ("short.mp3", "short.webm", "basket.png")
    }
    return World(
        ids=ids,
        shas={
            "public": public["pronunciations"][0]["media"]["sha256"],
            "restricted": rows["short.mp3"].sha256,
            "mixed": rows["short.webm"].sha256,
            "picture": rows["basket.png"].sha256,
        },
        widths=rows["basket.png"].extra.get("widths", []),
        people=people,
        private_slug=private.slug,
        audio=audio,
        proposal_ids=[p["id"] for p in proposals],
        sense_ids=[s["id"] for s in full["senses"]],
        example_ids=[full["senses"][0]["examples"][0]["id"]],
    )


# ---------------------------------------------------------------- routes and their parameters


def _walk(dependant):
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def get_routes(app) -> list[SimpleNamespace]:
    """Every GET route: path, and its path and query parameters (name, type, required)."""
    try:
        from fastapi.routing import iter_route_contexts

        contexts = list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI flattens included routers into app.routes itself
        contexts = list(app.routes)
    found = []
    for ctx in contexts:
        methods = getattr(ctx, "methods", None) or set()
        path = getattr(ctx, "path", None)
        if "GET" not in methods or path is None:
            continue
        dependant = getattr(ctx, "dependant", None)
        params = [] if dependant is None else [d for d in _walk(dependant)]
        found.append(
            SimpleNamespace(
                path=path,
                path_params={
                    p.name: p.field_info.annotation for d in params for p in d.path_params
                },
                query=[
                    (p.alias or p.name, p.field_info.annotation, p.field_info.is_required())
                    for d in params
                    for p in d.query_params
                ],
            )
        )
    return found


def _choices(annotation) -> list:
    """Every value of a Literal or Enum annotation (also inside Optional)."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [m.value for m in annotation]
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    for arg in typing.get_args(annotation):
        if arg is not type(None) and (values := _choices(arg)):
            return values
    return []


def _is(annotation, kind) -> bool:
    return annotation is kind or kind in typing.get_args(annotation)


def path_values(name: str, annotation, world: World) -> list:
    ids = world.ids
    table = {
        "slug": ["demo", world.private_slug],
        "entry_id": list(ids.values()),
        "sha256": list(world.shas.values()),
        "number": [1, 2],
        "letter": ["ng", "m"],
        "sense_id": world.sense_ids,
        "example_id": world.example_ids,
        "proposal_id": world.proposal_ids,
        "email": ["elder@example.org", "outsider@example.org"],
        "name": ["elders"],
        "width": world.widths or [1],
    }
    if name in table:
        return table[name]
    if name.endswith("_id") or name == "id":
        return list(ids.values()) if not _is(annotation, int) else [1]
    if choices := _choices(annotation):
        return choices
    return [1] if _is(annotation, int) else ["ngwirimbo"]


def query_variants(route, world: World) -> list[dict]:
    """The route with no optional query parameter, then each one varied on its own."""
    base, varied = {}, []
    for name, annotation, required in route.query:
        values = QUERY_VALUES.get(name) or _choices(annotation)
        if name == "ids":
            values = [",".join(world.ids.values())]
        if name in ("format", "fmt") and not values:
            values = ["lift", "csv", "cldf", "json"]
        if required:
            base[name] = values[0] if values else (1 if _is(annotation, int) else "ngwirimbo")
        varied += [(name, v) for v in values]
    return [base] + [{**base, name: value} for name, value in varied if base.get(name) != value]


def requests_for(route, world: World):
    """(url, params, where) for every combination of path values and query variants."""
    combos = [{}]
    for name, annotation in route.path_params.items():
        combos = [{**c, name: v} for c in combos for v in path_values(name, annotation, world)]
    for combo in combos:
        url = route.path
        for name, value in combo.items():
            url = url.replace("{" + name + "}", str(value)).replace(
                "{" + name + ":path}", str(value)
            )
        private = combo.get("slug") == world.private_slug
        # The private dictionary must be missing altogether: once, with no query, is enough.
        for params in [{}] if private else query_variants(route, world):
            yield url, params, private


# ---------------------------------------------------------------- reading answers


def _pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace")


def contents(data: bytes, depth: int = 0) -> tuple[list[str], list[bytes]]:
    """Texts and raw bytes of an answer: itself, PDF text, every member of a zip."""
    texts, blobs = [data.decode("utf-8", "replace")], [data]
    if data.startswith(b"%PDF"):
        texts.append(_pdf_text(data))
    if data.startswith(b"PK\x03\x04") and depth < 3:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                texts.append(info.filename)
                more_texts, more_blobs = contents(archive.read(info), depth + 1)
                texts += more_texts
                blobs += more_blobs
    return texts, blobs


def _normal(text: str) -> str:
    # PDF text may break a word at a line end with a hyphen; search it whole.
    return text.lower().replace("\u00ad", "").replace("-\n", "")


@dataclass
class Seen:
    words: set = field(default_factory=set)
    audio: set = field(default_factory=set)
    matches: set = field(default_factory=set)
    where: dict = field(default_factory=dict)


def inspect(response, url: str, words: list[str], world: World, seen: Seen, params=None) -> None:
    texts, blobs = contents(response.content)
    texts.append("\n".join(f"{k}: {v}" for k, v in response.headers.items()))
    haystack = _normal("\n".join(texts))
    for word in words:
        # An id or sha256 in the URL asked for comes back in messages; that is no leak.
        if word.lower() in haystack and word.lower() not in url.lower():
            seen.words.add(word)
            seen.where.setdefault(word, url)
    for name, pieces in world.audio.items():
        if any(piece in blob for blob in blobs for piece in pieces):
            seen.audio.add(name)
            seen.where.setdefault(name, url)
    # Finding the public entry "mbatata" by a word only its restricted parts hold tells what
    # those parts say, even when their text is not shown.
    for value in (params or {}).values():
        if value in REVEALS_MIXED and "mbatata" in haystack:
            seen.matches.add(value)
            seen.where.setdefault(f"match:{value}", url)


def sweep(client, app, world: World, headers: dict, words: list[str]):
    """Ask every GET route as one person: what they saw, 5xx answers, private-slug answers."""
    seen, errors, private_status = Seen(), [], {}
    for route in get_routes(app):
        for url, params, private in requests_for(route, world):
            response = client.get(url, params=params, headers=headers, follow_redirects=False)
            where = f"{url}?{params}" if params else url
            if response.status_code >= 500:
                errors.append(f"{response.status_code} {where}: {response.text[:200]}")
                continue
            if private:
                private_status[where] = response.status_code
            inspect(response, where, words, world, seen, params)
    return seen, errors, private_status


def secret_words(world: World) -> dict:
    restricted = RESTRICTED_ENTRY + RESTRICTED_PARTS + [world.ids["restricted"]]
    restricted += [world.shas["restricted"], world.shas["mixed"], world.shas["picture"]]
    return {
        "anonymous": restricted + COMMUNITY + PRIVATE + PENDING + DRAFT,
        "viewer": restricted + PRIVATE + PENDING + DRAFT,
        "outsider": restricted + PRIVATE,  # an editor outside the circle reviews proposals
        "elder": PRIVATE + PENDING + DRAFT,
    }


def test_no_restricted_word_or_recording_leaks_on_any_get_route(client, app, world):
    words = secret_words(world)
    everything = sorted(set(sum(words.values(), [])) | set(PUBLIC) | set(COMMUNITY))
    report, failures = {}, []
    for who in ("anonymous", "viewer", "outsider", "elder"):
        headers = world.people[who].headers if who in world.people else {}
        seen, errors, private_status = sweep(client, app, world, headers, everything)
        report[who] = seen
        failures += [f"[{who}] {e}" for e in errors]
        leaked = sorted(seen.words & set(words[who]))
        failures += [f"[{who}] sees {w!r} at {seen.where[w]}" for w in leaked]
        if who != "elder":
            failures += [
                f"[{who}] gets bytes of {a} at {seen.where[a]}" for a in sorted(seen.audio)
            ]
            failures += [
                f"[{who}] finds 'mbatata' by its restricted word {m!r} at "
                + seen.where["match:" + m]
                for m in sorted(seen.matches)
            ]
        failures += [
            f"[{who}] private dictionary answered {status} (not 404) at {where}"
            for where, status in private_status.items()
            if status != 404
        ]
    # The check can fail: the circle's members do see all of it, and the others the public part.
    elder = report["elder"]
    for word in RESTRICTED_ENTRY + RESTRICTED_PARTS + COMMUNITY + PUBLIC:
        if word not in elder.words:
            failures.append(f"[elder] never sees {word!r} (the fixture or a route is broken)")
    if elder.audio != set(world.audio):
        failures.append(
            f"[elder] gets bytes of only {sorted(elder.audio)} of {sorted(world.audio)}"
        )
    if not elder.matches:
        failures.append("[elder] never finds 'mbatata' by its restricted words")
    if not set(DRAFT) <= report["outsider"].words:
        failures.append("[outsider] (an editor) never sees the draft entry")
    if not set(COMMUNITY) <= report["viewer"].words:
        failures.append("[viewer] never sees the community entry")
    if not set(PUBLIC) <= report["anonymous"].words:
        failures.append("[anonymous] never sees the public entries")
    assert not failures, "\n".join(failures)


def test_private_dictionary_is_missing_for_outsiders_and_there_for_members(
    client, app, world, session, owner
):
    slug = world.private_slug
    for url in (f"/api/dictionaries/{slug}", f"/d/{slug}/", f"/api/dictionaries/{slug}/entries"):
        assert client.get(url).status_code == 404
        assert client.get(url, headers=world.people["viewer"].headers).status_code == 404
        assert client.get(url, headers=owner.headers).status_code == 200
    listed = client.get("/api/dictionaries").json()["items"]
    assert [d["slug"] for d in listed] == ["demo"]
    assert "hushbook" not in client.get("/").text.lower()


def test_restricted_media_url_is_refused_not_just_unlinked(client, world):
    widths = [f"/w{w}" for w in world.widths]
    for sha, suffixes in (
        (world.shas["restricted"], ["", "/original"]),
        (world.shas["mixed"], ["", "/original"]),
        (world.shas["picture"], ["", "/original", *widths]),
    ):
        for suffix in suffixes:
            url = f"/media/demo/{sha}{suffix}"
            assert client.get(url).status_code == 404
            for who in ("viewer", "outsider"):
                assert client.get(url, headers=world.people[who].headers).status_code == 404
        # The circle sees the web copy (a picture's original may be kept for editors only).
        heard = client.get(f"/media/demo/{sha}", headers=world.people["elder"].headers)
        assert heard.status_code == 200 and heard.headers["cache-control"].startswith("private")
    assert client.get(f"/media/demo/{world.shas['public']}").status_code == 200


def test_routes_are_enumerated_from_the_app(app, world):
    """Routes added by any module show up in the sweep without naming them here."""
    paths = {r.path for r in get_routes(app)}
    assert "/api/dictionaries/{slug}/entries/{entry_id}" in paths
    assert "/media/{slug}/{sha256}" in paths
    entry_route = next(r for r in get_routes(app) if r.path == "/d/{slug}/entries/{entry_id}")
    assert len(list(requests_for(entry_route, world))) == len(world.ids) * 2
