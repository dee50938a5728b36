"""moderation views (placeholder: routes are added here)."""
from flask import Blueprint

bp = Blueprint("moderation", __name__)
