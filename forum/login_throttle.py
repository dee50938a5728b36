"""Failed sign-ins are limited per address, per account on one address, and per account from everywhere.

Only failures count (a success gives its attempt back), so a user who types the right password is not refused for
someone else's mistakes from the same office address; and the per-account limit on one address is short, so an
attacker who fails against a real user's name from one address locks out that address, not the user. The counters
sit in Flask-Limiter's storage, which every worker shares (see forum/ratelimit_store.py), and each attempt is
counted before the password is checked, so concurrent guesses cannot slip past the limit.
"""
import hashlib
import time

from flask import current_app
from limits import RateLimitItem, parse_many

from .extensions import limiter

SCOPES = (
    # (config key, what the counter is keyed on)
    ("LOGIN_RATE_LIMIT", ("address",)),
    ("LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT", ("account", "address")),
    ("LOGIN_ACCOUNT_RATE_LIMIT", ("account",)),
)


def account_key(user_id: int | None, typed_login: str) -> str:
    """Known accounts by id (username and e-mail share a counter); unknown names by a hash of what was typed."""
    if user_id is not None:
        return f"user-{user_id}"
    return "name-" + hashlib.sha256(typed_login.strip().lower().encode()).hexdigest()[:32]


def _counters(account: str, address: str):
    values = {"account": account, "address": address or "unknown"}
    for config_key, keyed_on in SCOPES:
        for item in parse_many(current_app.config[config_key]):
            yield item, ("login-failures", config_key, *(values[name] for name in keyed_on))


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED")) and limiter.enabled


def charge(account: str, address: str) -> int | None:
    """Count a sign-in attempt; None if it may go ahead, else the seconds until the tightest full limit resets."""
    if not _enabled():
        return None
    waits = []
    for item, identifiers in _counters(account, address):
        if not limiter.limiter.hit(item, *identifiers):
            waits.append(_seconds_left(item, identifiers))
    return max(waits) if waits else None


def forgive(account: str, address: str) -> None:
    """The password was right: give the attempt back, so only failures use up the limits."""
    if not _enabled():
        return
    for item, identifiers in _counters(account, address):
        if limiter.limiter.get_window_stats(item, *identifiers).remaining < item.amount:
            limiter.limiter.hit(item, *identifiers, cost=-1)


def _seconds_left(item: RateLimitItem, identifiers) -> int:
    reset_at = limiter.limiter.get_window_stats(item, *identifiers).reset_time
    return max(1, int(reset_at - time.time()) + 1)
