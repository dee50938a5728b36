"""Uploaded images: only real PNG/JPEG/GIF/WebP images within the limits are kept, re-encoded with nothing but
their pixels, under a content-addressed name, with a record of who sent them."""
import io
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import select

from forum.models import Upload
from forum.services.community.images import Limits, TooLarge, clean_image, store_image
from forum.services.errors import Invalid
from forum.storage import LocalStorage
from tests.factories import make_user
from tests.images import exif_with_location, gif, jpeg, png

LIMITS = Limits(max_bytes=200_000, max_side=1000, max_pixels=500_000)


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_png_stays_png_and_loses_its_text_chunks():
    original = png(text={"Comment": "<script>alert(1)</script>", "Author": "someone"})
    image = clean_image(original, LIMITS)
    assert (image.extension, image.content_type, image.width, image.height) == ("png", "image/png", 8, 6)
    assert b"<script" not in image.data and b"someone" not in image.data
    result = opened(image.data)
    assert result.format == "PNG" and result.getpixel((0, 0))[:3] == (200, 30, 30)
    assert not {"Comment", "Author"} & set(result.info)


def test_jpeg_is_reencoded_without_exif():
    original = jpeg(exif=exif_with_location())
    assert b"SecretCam" in original
    image = clean_image(original, LIMITS)
    assert (image.extension, image.content_type) == ("jpg", "image/jpeg")
    assert b"SecretCam" not in image.data and b"Exif" not in image.data
    assert not opened(image.data).getexif()


def test_animated_gif_keeps_its_first_frame_as_png():
    image = clean_image(gif(frames=3), LIMITS)
    assert image.extension == "png"
    assert getattr(opened(image.data), "n_frames", 1) == 1


def test_html_after_the_image_is_dropped():
    polyglot = png() + b"<html><script>alert(document.cookie)</script></html>"
    image = clean_image(polyglot, LIMITS)
    assert b"<script" not in image.data and b"<html" not in image.data


@pytest.mark.parametrize("data", [
    b"<html><script>alert(1)</script></html>",
    b"%PDF-1.4 not an image",
    b"",
    png()[:40],  # a truncated PNG
    b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    b"BM" + b"\0" * 60,  # a BMP header: a real format, but not one we take
], ids=["html", "pdf", "empty", "truncated", "svg", "bmp"])
def test_what_is_not_an_accepted_image_is_refused(data):
    with pytest.raises(Invalid) as refused:
        clean_image(data, LIMITS)
    assert "not an image we accept" in str(refused.value.message)


def test_a_file_over_the_byte_limit_is_refused():
    with pytest.raises(TooLarge) as refused:
        clean_image(b"\x89PNG" + b"\0" * 300_000, LIMITS)
    assert refused.value.status_code == 413
    assert "at most" in str(refused.value.message)


def test_an_image_over_the_side_limit_is_refused():
    with pytest.raises(TooLarge):
        clean_image(png(size=(1001, 2)), LIMITS)


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture (the pixels would take gigabytes)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(TooLarge):
        clean_image(_bomb_png(60_000, 60_000), Limits(max_bytes=200_000, max_side=100_000, max_pixels=10**12))
    with pytest.raises(TooLarge):
        clean_image(_bomb_png(900, 900), LIMITS)  # within the side limit, over the pixel limit


def test_store_image_saves_once_per_content_and_records_each_upload(app, db, tmp_path):
    user = make_user()
    storage = LocalStorage(tmp_path / "uploads")
    first = store_image(user, png(), LIMITS, storage)
    second = store_image(user, png(), LIMITS, storage)
    db.session.commit()
    assert first.name == second.name and first.name.endswith(".png") and len(first.name) == 68
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == [first.name]
    rows = db.session.scalars(select(Upload).where(Upload.uploader_id == user.id)).all()
    assert len(rows) == 2 and rows[0].size == len(storage.load(first.name)) and rows[0].width == 8
