"""Pictures: check an upload by decoding it with Pillow, and make the web copies learners see.

Nothing here trusts a file name or a declared content type: the kind of file is what Pillow finds
when it decodes the content, from a short list of formats. The web copies are made from pixels
only (upright, sRGB, WebP), so no EXIF, GPS, XMP or other metadata of the original reaches them.
"""

from __future__ import annotations

import io
import os
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pillow_heif
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from lexicon.errors import TooLarge, UnsupportedMedia

# iPhones (and many Android phones) save photos as HEIC: Pillow reads them through libheif
# (bundled in the pillow-heif wheel), which applies the container's rotation itself.
pillow_heif.register_heif_opener()

DEFAULT_MAX_PIXELS = 50_000_000
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Pillow format -> MIME type of an original of that kind. MPO is what many phones write: a JPEG
# with a second, hidden picture after it; browsers and every other tool read it as a JPEG.
FORMAT_MIME = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
    "HEIF": "image/heic",
}
# What Image.open may try (the JPEG opener is the one that answers "MPO").
ACCEPTED_FORMATS = tuple(f for f in FORMAT_MIME if f != "MPO")

# The web copies: widths for `srcset`; the default (served at the plain media URL) suits a phone.
WEB_WIDTHS = (320, 640, 1280)
DEFAULT_WIDTH = 640
WEB_MIME = "image/webp"
WEB_EXTENSION = "webp"
WEB_QUALITY = 80
WEB_PROFILE = "webp-q80-v1"  # part of derivative keys and ETags: change it when the recipe changes

# The copy print layouts embed: 20 cm at 300 dpi on its long side (a flashcard needs less).
PRINT_MAX_SIDE = 2400
PRINT_QUALITY = 88
PRINT_PROFILE = "print-2400-q88-v1"

_ORIENTATION = 0x0112
_PILLOW_LIMIT = threading.Lock()  # uploads take turns at setting it
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class NotAnImage(UnsupportedMedia):
    """The file does not decode as a picture of an accepted kind (JPEG, PNG, WebP, GIF, TIFF,
    HEIC)."""


class DamagedImage(UnsupportedMedia):
    """The picture's data is damaged or truncated and does not decode."""


class ImageTooLarge(TooLarge):
    """The picture has more pixels than the configured limit."""


class ImageFileTooLarge(TooLarge):
    """The picture file is bigger than the configured limit."""


@dataclass(frozen=True)
class ImageLimits:
    """Upload limits (settings WORDKEEP_MAX_UPLOAD_BYTES and WORDKEEP_MAX_IMAGE_PIXELS)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS


@dataclass(frozen=True)
class ImageInfo:
    """What decoding an original found. width/height are as shown (after EXIF orientation)."""

    format: str
    mime: str
    width: int
    height: int
    stored_width: int
    stored_height: int
    orientation: int
    mode: str


@dataclass(frozen=True)
class WebCopy:
    """One derived file (a web copy or the print copy) written to `path`."""

    path: Path
    width: int
    height: int
    size: int
    mime: str = WEB_MIME


@dataclass
class Decoded:
    info: ImageInfo
    image: Image.Image = field(repr=False)


def check_size(size: int, *, name: str, max_bytes: int) -> None:
    """Raise ImageFileTooLarge once `size` bytes is over the limit."""
    if size > max_bytes:
        raise ImageFileTooLarge(
            f"{name}: the file is bigger than the limit of {max_bytes:,} bytes",
            file=name,
            limit=max_bytes,
        )


def _too_many(name: str, width: int, height: int, max_pixels: int) -> ImageTooLarge:
    return ImageTooLarge(
        f"{name}: the picture is {width:,} x {height:,} pixels ({width * height:,}); "
        f"the limit is {max_pixels:,} pixels",
        file=name,
        limit=max_pixels,
    )


def decode(path: str | os.PathLike, *, name: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> Decoded:
    """Open and fully decode a picture, refusing what is not one, is damaged or is too big."""
    # Pillow's bomb check reads one process-wide limit: set ours for this open and decode only,
    # then put back what others (print, export) expect.
    with _PILLOW_LIMIT, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, max_pixels
        try:
            image = _open_and_load(path, name, max_pixels)
        finally:
            Image.MAX_IMAGE_PIXELS = saved
    orientation = _orientation(image)
    fmt = image.format or ""
    upright = _upright(image)
    info = ImageInfo(
        format=fmt,
        mime=FORMAT_MIME.get(fmt, "application/octet-stream"),
        width=upright.width,
        height=upright.height,
        stored_width=image.width,
        stored_height=image.height,
        orientation=orientation,
        mode=image.mode,
    )
    pixels = _web_pixels(upright, image.info.get("icc_profile"))
    image.close()  # a 50-megapixel photo holds hundreds of MB: free each step once used
    upright.close()
    return Decoded(info=info, image=pixels)


def _open_and_load(path, name: str, max_pixels: int) -> Image.Image:
    try:
        image = Image.open(path, formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(
            f"{name}: the picture has more pixels than the limit of {max_pixels:,}",
            file=name,
            limit=max_pixels,
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise NotAnImage(
            f"{name}: not a picture (accepted: JPEG, PNG, WebP, GIF, TIFF, BMP, HEIC)", file=name
        ) from exc
    width, height = image.size
    if width * height > max_pixels:  # Pillow only warns between 1x and 2x its limit
        image.close()
        raise _too_many(name, width, height, max_pixels)
    if width < 1 or height < 1:
        image.close()
        raise DamagedImage(f"{name}: the picture has no pixels", file=name)
    try:
        image.load()  # the whole decode: a truncated or corrupt file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        image.close()
        raise _too_many(name, width, height, max_pixels) from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        image.close()
        raise DamagedImage(
            f"{name}: the picture data is damaged or cut short ({exc})", file=name
        ) from exc
    return image


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - unreadable EXIF only means "no orientation"
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a broken EXIF block must not refuse a good picture
        return image.copy()


def _web_pixels(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB or RGBA pixels in sRGB, with nothing of the original's metadata attached."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    mode = "RGBA" if alpha else "RGB"
    converted = None
    if icc:
        try:  # phones often shoot Display P3: convert, since the web copy carries no profile
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            inp = image if image.mode in ("RGB", "RGBA", "CMYK", "L") else image.convert(mode)
            converted = ImageCms.profileToProfile(
                inp, source, _SRGB, outputMode=mode if inp.mode != "L" else "RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None
    if converted is None:
        converted = image.convert(mode)
    if converted.mode == "RGBA" and converted.getextrema()[3][0] == 255:
        converted = converted.convert("RGB")  # fully opaque: no alpha channel to carry
    # `convert` made a new image; dropping `info` leaves none of the original's EXIF, XMP, ICC
    # profile or comments on it, and the encoder is given none either (make_web_copies).
    converted.info = {}
    return converted


def web_widths(width: int, widths: tuple[int, ...] = WEB_WIDTHS) -> list[int]:
    """The widths to make for a picture `width` pixels wide (never enlarged)."""
    return sorted({min(w, width) for w in widths})


def default_width(widths: list[int]) -> int:
    """The width served at the plain media URL: the largest up to DEFAULT_WIDTH."""
    fitting = [w for w in widths if w <= DEFAULT_WIDTH]
    return max(fitting) if fitting else min(widths)


def make_web_copies(decoded: Decoded, folder: str | os.PathLike) -> list[WebCopy]:
    """Write the WebP copies of a decoded picture into `folder`, smallest first."""
    image = decoded.image
    made = []
    source = image
    for width in sorted(web_widths(image.width), reverse=True):
        height = max(1, round(image.height * width / image.width))
        # Each copy from the next larger one: far less work, and no visible difference.
        if (width, height) != source.size:
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        path = Path(folder, f"w{width}.{WEB_EXTENSION}")
        source.info = {}
        source.save(path, "WEBP", quality=WEB_QUALITY, method=4, exif=b"", xmp=b"")
        made.append(WebCopy(path=path, width=width, height=height, size=path.stat().st_size))
    return sorted(made, key=lambda c: c.width)


def make_print_copy(decoded: Decoded, folder: str | os.PathLike) -> WebCopy:
    """Write the copy print layouts embed into `folder`: upright, sRGB, no metadata, at most
    PRINT_MAX_SIDE pixels on its long side; JPEG (embedded in PDFs as it is), or PNG when the
    picture has transparency."""
    image = decoded.image
    scale = min(1.0, PRINT_MAX_SIDE / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    copy = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
    copy.info = {}
    if copy.mode == "RGBA":
        path, mime = Path(folder, "print.png"), "image/png"
        copy.save(path, "PNG")
    else:
        path, mime = Path(folder, "print.jpg"), "image/jpeg"
        copy.save(path, "JPEG", quality=PRINT_QUALITY, optimize=True)
    return WebCopy(path=path, width=size[0], height=size[1], size=path.stat().st_size, mime=mime)
