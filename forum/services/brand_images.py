"""The uploaded logo and favicon: checked, re-encoded with Pillow and stored under a name made from their content.

Only PNG, JPEG and WebP are read (SVG is refused: it can carry script). Whatever comes in is decoded to pixels and
written out again as a fresh PNG, so metadata (EXIF, text chunks, colour profiles) and anything appended to the file
stay behind. Files are named by a hash of what is written (`<20 hex>.png`, `<20 hex>-32.png`, `<20 hex>-180.png`),
so a URL names one image forever and can be cached for a year.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import Invalid

MAX_BYTES = 512 * 1024
MAX_SIDE = 4096  # pixels: a larger image is refused before it is decoded
FORMATS = {"PNG", "JPEG", "WEBP"}
LOGO_BOX = (512, 128)  # the header shows it 28 px high: room for 4x screens and a wide word mark
ICON_SIZES = (32, 180)  # the favicon, and the apple-touch-icon home screens use
NAME = re.compile(r"[0-9a-f]{20}(-32|-180)?\.png")


def upload_folder() -> Path:
    """Where the images live: BRAND_UPLOAD_DIR, or instance/uploads/brand."""
    configured = current_app.config.get("BRAND_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "brand"


def _open(data: bytes, field: str) -> Image.Image:
    """The decoded image, or Invalid naming what is wrong with the upload."""
    if len(data) > MAX_BYTES:
        raise Invalid(_("The image is larger than %(max)d KB.", max=MAX_BYTES // 1024), field=field)
    head = data[:512].lstrip().lower()
    if head.startswith(b"<?xml") or b"<svg" in head:
        raise Invalid(_("SVG images are not accepted, since they can contain scripts: upload a PNG, JPEG or "
                        "WebP image."), field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise Invalid(_("Upload a PNG, JPEG or WebP image."), field=field)
            if max(image.size) > MAX_SIDE:
                raise Invalid(_("The image is larger than %(max)d × %(max)d pixels.", max=MAX_SIDE), field=field)
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise Invalid(_("Upload a PNG, JPEG or WebP image."), field=field) from None
    image = ImageOps.exif_transpose(image)  # a photo's "rotate me" note is applied, then dropped with the rest
    return image.convert("RGBA")


def _png(image: Image.Image) -> bytes:
    """Pixels only: a new image from the pixel data, saved with no metadata."""
    clean = Image.frombytes("RGBA", image.size, image.tobytes())
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _square(image: Image.Image, side: int) -> Image.Image:
    """The image fitted into a transparent square, centred."""
    fitted = ImageOps.contain(image, (side, side), Image.Resampling.LANCZOS)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(fitted, ((side - fitted.width) // 2, (side - fitted.height) // 2))
    return square


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def _write(name: str, data: bytes) -> None:
    """Write once, atomically (a reader never sees half a file); the same content has the same name."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if target.exists():
        return
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(temporary, target)


def store_logo(data: bytes) -> str:
    """Check, shrink to fit the header and store the logo; its file name."""
    image = _open(data, "logo")
    image = ImageOps.contain(image, LOGO_BOX, Image.Resampling.LANCZOS) if (
        image.width > LOGO_BOX[0] or image.height > LOGO_BOX[1]) else image
    png = _png(image)
    name = f"{_digest(png)}.png"
    _write(name, png)
    return name


def store_icons(data: bytes, field: str = "favicon") -> str:
    """Check the image and store it as a 32 px favicon and a 180 px touch icon; the hash both names start with."""
    image = _open(data, field)
    icons = {size: _png(_square(image, size)) for size in ICON_SIZES}
    stem = _digest(b"".join(icons.values()))
    for size, png in icons.items():
        _write(f"{stem}-{size}.png", png)
    return stem


def path_of(name: str) -> Path | None:
    """The stored file for a URL's name, or None when the name is not one of ours or the file is missing."""
    if not NAME.fullmatch(name or ""):
        return None
    path = upload_folder() / name
    return path if path.is_file() else None
