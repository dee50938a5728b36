"""Password hashing. The method is configurable so tests can use a cheap one."""
from werkzeug.security import check_password_hash, generate_password_hash

DEFAULT_METHOD = "scrypt"
_method = DEFAULT_METHOD


def configure(method: str | None) -> None:
    global _method
    _method = method or DEFAULT_METHOD


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_method)


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)
