"""faq views (placeholder: routes are added here)."""
from flask import Blueprint

bp = Blueprint("faq", __name__)
