"""Where uploaded images are kept: a folder (the default, under the instance folder) or an S3-compatible bucket.

Files are content-addressed (`<sha256>.<ext>`), written once and never changed, so saving a name that exists
is a no-op and every copy of a name is the same bytes. The app serves them itself at /uploads/<name>
(forum/views/uploads.py), with headers that keep a browser from treating them as anything but an image.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

# What a stored name looks like; anything else is refused before it reaches a folder or a bucket key.
NAME = re.compile(r"[0-9a-f]{64}\.(?:png|jpg|gif|webp)\Z")


class ImageStorage(Protocol):
    def save(self, name: str, data: bytes, content_type: str) -> None:
        """Store `data` under `name` (nothing to do when it is there already)."""

    def load(self, name: str) -> bytes | None:
        """The stored bytes, or None when there is no such file."""


class LocalStorage:
    """Files in one folder, written through a temporary file so a reader never sees half an image."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def _path(self, name: str) -> Path:
        if not NAME.match(name):
            raise ValueError(f"not a stored image name: {name!r}")
        return self.folder / name

    def save(self, name: str, data: bytes, content_type: str) -> None:
        path = self._path(name)
        if path.exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except (FileNotFoundError, ValueError):
            return None


class S3Storage:
    """Objects in a bucket of an S3-compatible service (AWS S3, MinIO, Cloudflare R2...), through a boto3
    client (or anything with the same put_object/get_object methods, such as the tests' fake)."""

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _key(self, name: str) -> str:
        if not NAME.match(name):
            raise ValueError(f"not a stored image name: {name!r}")
        return self.prefix + name

    def save(self, name: str, data: bytes, content_type: str) -> None:
        # Same name, same bytes: writing again is harmless, and cheaper than asking first.
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data, ContentType=content_type,
                               CacheControl="public, max-age=31536000, immutable")

    def load(self, name: str) -> bytes | None:
        try:
            key = self._key(name)
        except ValueError:
            return None
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except Exception as error:  # botocore's ClientError; the fake raises one shaped alike
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        return response["Body"].read()


def s3_client(config):
    """A boto3 client from the UPLOAD_S3_* settings (boto3 is only needed when this storage is chosen)."""
    try:
        import boto3
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise RuntimeError("UPLOAD_STORAGE=s3 needs boto3: pip install 'kotae[s3]'") from error
    options = {"endpoint_url": config.get("UPLOAD_S3_ENDPOINT_URL") or None,
               "region_name": config.get("UPLOAD_S3_REGION") or None}
    if config.get("UPLOAD_S3_ACCESS_KEY_ID"):
        options["aws_access_key_id"] = config["UPLOAD_S3_ACCESS_KEY_ID"]
        options["aws_secret_access_key"] = config.get("UPLOAD_S3_SECRET_ACCESS_KEY")
    return boto3.client("s3", **options)


def make_storage(app: Flask) -> ImageStorage:
    """The storage UPLOAD_STORAGE names."""
    kind = app.config.get("UPLOAD_STORAGE", "local")
    if kind == "local":
        return LocalStorage(app.config.get("UPLOAD_FOLDER") or Path(app.instance_path) / "uploads")
    if kind == "s3":
        if not app.config.get("UPLOAD_S3_BUCKET"):
            raise RuntimeError("UPLOAD_STORAGE=s3 needs UPLOAD_S3_BUCKET")
        return S3Storage(s3_client(app.config), app.config["UPLOAD_S3_BUCKET"], app.config.get("UPLOAD_S3_PREFIX", ""))
    raise RuntimeError(f"UPLOAD_STORAGE must be 'local' or 's3', not {kind!r}")


def init_app(app: Flask) -> None:
    app.extensions["kotae_uploads"] = make_storage(app)


def storage() -> ImageStorage:
    """The app's upload storage."""
    return current_app.extensions["kotae_uploads"]
