"""The FAQ, tags, public profiles, "did this solve your problem?" and who a token belongs to."""
from __future__ import annotations

from flask import g, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from spectree import Response

from ..extensions import db
from ..models import FaqStatus, User, utcnow
from ..services import branding, business_hours, site_settings
from ..services.community import tags as tag_service
from ..services.errors import NotFound
from ..services.faq import entries
from ..services.insights import feedback
from ..services.people import users
from ..services.reputation import badges
from . import auth, bp, endpoint, present
from .problems import ApiProblem
from .schemas import (
    FaqEntryOut, FaqOut, FeedbackIn, FeedbackOut, MeOut, Problem, ProfileOut, TagList, TagsQuery, WidgetOut,
)


@bp.get("/faq")
@endpoint(resp=Response(HTTP_200=FaqOut), tags=["faq"])
def faq():
    """Every published FAQ entry, by category in the order staff arranged them."""
    sections = entries.published_sections()
    return {"categories": [{
        "id": section.category.id if section.category else None,
        "name": section.category.display_name(str(get_locale() or "en")) if section.category else _("Other questions"),
        "description": section.category.description if section.category else "",
        "entries": [present.faq_entry(entry) for entry in section.entries]} for section in sections]}


@bp.get("/faq/<int:entry_id>")
@endpoint(resp=Response(HTTP_200=FaqEntryOut, HTTP_404=Problem), tags=["faq"])
def faq_entry(entry_id: int):
    """One published FAQ entry."""
    entry = entries.load_entry_page(entry_id)
    if entry is None or entry.status != FaqStatus.PUBLISHED:
        raise NotFound(_("There is no such FAQ entry."))
    return present.faq_entry(entry)


@bp.get("/tags")
@endpoint(query=TagsQuery, resp=Response(HTTP_200=TagList, HTTP_400=Problem), tags=["community"])
def list_tags(query: TagsQuery):
    """Tags in use, most used first (or by name), optionally filtered by part of the name."""
    page = db.paginate(tag_service.tags_query(query.filter, query.sort), page=query.page, per_page=query.per_page,
                       error_out=False, max_per_page=100)
    items = [{"name": tag.name, "question_count": tag.question_count,
              "url": present.link(f"/questions/tagged/{tag.name}")} for tag in page.items]
    return {"items": items, "page": query.page, "per_page": query.per_page, "total": page.total or 0,
            "has_next": page.has_next}


@bp.get("/users/<int:user_id>")
@endpoint(resp=Response(HTTP_200=ProfileOut, HTTP_404=Problem), tags=["community"])
def profile(user_id: int):
    """A member's public profile (never the e-mail address or anything private)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("There is no such member."))
    stats = users.profile_stats(user)
    held = badges.profile_badges(user)
    return {**present.user_ref(user), "about_html": user.about_html or "", "created_at": user.created_at,
            "question_count": stats.questions, "answer_count": stats.answers,
            "badges": {str(tier): count for tier, _label, count in held.tiers}}


@bp.post("/feedback")
@endpoint(json=FeedbackIn, resp=Response(HTTP_200=FeedbackOut, HTTP_400=Problem, HTTP_401=Problem,
                                         HTTP_404=Problem, HTTP_429=Problem),
          tags=["faq"], security=[{"bearer": []}, {}])
def give_feedback(json: FeedbackIn):
    """"Did this solve your problem?" for an FAQ entry or a thread: one changeable answer per member (any token)
    or per anonymous visitor (the help widget sends its random visitor id as `X-Kotae-Visitor`)."""
    key, _source = auth.visitor()
    if key is None:
        raise ApiProblem(401, _("Send a personal token, or a visitor id as X-Kotae-Visitor."), "token")
    row = feedback.record_feedback(json.target_type, json.target_id, key, json.outcome, user=g.get("api_user"))
    return {"target_type": row.target_type, "target_id": row.target_id, "outcome": row.outcome}


@bp.get("/widget")
@endpoint(resp=Response(HTTP_200=WidgetOut), tags=["widget"])
def widget():
    """What the help widget needs besides search: whether support answers now, how to reach it, where to ask, and
    the community's name and accent colour."""
    hours = site_settings.get_support_hours()
    settings = site_settings.get_widget_settings()
    brand = branding.get_branding()
    open_now = business_hours.is_open(utcnow(), hours)
    locale = str(get_locale() or "en")
    return {"support_open": open_now, "contact_url": settings.contact_url or None,
            "support_hours": site_settings.support_summary(locale),
            "ask_url": present.link(url_for("questions.ask")), "site_name": brand.name(locale),
            "accent": brand.accent or None}


@bp.get("/me")
@auth.requires("read")
@endpoint(resp=Response(HTTP_200=MeOut, HTTP_401=Problem), tags=["community"], security=[{"bearer": []}])
def me():
    """The member and token making this request."""
    token = g.api_token
    return {"user": present.user_ref(token.user), "token_name": token.name, "scope": token.scope,
            "expires_at": token.expires_at}
