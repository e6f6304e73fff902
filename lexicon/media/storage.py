"""Media storage behind one small interface: a local folder, or an S3-compatible object store.

Keys are relative, slash-separated names the app makes itself (for example
`audio/original/ab/abcd...`); they are checked so no key can leave the storage root. Writes are
atomic: a reader sees the whole old object, the whole new one, or none.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from lexicon.errors import InvalidInput, NotFound

CHUNK = 64 * 1024
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
_TMP_PREFIX = ".tmp-"

Source = BinaryIO | str | os.PathLike


class MediaNotFound(NotFound):
    """No stored media under that key."""


class BadMediaKey(InvalidInput):
    """A media key must be a relative path of plain names (letters, digits, `.`, `_`, `-`)."""


def check_key(key: str) -> str:
    """Return `key` if it is a safe storage key, else raise BadMediaKey."""
    if not isinstance(key, str) or not _KEY.fullmatch(key) or ".." in key.split("/"):
        raise BadMediaKey(f"not a valid media key: {key!r}", key=key)
    return key


class Storage(Protocol):
    """What the app needs from a place that keeps media files."""

    # Whether its calls are local file-system calls (quick: the web layer may make them in
    # its event loop) rather than network round trips.
    local: bool

    def put(self, key: str, source: Source, *, content_type: str | None = None) -> int:
        """Store `source` (a binary file object or a path) under `key`; return its size."""

    def open(self, key: str) -> BinaryIO:
        """A readable binary file object for the whole object (close it after use)."""

    def open_range(self, key: str, start: int, length: int) -> Iterator[bytes]:
        """The `length` bytes from offset `start`, in chunks."""

    def size(self, key: str) -> int:
        """Size in bytes; MediaNotFound if absent."""

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    def delete(self, key: str) -> None:
        """Remove `key`; no error if it is already gone."""

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every stored key starting with `prefix` (for backup, export and checks)."""


def _reader(source: Source):
    """A binary file object for `source` and whether we opened it (so we close it)."""
    if isinstance(source, str | os.PathLike):
        return open(source, "rb"), True  # noqa: SIM115 - closed by the caller
    return source, False


class LocalStorage:
    """Media in a folder: temporary file in the same folder, fsync, then an atomic rename."""

    local = True

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, source: Source, *, content_type: str | None = None) -> int:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        reader, close = _reader(source)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(reader, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        finally:
            if close:
                reader.close()
        return path.stat().st_size

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError:
            raise MediaNotFound(f"no media stored under {key}", key=key) from None

    def open_range(self, key: str, start: int, length: int) -> Iterator[bytes]:
        handle = self.open(key)  # opened now, so a missing key fails before streaming starts
        return _read_span(handle, start, length)

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise MediaNotFound(f"no media stored under {key}", key=key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return
        for dirpath, _dirs, files in os.walk(self.root):
            for name in sorted(files):
                if name.startswith(_TMP_PREFIX):
                    continue
                key = Path(dirpath, name).relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key


def _read_span(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


class S3Storage:
    """Media in an S3-compatible bucket (AWS, MinIO, Garage, Ceph...), for several app servers.

    Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a
    profile, an instance role) unless given here. An object appears only when its upload is
    complete (multipart uploads included), which makes `put` atomic.
    """

    local = False

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        prefix: str = "",
        client=None,
        **client_options,
    ):
        import boto3  # heavy: imported when used (docs/architecture.md)

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region_name, **client_options
        )

    def __repr__(self) -> str:
        return f"S3Storage({self.bucket!r}, prefix={self.prefix!r})"

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _missing(self, exc, key: str) -> bool:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}

    def put(self, key: str, source: Source, *, content_type: str | None = None) -> int:
        reader, close = _reader(source)
        extra = {"ContentType": content_type} if content_type else {}
        try:
            self.client.upload_fileobj(reader, self.bucket, self._key(key), ExtraArgs=extra)
        finally:
            if close:
                reader.close()
        return self.size(key)

    def _get(self, key: str, **kwargs):
        import botocore.exceptions  # heavy: imported when used (docs/architecture.md)

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key), **kwargs)
        except botocore.exceptions.ClientError as exc:
            if self._missing(exc, key):
                raise MediaNotFound(f"no media stored under {key}", key=key) from None
            raise

    def open(self, key: str) -> BinaryIO:
        return self._get(key)["Body"]

    def open_range(self, key: str, start: int, length: int) -> Iterator[bytes]:
        if length <= 0:
            return iter(())
        body = self._get(key, Range=f"bytes={start}-{start + length - 1}")["Body"]
        return _iter_body(body)

    def size(self, key: str) -> int:
        import botocore.exceptions  # heavy: imported when used (docs/architecture.md)

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except botocore.exceptions.ClientError as exc:
            if self._missing(exc, key):
                raise MediaNotFound(f"no media stored under {key}", key=key) from None
            raise
        return int(head["ContentLength"])

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except MediaNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :]


def _iter_body(body) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


def storage_from_url(url: str | os.PathLike) -> Storage:
    """Storage for a setting: a folder path, `file:///path`, or `s3://bucket/prefix?endpoint=...`.

    S3 query parameters: `endpoint` (or `endpoint_url`) and `region`.
    """
    text = os.fspath(url)
    parts = urlsplit(text)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise InvalidInput(f"S3 media URL without a bucket: {text!r}", setting="media")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return S3Storage(
            parts.netloc,
            endpoint_url=query.get("endpoint") or query.get("endpoint_url"),
            region_name=query.get("region"),
            prefix=unquote(parts.path),
        )
    if parts.scheme == "file":
        return LocalStorage(unquote(parts.path))
    if parts.scheme and len(parts.scheme) > 1:  # a one-letter "scheme" is a Windows drive
        raise InvalidInput(f"unsupported media storage URL: {text!r}", setting="media")
    return LocalStorage(text)


def safe_file_name(name, fallback: str) -> str:
    """A client's file name made safe to keep and to show: its last part only, in NFC, no
    control characters, never empty, `.` or `..`, at most 200 characters (extension kept)."""
    text = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cs")).strip()
    if not text.strip("."):
        return fallback
    if len(text) > 200:
        stem, dot, ext = text.rpartition(".")
        text = stem[: 200 - len(ext) - 1] + dot + ext if dot and len(ext) <= 16 else text[:200]
    return text
