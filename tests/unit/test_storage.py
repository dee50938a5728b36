"""Upload storage: a folder, or an S3-compatible bucket (here a fake client with boto3's methods)."""
import pytest

from forum.storage import LocalStorage, S3Storage

NAME = "a" * 64 + ".png"


class NoSuchKey(Exception):
    def __init__(self):
        super().__init__("NoSuchKey")
        self.response = {"Error": {"Code": "NoSuchKey"}}


class _Body:
    def __init__(self, data):
        self.data = data

    def read(self):
        return self.data


class FakeS3:
    def __init__(self):
        self.objects, self.puts = {}, []

    def put_object(self, Bucket, Key, Body, ContentType, CacheControl):
        self.puts.append((Bucket, Key, ContentType, CacheControl))
        self.objects[(Bucket, Key)] = Body

    def get_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise NoSuchKey()
        return {"Body": _Body(self.objects[(Bucket, Key)])}


def test_s3_storage_writes_under_the_prefix_with_type_and_cache_headers():
    client = FakeS3()
    storage = S3Storage(client, "kotae-images", "uploads/")
    storage.save(NAME, b"pixels", "image/png")
    assert client.puts == [("kotae-images", f"uploads/{NAME}", "image/png", "public, max-age=31536000, immutable")]
    assert storage.load(NAME) == b"pixels"
    assert storage.load("b" * 64 + ".png") is None


def test_s3_storage_passes_on_other_errors():
    class Broken(FakeS3):
        def get_object(self, Bucket, Key):
            raise ConnectionError("down")
    with pytest.raises(ConnectionError):
        S3Storage(Broken(), "b").load(NAME)


@pytest.mark.parametrize("name", ["../secret.png", "a" * 64 + ".html", "x.png", "a" * 64 + ".png/../../x"])
def test_names_that_are_not_content_addresses_are_refused(tmp_path, name):
    local, s3 = LocalStorage(tmp_path), S3Storage(FakeS3(), "b")
    for storage in (local, s3):
        assert storage.load(name) is None
        with pytest.raises(ValueError):
            storage.save(name, b"x", "image/png")


def test_local_storage_keeps_the_first_copy_and_leaves_no_temporary_files(tmp_path):
    storage = LocalStorage(tmp_path / "up")
    storage.save(NAME, b"one", "image/png")
    storage.save(NAME, b"one", "image/png")
    assert storage.load(NAME) == b"one"
    assert [p.name for p in (tmp_path / "up").iterdir()] == [NAME]
