"""Fingerprinted static files: `url_for('static', ...)` adds `?v=<hash of the file>`, computed once at startup,
and a request naming the current hash is answered with a year-long, immutable lifetime. A new release changes
the hash, so browsers fetch the new file at once; a stale or missing `v` gets Flask's usual revalidation."""
import hashlib
from pathlib import Path

from flask import Flask, Response, request

IMMUTABLE = "public, max-age=31536000, immutable"
# Files other sites embed by a URL pasted once (the help widget): a fingerprint in that URL would pin the old file.
UNVERSIONED = ("widget/",)


def fingerprints(folder: Path) -> dict[str, str]:
    """Static path (as url_for names it) -> the first 12 hex digits of its content's SHA-256."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in sorted(folder.rglob("*")) if path.is_file()}


def init_app(app: Flask) -> None:
    versions = {name: digest for name, digest in fingerprints(Path(app.static_folder)).items()
                if not name.startswith(UNVERSIONED)}

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static":
            digest = versions.get(values.get("filename", ""))
            if digest:
                values.setdefault("v", digest)

    @app.after_request
    def long_lifetime(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            digest = versions.get((request.view_args or {}).get("filename", ""))
            if digest and request.args.get("v") == digest:
                response.headers["Cache-Control"] = IMMUTABLE
        return response
