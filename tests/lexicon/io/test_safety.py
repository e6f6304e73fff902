"""Guards against hostile archives and files, on their own."""

from __future__ import annotations

import stat
import zipfile

import pytest

from lexicon.errors import TooLarge
from lexicon.io.safety import Limits, UnsafeArchive, check_file_size, safe_extract


def test_zip_bomb_ratio_refused(tmp_path):
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.lift", b"\0" * 5_000_000)
    with pytest.raises(UnsafeArchive, match="zeros.lift.*zip bomb"):
        safe_extract(z, tmp_path / "out")
    assert not (tmp_path / "out" / "zeros.lift").exists()


def test_too_many_members_and_too_large(tmp_path):
    z = tmp_path / "many.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for i in range(12):
            zf.writestr(f"f{i}.txt", "x" * 100)
    with pytest.raises(UnsafeArchive, match="12 members"):
        safe_extract(z, tmp_path / "a", Limits(max_zip_members=10))
    with pytest.raises(UnsafeArchive, match="over the limit"):
        safe_extract(z, tmp_path / "b", Limits(max_total_bytes=1000))
    with pytest.raises(TooLarge, match="over the import limit"):
        check_file_size(z, Limits(max_file_bytes=10))


@pytest.mark.parametrize(
    "name", ["../up.txt", "/etc/passwd-copy", "C:/windows.txt", "a/../../up.txt", "..\\win.txt"]
)
def test_paths_outside_refused(tmp_path, name):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(name, "x")
    with pytest.raises(UnsafeArchive, match="path traversal"):
        safe_extract(z, tmp_path / "out")


def test_symlink_member_refused(tmp_path):
    z = tmp_path / "link.zip"
    info = zipfile.ZipInfo("link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeArchive, match="symbolic link"):
        safe_extract(z, tmp_path / "out")


def test_a_good_zip_unpacks(tmp_path):
    z = tmp_path / "ok.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("d/x.lift", "<lift/>")
    (written,) = safe_extract(z, tmp_path / "out")
    assert written.read_text() == "<lift/>"
