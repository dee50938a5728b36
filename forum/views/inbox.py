"""inbox views (placeholder: routes are added here)."""
from flask import Blueprint

bp = Blueprint("inbox", __name__)
