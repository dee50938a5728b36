"""/admin/settings pages (placeholder: routes are added here)."""
from . import bp  # noqa: F401
