"""The OpenAPI document and a readable reference page, both served by the app (no CDN, no script)."""
from __future__ import annotations

import json

from flask import current_app, jsonify, render_template

from . import bp, problems, spec


def document() -> dict:
    """The OpenAPI 3.1 document spectree builds from the decorated views (once per process), with this site's
    address as its server."""
    built = _with_problem_media_type(spec.spec)
    base = (current_app.config.get("SITE_URL") or "").rstrip("/")
    built["servers"] = [{"url": base or "/"}]  # the paths carry /api/v1 themselves
    return built


def _with_problem_media_type(source: dict) -> dict:
    """spectree documents every body as application/json; errors are sent as application/problem+json."""
    built = json.loads(json.dumps(source))  # a deep copy: the cached original stays as spectree made it
    for methods in built["paths"].values():
        for operation in methods.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.startswith(("4", "5")) and "application/json" in content:
                    content[problems.MEDIA_TYPE] = content.pop("application/json")
    return built


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/docs")
def reference():
    """Every operation with its parameters, body and responses, rendered from the same document."""
    built = document()
    operations = [(path, method.upper(), operation) for path, methods in built["paths"].items()
                  for method, operation in methods.items()]
    return render_template("api/docs.html", doc=built, operations=operations,
                           schemas=built.get("components", {}).get("schemas", {}))
