"""Pictures on senses: a phone photo (EXIF-rotated, with GPS) uploads and is served upright with
no metadata while the original is kept byte-exact; non-pictures and bombs are refused leaving
nothing behind; restricted pictures stay hidden; the entry page shows the picture in Chromium."""

import hashlib
import io
import os
import struct
import zlib

import pytest
from fastapi.testclient import TestClient
from PIL import ExifTags, Image, ImageCms
from sqlalchemy import func, select

from api.app import create_app
from lexicon import editing, entries
from lexicon.accounts.access import Viewer
from lexicon.media import images, pictures
from lexicon.media.images import ImageLimits
from lexicon.media.storage import storage_from_url
from lexicon.models import Media, Revision
from tests.conftest import make_user
from tests.factories import watch_lock

ADMIN = Viewer(is_admin=True)
ENTRY = {
    "headword": {"seh": "nsengwa"},
    "senses": [{"glosses": {"en": "basket"}}, {"glosses": {"en": "winnowing tray"}}],
}
RED, BLUE = (220, 20, 20), (20, 20, 220)
# The photo as stored by the phone: 1600 x 800, red above blue, EXIF orientation 6 ("turn 90
# degrees clockwise to show"). Shown upright it is 800 x 1600, blue on the left, red on the right.
STORED = (1600, 800)
UPRIGHT = (800, 1600)
WEBP_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}  # pixels only: no EXIF, XMP or ICCP chunk


def phone_jpeg(path) -> bytes:
    image = Image.new("RGB", STORED, RED)
    image.paste(BLUE, (0, STORED[1] // 2, STORED[0], STORED[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (17.0, 49.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (35.0, 2.0, 7.25)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>17,49S</exif:GPSLatitude>'
    image.save(path, "JPEG", quality=92, exif=exif, xmp=xmp + b"</x:xmpmeta>")
    check = Image.open(path)  # the test photo really carries what a phone's would
    assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "S"
    assert check.getexif()[ExifTags.Base.Orientation] == 6 and "xmp" in check.info
    return path.read_bytes()


def bomb_png(path, width=20_000, height=20_000) -> None:
    """A 1-bit PNG of width x height white pixels: 50 MB of pixel rows, ~50 kB on disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the packed bits
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def webp_chunks(data: bytes) -> set[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    found, pos = set(), 12
    while pos < len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        found.add(data[pos : pos + 4])
        pos += 8 + size + (size & 1)
    return found


def near(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


@pytest.fixture
def entry(session, dictionary):
    return editing.create_entry(session=session, dictionary=dictionary, data=ENTRY, editor="owner")


@pytest.fixture
def storage(app):
    return app.state.storage


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "IMG_2041.jpg"
    phone_jpeg(path)
    return path


def upload(client, headers, entry, path, sense=0, name=None, **fields):
    sense_id = entry["senses"][sense]["id"] if isinstance(sense, int) else sense
    url = f"/api/dictionaries/demo/entries/{entry['id']}/senses/{sense_id}/pictures"
    with open(path, "rb") as fh:
        return client.post(
            url, files={"file": (name or path.name, fh, "image/jpeg")}, data=fields, headers=headers
        )


def state(session, media_dir, entry_id):
    """Everything an upload could leave behind: files (temporary ones too) and rows."""
    session.expire_all()
    files = sorted(
        os.path.relpath(os.path.join(d, f), media_dir)
        for d, _, names in os.walk(media_dir)
        for f in names
    )
    demo = entries.get_dictionary(session=session, slug="demo")
    found = (
        files,
        session.exec(select(func.count()).select_from(Media)).scalar_one(),
        session.exec(select(func.count()).select_from(Revision)).scalar_one(),
        entries.read_entry(session=session, dictionary=demo, entry_id=entry_id, viewer=ADMIN),
    )
    session.rollback()  # end the read: on SQLite it holds the write lock the app needs
    return found


def test_phone_photo_upright_without_metadata_original_kept(
    client, auth, entry, photo, session, storage
):
    sent = photo.read_bytes()
    made = upload(
        client, auth, entry, photo, caption_en="a winnowing basket", **{"caption_seh": "nsengwa"},
        credit="Ana Banda", licence="CC-BY-4.0", consent="asked the owner, 2024",
    )  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["version"] == entry["version"] + 1
    picture = made.json()["senses"][0]["pictures"][0]
    assert picture["caption"] == {"en": "a winnowing basket", "seh": "nsengwa"}
    assert (picture["credit"], picture["licence"]) == ("Ana Banda", "CC-BY-4.0")
    assert picture["consent"] == "asked the owner, 2024" and picture["visibility"] == "public"
    info = picture["media"]
    assert info["sha256"] == hashlib.sha256(sent).hexdigest()
    assert (info["width"], info["height"]) == UPRIGHT  # as shown, not as stored
    assert info["mime"] == "image/webp" and info["original_name"] == "IMG_2041.jpg"

    row = session.exec(select(Media).where(Media.sha256 == info["sha256"])).scalar_one()
    session.expunge(row)  # keep its values; the rollback ends the read (SQLite's write lock)
    session.rollback()
    assert row.kind == "image" and row.mime == "image/jpeg" and row.size == len(sent)
    assert row.extra["widths"] == [320, 640, 800]  # never wider than the photo itself
    assert row.extra["orientation"] == 6
    assert (row.extra["stored_width"], row.extra["stored_height"]) == STORED

    urls = [info["url"]] + [f"{info['url']}/w{w}" for w in row.extra["widths"]]
    for url in urls:
        served = client.get(url)
        assert served.status_code == 200, (url, served.text)
        assert served.headers["content-type"] == "image/webp"
        assert webp_chunks(served.content) <= WEBP_CHUNKS, url
        for marker in (b"Exif", b"GPS", b"xmpmeta", b"PhoneMaker"):
            assert marker not in served.content, (url, marker)
        web = Image.open(io.BytesIO(served.content))
        assert len(web.getexif()) == 0 and not {"exif", "xmp", "icc_profile"} & set(web.info)
        width, height = web.size
        assert height == 2 * width  # upright: taller than wide
        rgb = web.convert("RGB")
        assert near(rgb.getpixel((width // 4, height // 2)), BLUE), url
        assert near(rgb.getpixel((3 * width // 4, height // 2)), RED), url
    assert Image.open(io.BytesIO(client.get(info["url"]).content)).size == (640, 1280)
    assert Image.open(io.BytesIO(client.get(f"{info['url']}/w320").content)).size == (320, 640)

    with pictures.open_original(storage=storage, media=row) as fh:
        assert fh.read() == sent  # byte-exact, EXIF and GPS included
    with pictures.open_original(storage=storage, media=info) as fh:
        assert fh.read() == sent
    original = client.get(info["original_url"], headers=auth)  # an editor may fetch it
    assert original.content == sent and original.headers["content-type"] == "image/jpeg"
    history = client.get(f"/api/dictionaries/demo/entries/{entry['id']}/revisions").json()
    assert history["items"][-1]["comment"] == "added a picture"


def test_same_picture_again_is_stored_once(client, auth, entry, photo, session, media_dir):
    first = upload(client, auth, entry, photo)
    assert first.status_code == 201, first.text
    files = state(session, media_dir, entry["id"])[0]
    assert len(files) == 5  # the original, three widths and the print copy
    again = upload(client, auth, first.json(), photo, sense=1, name="copy.jpg")
    assert again.status_code == 201, again.text
    shas = [s["pictures"][0]["media"]["sha256"] for s in again.json()["senses"]]
    assert shas[0] == shas[1]
    files_after, media_rows, revisions, _ = state(session, media_dir, entry["id"])
    assert files_after == files and media_rows == 1
    twice = upload(client, auth, again.json(), photo, sense=1)  # a second tap of Upload
    assert twice.status_code == 201 and twice.json()["version"] == again.json()["version"]
    assert len(twice.json()["senses"][1]["pictures"]) == 1
    assert state(session, media_dir, entry["id"])[2] == revisions


def test_a_photo_is_scaled_while_others_can_save(
    client, auth, entry, photo, engine, dictionary, monkeypatch
):
    """Decoding and scaling (a second or two for a large photo) come before the write
    transaction, during which SQLite would let no one else save."""
    seen = watch_lock(monkeypatch, images, "make_web_copies", engine, dictionary.id)
    r = upload(client, auth, entry, photo)
    assert r.status_code == 201, r.text
    assert seen == [True]


def bad_inputs(tmp_path, photo):
    text = tmp_path / "photo.jpg"
    text.write_text("this is a shopping list, not a photograph\n" * 20)
    bomb = tmp_path / "bomb.png"
    bomb_png(bomb)
    cut = tmp_path / "cut.jpg"
    whole = photo.read_bytes()
    cut.write_bytes(whole[: len(whole) // 2])
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    return {
        "text named .jpg": (text, 415, "photo.jpg: not a picture"),
        "png bomb": (bomb, 413, "bomb.png: the picture has more pixels than the limit"),
        "truncated jpeg": (cut, 415, "cut.jpg: the picture data is damaged or cut short"),
        "empty file": (empty, 415, "empty.png: not a picture"),
    }


@pytest.mark.parametrize("case", ["text named .jpg", "png bomb", "truncated jpeg", "empty file"])
def test_bad_upload_leaves_nothing(client, auth, entry, photo, session, media_dir, tmp_path, case):
    path, status, message = bad_inputs(tmp_path, photo)[case]
    if case == "png bomb":
        assert path.stat().st_size < 200_000  # small on disk, 400 million pixels inside
    assert upload(client, auth, entry, photo).status_code == 201  # something there to compare
    before = state(session, media_dir, entry["id"])
    refused = upload(client, auth, before[3], path)
    assert refused.status_code == status, refused.text
    assert message in refused.json()["detail"]
    assert state(session, media_dir, entry["id"]) == before


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"max_upload_bytes": 5000}, "IMG_2041.jpg: the file is bigger than the limit of 5,000"),
        # Refused by its Content-Length, before the body is read (random bytes: 100 kB).
        ({"max_upload_bytes": 20}, "the limit is 20 bytes"),
        # 1.28 million pixels is between 1x and 2x this limit: Pillow only warns there.
        ({"max_image_pixels": 1_000_000}, "the limit of 1,000,000"),
        ({"max_image_pixels": 100_000}, "the limit of 100,000"),  # Pillow's own error
    ],
)
def test_over_a_limit_leaves_nothing(
    client, app, auth, entry, photo, session, media_dir, limits, message
):
    app.state.settings = app.state.settings.model_copy(update=limits)
    if limits.get("max_upload_bytes") == 20:
        photo.write_bytes(os.urandom(100_000))
    before = state(session, media_dir, entry["id"])
    refused = upload(client, auth, entry, photo)
    assert refused.status_code == 413, refused.text
    assert message in refused.json()["detail"]
    assert state(session, media_dir, entry["id"]) == before


def test_refusals_name_what_was_wrong(client, auth, entry, photo, session, media_dir):
    before = state(session, media_dir, entry["id"])
    assert upload(client, {}, entry, photo).status_code == 401
    missing = upload(client, auth, entry, photo, sense="no-such-sense")
    assert missing.status_code == 404 and "no sense no-such-sense" in missing.json()["detail"]
    bad = upload(client, auth, entry, photo, visibility="secret")
    assert bad.status_code == 422 and "visibility" in bad.json()["detail"]
    tag = upload(client, auth, entry, photo, **{"caption_not a tag": "x"})
    assert tag.status_code == 422 and "caption_not a tag" in tag.json()["detail"]
    stale = upload(client, auth, entry, photo, version=str(entry["version"] - 1))
    assert stale.status_code == 409 and stale.json()["current"]["version"] == entry["version"]
    assert state(session, media_dir, entry["id"]) == before


def test_editor_cannot_add_to_a_sense_hidden_from_them(
    client, entry, photo, session, dictionary, media_dir
):
    data = {**ENTRY, "senses": [{"glosses": {"en": "sacred basket"}, "visibility": "restricted",
                                 "circle": "elders"}]}  # fmt: skip
    hidden = editing.create_entry(session=session, dictionary=dictionary, data=data, editor="owner")
    editor = make_user(session, "editor@example.org", "editor", dictionary)
    before = state(session, media_dir, hidden["id"])
    refused = upload(client, editor.headers, hidden, photo)
    assert refused.status_code == 404 and "has no sense" in refused.json()["detail"]
    assert state(session, media_dir, hidden["id"]) == before
    assert upload(client, editor.headers, entry, photo).status_code == 201  # a visible one: yes


def test_restricted_picture_is_refused_to_outsiders(
    client, auth, entry, photo, session, dictionary
):
    made = upload(
        client, auth, entry, photo, visibility="restricted", circle="elders", caption_en="secret"
    )
    assert made.status_code == 201, made.text
    info = made.json()["senses"][0]["pictures"][0]["media"]
    member = make_user(session, "member@example.org", "viewer", dictionary)
    elder = make_user(session, "elder@example.org", "viewer", dictionary, circles=["elders"])
    urls = [info["url"], f"{info['url']}/w320", info["original_url"]]
    for headers in ({}, member.headers):
        seen = client.get(f"/api/dictionaries/demo/entries/{entry['id']}", headers=headers)
        assert seen.status_code == 200 and seen.json()["senses"][0]["pictures"] == []
        page = client.get(f"/d/demo/entries/{entry['id']}", headers=headers)
        assert info["sha256"] not in page.text and "secret" not in page.text
        for url in urls:
            assert client.get(url, headers=headers).status_code == 404, url
    for url in urls[:2]:
        shown = client.get(url, headers=elder.headers)
        assert shown.status_code == 200 and shown.headers["cache-control"] == "private, no-cache"


def test_unknown_width_names_the_widths(client, auth, entry, photo):
    info = upload(client, auth, entry, photo).json()["senses"][0]["pictures"][0]["media"]
    missing = client.get(f"{info['url']}/w500")
    assert missing.status_code == 404
    assert "widths: 320, 640, 800" in missing.json()["detail"]
    assert client.get(f"{info['url']}/wide").status_code == 422


def test_store_picture_for_importers(session, dictionary, storage, tmp_path):
    png = tmp_path / "waterBasket1.png"
    Image.new("RGBA", (300, 200), (10, 200, 10, 128)).save(png)
    row, written = pictures.store_picture(
        session=session, storage=storage, dictionary=dictionary, path=png, filename=png.name
    )
    session.commit()
    assert row.kind == "image" and row.mime == "image/png" and (row.width, row.height) == (300, 200)
    assert len(written) == 3 and row.extra["widths"] == [300]  # small: one web copy
    with storage.open(row.derivative_key) as fh:
        web = Image.open(fh)
        assert web.mode == "RGBA"  # transparency survives
        assert web.getpixel((5, 5))[3] == pytest.approx(128, abs=3)
    text = tmp_path / "notes.png"
    text.write_text("no")
    with pytest.raises(images.NotAnImage, match="notes.png: not a picture"):
        pictures.store_picture(
            session=session, storage=storage, dictionary=dictionary, path=text, filename="notes.png"
        )
    tiny = ImageLimits(max_pixels=1000)
    big = tmp_path / "big.png"
    Image.new("RGB", (40, 30)).save(big)  # 1,200 pixels: Pillow would only warn
    with pytest.raises(images.ImageTooLarge, match="big.png: .* the limit of 1,000"):
        pictures.store_picture(
            session=session, storage=storage, dictionary=dictionary, path=big, filename="big.png",
            limits=tiny,
        )  # fmt: skip
    assert sorted(storage.keys()) == sorted(written)


def test_entry_page_shows_the_picture(client, auth, entry, photo, live_server, page):
    made = upload(client, auth, entry, photo, caption_en="a winnowing basket")
    assert made.status_code == 201, made.text
    page.goto(f"{live_server.url}/d/demo/entries/{entry['id']}")
    img = page.locator("figure.picture img")
    assert img.get_attribute("alt") == "a winnowing basket"
    assert img.get_attribute("loading") == "lazy"
    img.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('figure.picture img');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=15_000,
    )
    width, height = img.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert width > 0 and height == 2 * width  # decoded, and upright


def test_print_copy_is_upright_without_metadata(client, auth, entry, photo, session, storage):
    info = upload(client, auth, entry, photo).json()["senses"][0]["pictures"][0]["media"]
    row = session.exec(select(Media).where(Media.sha256 == info["sha256"])).scalar_one()
    session.expunge(row)
    session.rollback()
    stored, stored_mime = pictures.print_copy(storage=storage, media=row)
    row.extra = {k: v for k, v in row.extra.items() if k != "print"}  # as if made before
    remade, remade_mime = pictures.print_copy(storage=storage, media=row)
    assert stored_mime == remade_mime == "image/jpeg"
    for data in (stored, remade):
        printed = Image.open(io.BytesIO(data))
        assert printed.format == "JPEG" and printed.size == UPRIGHT  # full size: under 2400
        assert len(printed.getexif()) == 0 and b"GPS" not in data and b"xmpmeta" not in data
        assert near(printed.getpixel((200, 800)), BLUE) and near(printed.getpixel((600, 800)), RED)


def test_original_photo_is_for_editors_only(client, auth, entry, photo, session, dictionary):
    """The original may carry GPS (a sacred site's location): the public gets web copies only."""
    info = upload(client, auth, entry, photo).json()["senses"][0]["pictures"][0]["media"]
    viewer = make_user(session, "viewer@example.org", "viewer", dictionary)
    editor = make_user(session, "editor@example.org", "editor", dictionary)
    for headers in ({}, viewer.headers):
        assert client.get(info["url"], headers=headers).status_code == 200
        assert client.get(info["original_url"], headers=headers).status_code == 404
    kept = client.get(info["original_url"], headers=editor.headers)
    assert kept.status_code == 200 and kept.content == photo.read_bytes()
    assert kept.headers["cache-control"] == "private, no-cache"


def test_pictures_on_s3(settings, engine, entry, auth, photo, s3_media_url):
    where = s3_media_url
    app = create_app(settings.model_copy(update={"media_dir": where}), engine=engine)
    with TestClient(app) as client:
        made = upload(client, auth, entry, photo)
        assert made.status_code == 201, made.text
        info = made.json()["senses"][0]["pictures"][0]["media"]
        web = client.get(f"{info['url']}/w320", headers={"Range": "bytes=0-11"})
        assert web.status_code == 206 and web.content[8:12] == b"WEBP"
        assert client.get(info["original_url"], headers=auth).content == photo.read_bytes()
    assert len(list(storage_from_url(where).keys())) == 5


def test_srcset_gives_a_phone_the_width_it_needs(client, auth, entry, photo, live_server, browser):
    """With the picture's `srcset`, a 400 px wide phone screen at 2x density loads the 800 px
    copy."""
    assert upload(client, auth, entry, photo).status_code == 201
    context = browser.new_context(viewport={"width": 400, "height": 800}, device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/d/demo/entries/{entry['id']}")
        img = page.locator("figure.picture img")
        assert "/w320 320w" in img.get_attribute("srcset")
        img.scroll_into_view_if_needed()
        page.wait_for_function(
            "() => { const i = document.querySelector('figure.picture img');"
            " return i && i.complete && i.naturalWidth > 0; }",
            timeout=15_000,
        )
        current, width = img.evaluate("i => [i.currentSrc, i.naturalWidth]")
        assert current.endswith("/w800") and width > 0  # naturalWidth counts CSS pixels
    finally:
        context.close()


def test_reorder_and_remove_through_the_entry(client, auth, entry, photo, tmp_path):
    """The editor reorders or removes pictures by saving the entry; a removed picture's files
    stay (history can restore it) but only editors can fetch them."""
    other = tmp_path / "other.png"
    Image.new("RGB", (500, 300), (10, 160, 10)).save(other)
    upload(client, auth, entry, photo, caption_en="first")
    made = upload(client, auth, entry, other, caption_en="second").json()
    first, second = made["senses"][0]["pictures"]
    made["senses"][0]["pictures"] = [second, first]
    url = f"/api/dictionaries/demo/entries/{entry['id']}"
    moved = client.put(url, json=made, headers=auth)
    assert moved.status_code == 200, moved.text
    assert [p["caption"]["en"] for p in moved.json()["senses"][0]["pictures"]] == [
        "second",
        "first",
    ]
    kept = moved.json()
    kept["senses"][0]["pictures"] = kept["senses"][0]["pictures"][:1]
    assert client.put(url, json=kept, headers=auth).status_code == 200
    gone = first["media"]["url"]
    assert client.get(gone).status_code == 404 and client.get(f"{gone}/w320").status_code == 404
    assert client.get(gone, headers=auth).status_code == 200
    assert client.get(second["media"]["url"]).status_code == 200


def _kinds(tmp_path) -> dict:
    made = {}
    cmyk = Image.new("CMYK", (60, 40), (0, 255, 255, 0))  # red in ink
    cmyk.save(made.setdefault("cmyk.jpg", tmp_path / "cmyk.jpg"), "JPEG")
    deep = Image.new("I;16", (60, 40), 65535)
    deep.save(made.setdefault("16bit.png", tmp_path / "16bit.png"))
    frames = [Image.new("P", (60, 40), i) for i in (1, 2)]
    frames[0].save(
        made.setdefault("anim.gif", tmp_path / "anim.gif"), save_all=True, append_images=frames[1:]
    )
    tagged = Image.new("RGB", (60, 40), (255, 0, 0))
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    tagged.save(made.setdefault("lab-icc.png", tmp_path / "lab-icc.png"), icc_profile=profile)
    for fmt in ("WEBP", "TIFF", "BMP"):
        name = f"plain.{fmt.lower()}"
        Image.new("RGB", (60, 40), (255, 0, 0)).save(made.setdefault(name, tmp_path / name), fmt)
    return made


def test_kinds_of_picture_make_clean_web_copies(tmp_path):
    for name, path in _kinds(tmp_path).items():
        decoded = images.decode(path, name=name)
        assert decoded.info.mime.startswith("image/") and decoded.info.width == 60, name
        (copy,) = images.make_web_copies(decoded, tmp_path)
        data = copy.path.read_bytes()
        assert webp_chunks(data) <= WEBP_CHUNKS, name
        with Image.open(copy.path) as web:
            assert web.size == (60, 40) and web.mode in ("RGB", "RGBA"), name
            if name in ("cmyk.jpg", "plain.webp", "plain.tiff", "plain.bmp"):
                assert near(web.getpixel((30, 20)), (255, 0, 0), tolerance=60), name
            if name == "16bit.png":
                assert web.getpixel((30, 20))[:3] == (255, 255, 255)


def test_an_iphone_heic_photo_is_accepted_and_served_without_its_metadata(
    client, auth, entry, tmp_path, session, storage
):
    """HEIC, as iPhones save photos: decoded through libheif (pillow-heif), served as WebP with
    no metadata, the original (GPS included) kept for editors."""
    path = tmp_path / "IMG_0007.HEIC"
    image = Image.new("RGB", UPRIGHT, RED)
    image.paste(BLUE, (0, 0, UPRIGHT[0] // 2, UPRIGHT[1]))  # blue on the left, red on the right
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "S"
    image.save(path, "HEIF", quality=90, exif=exif)
    sent = path.read_bytes()
    assert sent[4:12] == b"ftypheic" and b"PhoneMaker" in sent

    made = upload(client, auth, entry, path)
    assert made.status_code == 201, made.text
    info = made.json()["senses"][0]["pictures"][0]["media"]
    assert (info["width"], info["height"]) == UPRIGHT and info["mime"] == "image/webp"
    served = client.get(info["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    for marker in (b"Exif", b"GPS", b"PhoneMaker"):
        assert marker not in served.content
    web = Image.open(io.BytesIO(served.content)).convert("RGB")
    width, height = web.size
    assert near(web.getpixel((width // 4, height // 2)), BLUE)
    assert near(web.getpixel((3 * width // 4, height // 2)), RED)
    original = client.get(info["original_url"], headers=auth)
    assert original.content == sent and original.headers["content-type"] == "image/heic"


def test_the_same_new_picture_uploaded_twice_at_once_is_stored_once(
    live_server, auth, session, dictionary, photo
):
    """Two keepers add the same photo to two entries at the same moment: on PostgreSQL both
    requests find no Media row and the second insert loses the race; it attaches the first's."""
    import threading

    import httpx

    made = [editing.create_entry(session=session, dictionary=dictionary, data=ENTRY) for _ in "ab"]
    session.commit()
    start, answers = threading.Barrier(2), []

    def send(entry):
        sense = entry["senses"][0]["id"]
        url = (
            f"{live_server.url}/api/dictionaries/demo/entries/{entry['id']}/senses/{sense}/pictures"
        )
        start.wait()
        with open(photo, "rb") as fh:
            answers.append(httpx.post(url, files={"file": ("p.jpg", fh)}, headers=auth, timeout=60))

    threads = [threading.Thread(target=send, args=(e,)) for e in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [201, 201], [a.text for a in answers]
    shas = {a.json()["senses"][0]["pictures"][0]["media"]["sha256"] for a in answers}
    assert len(shas) == 1
    session.rollback()
    assert session.exec(select(func.count()).select_from(Media)).scalar_one() == 1
