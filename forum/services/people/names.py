"""How a member is named on pages and in e-mail: their username, or "deleted user 12" once the account is gone."""
from flask_babel import gettext as _


def display_name(user) -> str:
    """The name to show for `user`, in the reader's language for deleted accounts (which keep no name)."""
    if user is None:
        return ""
    if user.deleted_at is not None:
        return _("deleted user %(id)d", id=user.id)
    return user.username
