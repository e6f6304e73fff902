"""The site icon: /favicon.ico and the sizes answer, pages link them, the PNGs are the SVG's
rendering (scripts/make_icons.py), and a dictionary can bring its own icon."""

from __future__ import annotations

import importlib.util
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "api" / "static" / "icons"
spec = importlib.util.spec_from_file_location("make_icons", ROOT / "scripts" / "make_icons.py")
make_icons = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_icons)


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"] == "image/x-icon"
    ico = Image.open(io.BytesIO(response.content))
    assert ico.format == "ICO" and (32, 32) in ico.info["sizes"]
    touch = client.get("/apple-touch-icon.png")
    assert touch.status_code == 200 and Image.open(io.BytesIO(touch.content)).size == (180, 180)


@pytest.mark.parametrize("path", ["/", "/d/demo/", "/d/demo/browse", "/login"])
def test_pages_link_icons_that_answer(client, dictionary, path):
    html = client.get(path).text
    links = re.findall(r'<link rel="(icon|apple-touch-icon)" href="([^"]+)"', html)
    assert {rel for rel, _ in links} == {"icon", "apple-touch-icon"}
    assert any(href.endswith(".svg") for _, href in links), links
    for _, href in links:
        response = client.get(href)
        assert response.status_code == 200, href
        assert response.headers["content-type"].startswith(("image/", "image/svg+xml")), href


def test_committed_pngs_are_the_svg_rendered(tmp_path):
    """The shipped PNG/ICO files are what scripts/make_icons.py makes from icon.svg."""
    made = make_icons.make_all(ICONS / "icon.svg", tmp_path)
    assert {p.name for p in made} == {"favicon.ico", *make_icons.SIZES}
    for name, size in make_icons.SIZES.items():
        shipped, fresh = Image.open(ICONS / name), Image.open(tmp_path / name)
        assert shipped.size == (size, size) and shipped.mode == "RGBA"
        assert shipped.tobytes() == fresh.tobytes(), f"{name}: run scripts/make_icons.py"


def test_make_icons_refuses_what_it_cannot_draw(tmp_path):
    svg = tmp_path / "bad.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><path d="M0 0"/></svg>'
    )
    with pytest.raises(ValueError, match=r"bad.svg: <path> is not supported"):
        make_icons.make_all(svg, tmp_path / "out")
    assert not (tmp_path / "out" / "icon-32.png").exists()


def test_a_dictionary_brings_its_own_icon(settings, engine, dictionary, tmp_path):
    own = tmp_path / "overrides" / "demo"
    own.mkdir(parents=True)
    (own / "icon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><!-- demo --></svg>')
    app = create_app(
        settings.model_copy(update={"templates_dir": str(tmp_path / "overrides")}), engine=engine
    )
    with TestClient(app) as client:
        assert 'href="/d/demo/icons/icon.svg"' in client.get("/d/demo/").text
        assert "<!-- demo -->" in client.get("/d/demo/icons/icon.svg").text
        shipped = (ICONS / "icon.svg").read_bytes()
        assert client.get("/d/other/icons/icon.svg").content == shipped  # no override: shipped
        png = client.get("/d/demo/icons/icon-192.png")  # not overridden: the shipped size
        assert png.status_code == 200 and png.content == (ICONS / "icon-192.png").read_bytes()
        assert client.get("/d/demo/icons/secret.txt").status_code == 404
        assert client.get("/d/demo/icons/..%2F..%2Fsettings.py").status_code == 404
        assert client.get("/d/..%2Fdemo/icons/icon.svg").status_code == 404
