"""Branding: bilingual names with fallbacks, the accent's contrast rule, checked and re-encoded uploads, the audit."""
import io
import json

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from sqlalchemy import select

from forum.models import AuditLogEntry, Role, SiteSetting
from forum.services import brand_images, branding, colours
from forum.services.errors import Forbidden, Invalid
from tests.factories import make_user


def png(size=(64, 64), colour=(200, 30, 30, 255), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, colour).save(out, format="PNG", **save)
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 20), (10, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "Editor 1.0"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_contrast_ratios_match_wcag():
    assert colours.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert colours.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert colours.parse("#ABC") == "#aabbcc" and colours.parse("blue") is None


def test_defaults_say_kotae(db):
    brand = branding.get_branding()
    assert brand.name("ja") == brand.name("en") == "Kotae"
    assert brand.tagline("en") == "" and brand.palette() is None and brand.icon == ""


def test_names_fall_back_to_the_other_language(db):
    admin = make_user(role=Role.ADMIN)
    branding.save_branding(admin, name_ja="アクメ サポート", tagline_en="Help from  other customers ")
    db.session.commit()
    brand = branding.get_branding()
    assert brand.name("ja") == brand.name("en") == "アクメ サポート"
    assert brand.tagline("ja") == brand.tagline("en") == "Help from other customers"
    branding.save_branding(admin, name_ja="アクメ サポート", name_en="Acme Support")
    db.session.commit()
    assert branding.get_branding().name("en") == "Acme Support"


def test_a_low_contrast_accent_is_refused_with_its_ratio_and_a_passing_shade(db):
    admin = make_user(role=Role.ADMIN)
    with pytest.raises(Invalid) as refused:
        branding.save_branding(admin, accent="#ffcc00")
    message = str(refused.value.message)
    assert "#ffcc00" in message and "1.42:1" in message and "4.5:1" in message
    suggested = message.rsplit(" ", 1)[-1].rstrip(".")
    assert colours.contrast(suggested, "#ffffff") >= 4.5 and colours.contrast(suggested, "#f6f8fa") >= 4.5
    branding.save_branding(admin, accent=suggested)  # the suggestion is accepted as it is
    with pytest.raises(Invalid):
        branding.save_branding(admin, accent="not a colour")


def test_an_accepted_accent_keeps_aa_on_its_derived_tint(db):
    admin = make_user(role=Role.ADMIN)
    branding.save_branding(admin, accent="#0B6BCB")
    db.session.commit()
    palette = branding.get_branding().palette()
    assert palette["brand"] == "#0b6bcb"
    assert colours.contrast(palette["brand"], palette["brand-soft"]) >= 4.5
    assert colours.contrast(palette["brand-dark"], palette["brand-soft"]) >= 4.5


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MODERATOR])
def test_only_admins_change_the_branding(db, role):
    with pytest.raises(Forbidden):
        branding.save_branding(make_user(role=role), name_en="Mine now")
    assert db.session.scalar(select(SiteSetting)) is None


def test_a_change_is_audited_with_what_changed(db):
    admin = make_user(role=Role.ADMIN)
    branding.save_branding(admin, name_en="Acme", accent="#1a7f37")
    db.session.commit()
    entry = db.session.scalar(select(AuditLogEntry).filter_by(action="settings.branding"))
    assert entry.actor_id == admin.id
    assert json.loads(entry.detail)["changed"] == {"name_en": "Acme", "accent": "#1a7f37"}


def test_logo_is_re_encoded_without_metadata_or_trailing_bytes(db):
    admin = make_user(role=Role.ADMIN)
    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    upload = png(size=(800, 200), pnginfo=info) + b"<html><script>alert(2)</script></html>"
    brand = branding.save_branding(admin, logo=upload)
    stored = brand_images.path_of(brand.logo).read_bytes()
    assert b"script" not in stored and b"Comment" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "PNG" and image.size == (512, 128) and not image.info.get("Comment")
    # The favicon is made from the logo: a 32 px icon and a 180 px touch icon.
    assert Image.open(brand_images.path_of(f"{brand.icon}-32.png")).size == (32, 32)
    assert Image.open(brand_images.path_of(f"{brand.icon}-180.png")).size == (180, 180)


def test_exif_is_dropped_from_a_jpeg_favicon(db):
    admin = make_user(role=Role.ADMIN)
    brand = branding.save_branding(admin, favicon=jpeg_with_exif())
    stored = brand_images.path_of(f"{brand.favicon}-180.png").read_bytes()
    assert b"SecretCam" not in stored and b"Exif" not in stored


@pytest.mark.parametrize("upload, words", [
    (b"GIF89a not really", "PNG, JPEG or WebP"),
    (b"%PDF-1.4 a document", "PNG, JPEG or WebP"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG"),
    (png()[:60], "PNG, JPEG or WebP"),  # a truncated PNG
])
def test_uploads_that_are_not_safe_images_are_refused(db, upload, words):
    admin = make_user(role=Role.ADMIN)
    with pytest.raises(Invalid) as refused:
        branding.save_branding(admin, name_en="Acme", logo=upload)
    assert words in str(refused.value.message) and refused.value.field == "logo"
    assert db.session.scalar(select(SiteSetting)) is None


def test_a_gif_is_refused_even_when_pillow_reads_it(db):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="GIF")
    with pytest.raises(Invalid):
        branding.save_branding(make_user(role=Role.ADMIN), favicon=out.getvalue())


def test_a_too_large_upload_is_refused(db):
    upload = png() + b"\0" * brand_images.MAX_BYTES
    with pytest.raises(Invalid) as refused:
        branding.save_branding(make_user(role=Role.ADMIN), logo=upload)
    assert "512 KB" in str(refused.value.message)


def test_removing_the_logo_restores_the_default_mark(db):
    admin = make_user(role=Role.ADMIN)
    branding.save_branding(admin, logo=png())
    brand = branding.save_branding(admin, remove_logo=True)
    assert brand.logo == "" and brand.icon == ""


def test_only_our_file_names_are_served():
    assert brand_images.NAME.fullmatch("0123456789abcdef0123.png")
    for name in ("../secret_key", "0123456789abcdef0123.svg", "x.png", "0123456789abcdef0123-64.png"):
        assert not brand_images.NAME.fullmatch(name)
