"""Render Wordkeep's icon (api/static/icons/icon.svg) to the PNG sizes and favicon.ico.

    .venv/bin/python scripts/make_icons.py [SVG] [OUT_DIR]

The SVG may use only <rect> (x, y, width, height, rx), <circle> (cx, cy, r) and <polygon>
(points), each with a `fill` colour, in a `viewBox` starting at 0 0: Pillow draws those shapes at
four times the size and scales down, so the output depends on Pillow alone (no SVG library, no
browser) and the same SVG always gives the same pixels. A dictionary's own icon (a file in
WORDKEEP_TEMPLATES_DIR/SLUG/, see README) can be made the same way from its own SVG.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "api" / "static" / "icons" / "icon.svg"
SIZES = {"icon-32.png": 32, "icon-180.png": 180, "icon-192.png": 192, "icon-512.png": 512}
ICO_SIZES = [(16, 16), (32, 32), (48, 48)]
SUPERSAMPLE = 4


def _tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def render(svg: Path, size: int) -> Image.Image:
    """The SVG drawn as a `size` x `size` RGBA picture."""
    root = ET.parse(svg).getroot()
    box = [float(v) for v in root.get("viewBox", "0 0 64 64").replace(",", " ").split()]
    if box[:2] != [0.0, 0.0] or box[2] != box[3]:
        raise ValueError(f"{svg}: the viewBox must be square and start at 0 0, not {box}")
    big = size * SUPERSAMPLE
    scale = big / box[2]
    picture = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    for element in root.iter():
        name = _tag(element)
        if name in ("svg", "title", "desc") or not isinstance(element.tag, str):
            continue
        fill = ImageColor.getrgb(element.get("fill", "#000"))
        num = lambda key, e=element: float(e.get(key, "0")) * scale  # noqa: E731
        if name == "rect":
            x, y = num("x"), num("y")
            corners = (x, y, x + num("width") - 1, y + num("height") - 1)
            draw.rounded_rectangle(corners, radius=num("rx"), fill=fill)
        elif name == "circle":
            cx, cy, r = num("cx"), num("cy"), num("r")
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
        elif name == "polygon":
            values = [float(v) * scale for v in element.get("points", "").replace(",", " ").split()]
            draw.polygon(list(zip(values[::2], values[1::2], strict=True)), fill=fill)
        else:
            raise ValueError(f"{svg}: <{name}> is not supported (only rect, circle, polygon)")
    return picture.resize((size, size), Image.Resampling.LANCZOS)


def make_all(svg: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, size in SIZES.items():
        path = out / name
        render(svg, size).save(path, format="PNG", optimize=True)
        written.append(path)
    ico = out / "favicon.ico"
    render(svg, 48).save(ico, format="ICO", sizes=ICO_SIZES)
    written.append(ico)
    return written


def main(argv: list[str]) -> int:
    svg = Path(argv[1]) if len(argv) > 1 else SVG
    out = Path(argv[2]) if len(argv) > 2 else svg.parent
    if not svg.is_file():
        print(f"{svg}: no such file", file=sys.stderr)
        return 2
    try:
        for path in make_all(svg, out):
            print(path)
    except (ValueError, ET.ParseError) as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
