"""/admin/feedback pages (placeholder: routes are added here)."""
from . import bp  # noqa: F401
