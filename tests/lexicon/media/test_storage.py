"""Media storage: the same behaviour from a local folder and from a real S3-speaking server."""

import hashlib
import io
import os
import uuid

import pytest

from lexicon.errors import InvalidInput
from lexicon.media.storage import (
    BadMediaKey,
    LocalStorage,
    MediaNotFound,
    S3Storage,
    storage_from_url,
)

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def new_bucket(endpoint: str) -> S3Storage:
    storage = S3Storage(
        f"wk-{uuid.uuid4().hex[:12]}",
        endpoint_url=endpoint,
        region_name="us-east-1",
        prefix="media",
        **CREDENTIALS,
    )
    storage.client.create_bucket(Bucket=storage.bucket)
    return storage


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    return new_bucket(request.getfixturevalue("s3_endpoint"))


def test_put_open_size_exists_delete(storage, tmp_path):
    data = os.urandom(3000)
    assert storage.put("audio/original/ab/abc", io.BytesIO(data)) == 3000
    assert storage.exists("audio/original/ab/abc")
    assert storage.size("audio/original/ab/abc") == 3000
    with storage.open("audio/original/ab/abc") as handle:
        assert handle.read() == data
    storage.delete("audio/original/ab/abc")
    assert not storage.exists("audio/original/ab/abc")
    storage.delete("audio/original/ab/abc")  # already gone: no error


def test_put_from_path_is_byte_exact(storage, tmp_path):
    src = tmp_path / "in.bin"
    src.write_bytes(os.urandom(200_000))
    storage.put("x/in.bin", src, content_type="audio/wav")
    with storage.open("x/in.bin") as handle:
        assert hashlib.sha256(handle.read()).digest() == hashlib.sha256(src.read_bytes()).digest()


def test_put_replaces_whole_object(storage):
    storage.put("k", io.BytesIO(b"old content, longer"))
    storage.put("k", io.BytesIO(b"new"))
    with storage.open("k") as handle:
        assert handle.read() == b"new"


def test_missing_key_is_named(storage):
    with pytest.raises(MediaNotFound, match="nope/x"):
        storage.size("nope/x")
    with pytest.raises(MediaNotFound):
        storage.open("nope/x")
    with pytest.raises(MediaNotFound):
        list(storage.open_range("nope/x", 0, 10))
    assert not storage.exists("nope/x")


@pytest.mark.parametrize(
    ("start", "length"), [(0, 100), (150, 1), (65_000, 70_000), (199_900, 100), (0, 200_000)]
)
def test_open_range(storage, start, length):
    data = os.urandom(200_000)
    storage.put("r/blob", io.BytesIO(data))
    assert b"".join(storage.open_range("r/blob", start, length)) == data[start : start + length]


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/../b", "", "a/", ".hidden"])
def test_bad_keys_are_refused(storage, key):
    with pytest.raises(BadMediaKey):
        storage.put(key, io.BytesIO(b"x"))
    with pytest.raises(BadMediaKey):
        storage.exists(key)


class FailingReader(io.RawIOBase):
    """Gives some bytes, then fails as a dropped upload would."""

    def __init__(self, good: int):
        self.left = good

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.left <= 0:
            raise OSError("connection lost")
        n = min(len(buffer), self.left, 1000)
        buffer[:n] = b"y" * n
        self.left -= n
        return n


def test_failed_put_leaves_nothing_and_keeps_old(storage):
    with pytest.raises(OSError):
        storage.put("f/new", FailingReader(5000))
    assert not storage.exists("f/new")
    storage.put("f/old", io.BytesIO(b"kept"))
    with pytest.raises(OSError):
        storage.put("f/old", FailingReader(5000))
    with storage.open("f/old") as handle:
        assert handle.read() == b"kept"
    assert sorted(storage.keys()) == ["f/old"]  # no temporary files left over


def test_keys_lists_by_prefix(storage):
    for key in ["audio/original/aa/1", "audio/web/aa/1.mp3", "images/x"]:
        storage.put(key, io.BytesIO(b"."))
    assert sorted(storage.keys("audio/")) == ["audio/original/aa/1", "audio/web/aa/1.mp3"]
    assert len(list(storage.keys())) == 3


def test_multipart_upload_on_s3(s3_endpoint):
    """Past boto3's 8 MB threshold the upload is multipart; the object appears whole."""
    storage = new_bucket(s3_endpoint)
    data = os.urandom(9 * 1024 * 1024)
    storage.put("big", io.BytesIO(data))
    assert storage.size("big") == len(data)
    start = 8 * 1024 * 1024 - 10  # across the first part boundary
    assert b"".join(storage.open_range("big", start, 20)) == data[start : start + 20]


def test_storage_from_url(tmp_path, s3_endpoint, monkeypatch):
    local = storage_from_url(str(tmp_path / "m"))
    assert isinstance(local, LocalStorage) and local.root == (tmp_path / "m").resolve()
    assert storage_from_url(f"file://{tmp_path}/m").root == local.root

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    s3 = storage_from_url(f"s3://wk-from-url/site/media?endpoint={s3_endpoint}&region=us-east-1")
    assert isinstance(s3, S3Storage) and (s3.bucket, s3.prefix) == ("wk-from-url", "site/media/")
    s3.client.create_bucket(Bucket="wk-from-url")
    s3.put("a", io.BytesIO(b"hello"))
    raw = s3.client.get_object(Bucket="wk-from-url", Key="site/media/a")["Body"].read()
    assert raw == b"hello"

    for bad in ["s3:///nobucket", "ftp://host/x"]:
        with pytest.raises(InvalidInput):
            storage_from_url(bad)
