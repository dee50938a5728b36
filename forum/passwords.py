"""Password hashing. The method is configurable so tests can use a cheap one."""
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

DEFAULT_METHOD = "scrypt"
_method = DEFAULT_METHOD


def configure(method: str | None) -> None:
    global _method
    _method = method or DEFAULT_METHOD


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_method)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check `password`; with no hash (an unknown user) check a dummy one, so both answers take the same time."""
    if password_hash is None:
        check_password_hash(_dummy_hash(_method), password)
        return False
    return check_password_hash(password_hash, password)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not anybody's password", method=method)
