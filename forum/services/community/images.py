"""Images for posts: check an upload, re-encode it with Pillow and record it.

Re-encoding keeps only the pixels: whatever else the file carried (EXIF with a location, text chunks, HTML or
script appended after the image, a second format hidden in the same bytes) is not in what we store and serve.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from ...extensions import db
from ...models import Upload, User
from ..errors import DomainError, Invalid

ACCEPTED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
# What each accepted format is stored as: an animated GIF keeps its first frame, as a PNG.
_OUTPUT = {"PNG": ("PNG", "png", "image/png"), "GIF": ("PNG", "png", "image/png"),
           "JPEG": ("JPEG", "jpg", "image/jpeg"), "WEBP": ("WEBP", "webp", "image/webp")}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


class TooLarge(DomainError):
    status_code = 413


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 2 * 1024 * 1024
    max_side: int = 4096
    max_pixels: int = 16_000_000

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(config["UPLOAD_MAX_BYTES"], config["UPLOAD_MAX_SIDE"], config["UPLOAD_MAX_PIXELS"])


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    extension: str
    content_type: str
    width: int
    height: int

    @property
    def name(self) -> str:
        return f"{hashlib.sha256(self.data).hexdigest()}.{self.extension}"


def _not_an_image() -> Invalid:
    return Invalid(_l("That file is not an image we accept. Use a PNG, JPEG, GIF or WebP image."), field="image")


def clean_image(data: bytes, limits: Limits) -> CleanImage:
    """The image in `data` re-encoded without metadata, or Invalid/TooLarge saying why it is refused."""
    if len(data) > limits.max_bytes:
        raise too_many_bytes(limits)
    if not data:
        raise _not_an_image()
    with warnings.catch_warnings():
        # Pillow warns (then raises, at twice the limit) on decompression bombs; both are refusals here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            _check_dimensions(image, limits)  # from the header, before any pixel is decoded
            image.seek(0)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(limits) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise _not_an_image() from None
    return _encode(image)


def too_many_bytes(limits: Limits) -> TooLarge:
    """The refusal of a file over the byte limit."""
    return TooLarge(_l("The image is too large: at most %(size)s.", size=_megabytes(limits.max_bytes)), field="image")


def _check_dimensions(image: Image.Image, limits: Limits) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise _not_an_image()
    if width > limits.max_side or height > limits.max_side or width * height > limits.max_pixels:
        raise _too_many_pixels(limits)


def _too_many_pixels(limits: Limits) -> TooLarge:
    return TooLarge(_l("The image is too large: at most %(side)d × %(side)d pixels.", side=limits.max_side),
                    field="image")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def _encode(image: Image.Image) -> CleanImage:
    pillow_format, extension, content_type = _OUTPUT[image.format]
    image = ImageOps.exif_transpose(image)  # a phone photo stays upright once its EXIF is gone
    options: dict = {}
    if pillow_format == "JPEG":
        image = image if image.mode in ("RGB", "L") else image.convert("RGB")
        options = {"quality": 85, "optimize": True}
    elif pillow_format == "WEBP":
        image = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
        options = {"quality": 85}
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
            image = image.convert("RGBA")
        options = {"optimize": True}
    # A fresh image holds only the pixels (and palette): no info, EXIF, ICC or text chunks are carried over.
    bare = Image.new(image.mode, image.size)
    bare.frombytes(image.tobytes())
    if image.mode == "P":
        bare.putpalette(image.getpalette())
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
    out = io.BytesIO()
    bare.save(out, format=pillow_format, **options)
    return CleanImage(out.getvalue(), extension, content_type, image.width, image.height)


def store_image(user: User, data: bytes, limits: Limits, storage) -> Upload:
    """Check, re-encode and store an image a member uploads; the record is flushed, not committed."""
    image = clean_image(data, limits)
    storage.save(image.name, image.data, image.content_type)
    upload = Upload(uploader_id=user.id, name=image.name, content_type=image.content_type, size=len(image.data),
                    width=image.width, height=image.height)
    db.session.add(upload)
    db.session.flush()
    return upload


def content_type(name: str) -> str | None:
    """The Content-Type a stored name is served with."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1]) if "." in name else None
