"""Errors as `application/problem+json` (RFC 9457), with the same messages as the pages, in the request's language."""
from __future__ import annotations

from flask import Response, current_app, json, request
from werkzeug.exceptions import HTTPException

from ..services.errors import DomainError
from ..views.errors import DEFAULT_MESSAGES, TITLES

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://kotae.example/problems/"  # stable identifiers, not pages: RFC 9457 allows that


class ApiProblem(Exception):
    """An error the API itself raises (bad token, wrong scope, invalid input)."""

    def __init__(self, status: int, detail: str, kind: str | None = None, errors: list[dict] | None = None,
                 headers: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.kind, self.errors, self.headers = status, detail, kind, errors, headers


def problem(status: int, detail: str | None = None, kind: str | None = None, errors: list[dict] | None = None,
            headers: dict | None = None) -> Response:
    title = TITLES.get(status, TITLES[500])()
    body = {"type": TYPE_BASE + (kind or str(status)), "title": str(title), "status": status,
            "detail": str(detail or DEFAULT_MESSAGES.get(status, DEFAULT_MESSAGES[500])()),
            "instance": request.path}
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    response.headers.update(headers or {})
    return response


def from_exception(error: Exception) -> Response:
    """The problem document for any error raised while serving an API request."""
    if isinstance(error, ApiProblem):
        return problem(error.status, error.detail, error.kind, error.errors, error.headers)
    if isinstance(error, DomainError):
        field = [{"field": error.field, "message": str(error.message)}] if error.field else None
        return problem(error.status_code, str(error.message), errors=field)
    if isinstance(error, HTTPException):
        headers = {"Allow": error.response.headers["Allow"]} if error.code == 405 and error.response else None
        if error.code == 405 and headers is None and hasattr(error, "valid_methods") and error.valid_methods:
            headers = {"Allow": ", ".join(error.valid_methods)}
        return problem(error.code or 500, None, headers=headers)
    return problem(500)
