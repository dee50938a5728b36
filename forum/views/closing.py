"""closing views (placeholder: routes are added here)."""
from flask import Blueprint

bp = Blueprint("closing", __name__)
