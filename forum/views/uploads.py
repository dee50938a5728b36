"""Images for posts: the upload the editor's toolbar, paste and drop use, and the stored files."""
from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..services.community import images
from ..services.errors import Invalid
from ..storage import NAME, storage
from ._common import limit

bp = Blueprint("uploads", __name__, url_prefix="/uploads")

# A stored file never changes (its name is its SHA-256), and it is never a page: nothing in it may run.
SERVE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
    "Cache-Control": "public, max-age=31536000, immutable",
}
FORM_OVERHEAD = 64 * 1024  # multipart boundaries, headers and the CSRF field around the file


@bp.post("/images")
@limit("UPLOAD_RATE_LIMIT")
def upload_image():
    """Store one image (the form field `image`) and answer with its URL (and size) as JSON."""
    if not current_user.is_authenticated:
        abort(401)
    limits = images.Limits.from_config(current_app.config)
    if (request.content_length or 0) > limits.max_bytes + FORM_OVERHEAD:  # refused before the body is parsed
        raise images.too_many_bytes(limits)
    file = request.files.get("image")
    if file is None:
        raise Invalid(_("Choose an image to upload."), field="image")
    upload = images.store_image(current_user, file.stream.read(limits.max_bytes + 1), limits, storage())
    url = url_for("uploads.serve", name=upload.name)  # relative: what the Markdown allow-list accepts
    return jsonify(url=url, name=upload.name, width=upload.width, height=upload.height), 201


@bp.get("/<name>")
def serve(name: str):
    """A stored image, with headers that let a browser show it and nothing else."""
    data = storage().load(name) if NAME.match(name) else None
    if data is None:
        abort(404)
    response = Response(data, mimetype=images.content_type(name), headers=SERVE_HEADERS)
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
