"""feedback views (placeholder: routes are added here)."""
from flask import Blueprint

bp = Blueprint("feedback", __name__)
