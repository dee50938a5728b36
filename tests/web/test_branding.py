"""/admin/settings/branding and where the branding shows: titles, header, footer, link previews, e-mails, the
widget's config, the accent stylesheet and the uploaded images."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from forum.models import AuditLogEntry, Role
from forum.services import branding
from forum.services.outreach import mail
from tests.factories import make_answer, make_question, make_user
from tests.helpers import csrf_token, login, post_form, question_url, text

SETTINGS = "/admin/settings/branding"


def png(size=(120, 40), colour=(20, 90, 160, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, colour).save(out, format="PNG")
    return out.getvalue()


def brand_it(db, **values):
    admin = make_user(role=Role.ADMIN)
    values = {"name_ja": "アクメ サポート", "name_en": "Acme Support", "tagline_en": "Customers helping customers",
              "accent": "#1a7f37"} | values
    branding.save_branding(admin, **values)
    db.session.commit()
    return admin


@pytest.mark.parametrize("role, status", [(None, 403), (Role.MEMBER, 403), (Role.MODERATOR, 403), (Role.ADMIN, 200)])
def test_the_settings_page_is_for_admins(client, db, role, status):
    if role is not None:
        login(client, make_user(role=role))
    assert client.get(SETTINGS).status_code == status


def test_moderators_do_not_see_the_link(client, db):
    login(client, make_user(role=Role.MODERATOR))
    assert SETTINGS not in text(client.get("/admin/webhooks"))


def test_saving_needs_the_csrf_token(client, db):
    login(client, make_user(role=Role.ADMIN))
    assert client.post(SETTINGS, data={"name_en": "Forged"}).status_code == 400
    assert branding.get_branding().name("en") == "Kotae"


def test_an_admin_saves_the_branding_with_a_logo(client, db):
    login(client, make_user(role=Role.ADMIN))
    data = {"csrf_token": csrf_token(client, SETTINGS), "name_ja": "アクメ サポート", "name_en": "Acme Support",
            "tagline_ja": "", "tagline_en": "Customers helping customers", "accent": "#1A7F37",
            "logo": (io.BytesIO(png()), "logo.png")}
    response = client.post(SETTINGS, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    page = text(client.get(SETTINGS))
    assert "Branding saved." in page and 'value="Acme Support"' in page
    logo = re.search(r'class="brand-logo" src="(/brand/[0-9a-f]{20}\.png)"', page).group(1)
    image = client.get(logo)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Disposition"] == "inline"
    assert "immutable" in image.headers["Cache-Control"]
    assert re.search(r'<link rel="icon" href="/brand/[0-9a-f]{20}-32\.png"', page)
    assert re.search(r'<link rel="apple-touch-icon" href="/brand/[0-9a-f]{20}-180\.png"', page)
    assert db.session.scalar(select(AuditLogEntry.action)) == "settings.branding"


def test_a_refused_colour_and_an_svg_logo_show_why(client, db):
    login(client, make_user(role=Role.ADMIN))
    data = {"csrf_token": csrf_token(client, SETTINGS), "name_en": "Acme", "accent": "#99ccff"}
    response = client.post(SETTINGS, data=data)
    assert response.status_code == 400 and "4.5:1" in text(response) and "A darker shade that passes" in text(response)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    data = {"csrf_token": csrf_token(client, SETTINGS), "name_en": "Acme", "logo": (io.BytesIO(svg), "logo.svg")}
    response = client.post(SETTINGS, data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "SVG images are not accepted" in text(response)
    assert branding.get_branding().name("en") == "Kotae"


def test_the_name_replaces_kotae_everywhere_on_the_pages(client, db):
    question = make_question(title="Sync stops after five minutes on Windows")
    make_answer(question)
    brand_it(db)
    for url in ("/questions", question_url(question), "/faq", "/help/guidelines", "/tags", "/login"):
        page = text(client.get(url))
        assert "Kotae" not in page, url
        assert re.search(r"<title>.* - Acme Support</title>", page), url
    page = text(client.get("/questions"))
    assert '<span class="brand-name">Acme Support</span>' in page
    assert '<span class="brand-sub">Customers helping customers</span>' in page
    assert "Acme Support · Customers helping customers" in page  # the footer
    assert '<meta property="og:site_name" content="Acme Support">' in page


def test_japanese_readers_see_the_japanese_name(client, db):
    brand_it(db)
    page = text(client.get("/questions", headers={"Accept-Language": "ja"}))
    assert '<span class="brand-name">アクメ サポート</span>' in page and "- アクメ サポート</title>" in page
    # No Japanese tagline was set: the English one stands in for it.
    assert '<span class="brand-sub">Customers helping customers</span>' in page


def test_without_settings_the_site_is_kotae(client, db):
    page = text(client.get("/questions"))
    assert "- Kotae</title>" in page and '<span class="brand-name">Kotae</span>' in page
    assert "/brand.css" not in page and "img/favicon.svg" in page


def test_a_change_drops_cached_pages_at_once(client, db):
    reader = client.application.test_client()
    assert reader.get("/questions").headers["X-Cache"] == "miss"
    assert reader.get("/questions").headers["X-Cache"] == "hit"
    brand_it(db)
    after = reader.get("/questions")
    assert after.headers["X-Cache"] == "miss" and "Acme Support" in text(after)


def test_the_accent_stylesheet(client, db):
    brand_it(db)
    page = text(client.get("/questions"))
    href = re.search(r'<link rel="stylesheet" href="(/brand\.css\?v=[0-9a-f]{12})">', page).group(1)
    css = client.get(href)
    assert css.mimetype == "text/css" and "--brand:#1a7f37" in text(css)
    assert "immutable" in css.headers["Cache-Control"]
    assert client.get("/brand.css?v=old").headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("name", ["..%2Fsecret_key", "0123456789abcdef0123.png", "logo.svg"])
def test_unknown_images_are_404(client, db, name):
    assert client.get(f"/brand/{name}").status_code == 404


def test_e_mail_subjects_and_bodies_carry_the_name(app, db):
    brand_it(db)
    english, japanese = make_user(), make_user()
    japanese.locale = "ja"
    with app.test_request_context("/"):
        subject, body = mail.render(english, "password_reset", link="https://example.com/x", minutes=30)
        assert subject.startswith("[Acme Support] ") and "your Acme Support account" in body
        assert "Kotae" not in subject + body
        subject, _body = mail.render(japanese, "password_reset", link="https://example.com/x", minutes=30)
        assert subject.startswith("[アクメ サポート] ")


def test_the_widget_config_names_the_community(client, db):
    assert client.get("/api/v1/widget").get_json()["site_name"] == "Kotae"
    brand_it(db)
    config = client.get("/api/v1/widget", headers={"Accept-Language": "ja"}).get_json()
    assert config["site_name"] == "アクメ サポート" and config["accent"] == "#1a7f37"


def test_admins_find_the_page_in_the_staff_menu(client, db):
    login(client, make_user(role=Role.ADMIN))
    assert 'href="/admin/settings/branding"' in text(client.get("/admin/settings/hours"))
    response = post_form(client, SETTINGS, {"name_en": "", "name_ja": "", "accent": ""}, page=SETTINGS)
    assert response.status_code == 302


def test_the_sender_is_named_after_the_site_unless_configured(app, db):
    assert mail.from_header() == "Kotae <noreply@localhost>"
    brand_it(db)
    assert mail.from_header() == "Acme Support <noreply@localhost>"
    app.config["MAIL_DEFAULT_SENDER"] = "Help Desk <help@example.com>"
    assert mail.from_header() == "Help Desk <help@example.com>"


def test_an_error_page_renders_when_the_branding_cannot_be_read(client, db, monkeypatch):
    def unavailable():
        raise OperationalError("SELECT", {}, Exception("database is away"))
    monkeypatch.setattr(branding, "get_branding", unavailable)
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "- Kotae</title>" in text(response)
