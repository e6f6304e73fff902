"""Hostile packages sent to every upload route, in every format (issue 16, findings 1 and 15).

An import reads only files inside what was uploaded and never fetches a URL: a CLDF table url
that points outside (an absolute path, `..`, a URL, a symbolic link) is refused with a 422
naming the table, and nothing is written; a media name that points outside (LIFT href, MDF
`\\sf`/`\\pc`, CSV/XLSX media column, CLDF downloadUrl) is reported "not in the package" and
no file is stored. A tiny HTTP server on 127.0.0.1 stands for an internal service: it must
never see a request, and no socket is opened at all during an import. A DOCTYPE is refused
wherever it hides in an XML document. A client's file name never breaks an export.
"""

from __future__ import annotations

import io
import json
import os
import socket
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import typer
from openpyxl import Workbook
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from lexicon import editing, entries, media
from lexicon.accounts.access import Viewer
from lexicon.models import Media

FIX = Path(__file__).parents[1] / "fixtures"
MP3 = FIX / "lift-patani-audio" / "two-mp3" / "audio" / "short.mp3"
CONTEXT = ["http://www.w3.org/ns/csvw", {"@language": "en"}]
TERMS = "http://cldf.clld.org/v1.0/terms.rdf#"
ADMIN = Viewer(is_admin=True)


# ---------------------------------------------------------------------- the watchers
class _Trap(BaseHTTPRequestHandler):
    """Answers anything with a CSV body, as a willing internal service would."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.seen.append(self.path)
        body = b"ID,Language_ID,Headword\nx1,seh,fetched\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def trap():
    """An HTTP server on a loopback port; `trap.url` is its base, `trap.seen` its requests."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trap)
    server.seen = []
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_network(monkeypatch):
    """Every connect() from Python during the test, recorded (and let through, so the old
    code's fetch would really reach the trap). The database drivers connect from C."""
    tried: list = []
    real = socket.socket.connect

    def connect(sock, address):
        tried.append(address)
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return tried


# ---------------------------------------------------------------------- helpers
def _count(client, headers) -> int:
    return client.get("/api/dictionaries/demo/entries", headers=headers).json()["total"]


def _files(media_dir: Path) -> list[str]:
    return sorted(str(Path(d, f)) for d, _, names in os.walk(media_dir) for f in names)


def _media_rows(session) -> int:
    session.expire_all()
    n = session.exec(select(func.count()).select_from(Media)).scalar_one()
    session.rollback()
    return n


def _post(client, headers, name: str, data: bytes, **form):
    return client.post(
        "/api/dictionaries/demo/imports",
        headers=headers,
        files={"file": (name, io.BytesIO(data))},
        data=form,
    )


def _zip(members: dict[str, bytes | str], links: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16) | 0x10  # a symbolic link
            zf.writestr(info, target)
    return buf.getvalue()


def _table(kind: str, url: str, columns: list[tuple[str, str]], **extra) -> dict:
    cols = [{"name": n, "propertyUrl": TERMS + t} if t else {"name": n} for n, t in columns]
    return {
        "url": url,
        "dc:conformsTo": TERMS + kind,
        "tableSchema": {"columns": cols, "primaryKey": ["ID"]},
        **extra,
    }


def cldf_metadata(entries_url="entries.csv", media=False, **entry_extra) -> dict:
    tables = [
        _table(
            "EntryTable",
            entries_url,
            [
                ("ID", "id"),
                ("Language_ID", "languageReference"),
                ("Headword", "headword"),
                ("Media_IDs", "mediaReference"),
            ],
            **entry_extra,
        ),
        _table(
            "SenseTable",
            "senses.csv",
            [("ID", "id"), ("Description", "description"), ("Entry_ID", "entryReference")],
        ),
    ]
    if media:
        tables.append(
            _table(
                "MediaTable",
                "media.csv",
                [
                    ("ID", "id"),
                    ("Name", "name"),
                    ("Media_Type", "mediaType"),
                    ("Download_URL", "downloadUrl"),
                ],
            )
        )
    tables[0]["tableSchema"]["columns"][3]["separator"] = ";"
    return {
        "@context": CONTEXT,
        "dc:conformsTo": TERMS + "Dictionary",
        "dc:title": "hostile",
        "tables": tables,
    }


def cldf_zip(meta: dict, media_rows: list[tuple[str, str]] = (), files=None, links=None) -> bytes:
    media_ids = ";".join(f"m{i}" for i in range(len(media_rows)))
    members = {
        "cldf/Dictionary-metadata.json": json.dumps(meta),
        "cldf/entries.csv": f"ID,Language_ID,Headword,Media_IDs\ne1,seh,nyumba,{media_ids}\n",
        "cldf/senses.csv": "ID,Description,Entry_ID\ns1,house,e1\n",
    }
    if media_rows:
        lines = [f"m{i},{name},audio/mpeg,{url}" for i, (name, url) in enumerate(media_rows)]
        members["cldf/media.csv"] = "ID,Name,Media_Type,Download_URL\n" + "\n".join(lines) + "\n"
    members.update(files or {})
    return _zip(members, links)


def assert_refused(r, *words):
    assert r.status_code == 422, r.text
    detail = json.dumps(r.json()["detail"])
    for word in words:
        assert word in detail, (word, detail)


def assert_not_in_package(r, *names):
    """The import went on; each named file is reported not in the package, none stored."""
    assert r.status_code == 201, r.text
    report = r.json()
    said = " ".join(w["message"] for w in report["warnings"])
    assert report["media_added"] == 0, report
    for name in names:
        assert f"{name[:60]}" in said, (name, said)
    assert said.count("is not in the package") >= len(names), said


OUTSIDE = [
    "/proc/self/environ",
    "/etc/passwd",
    "../../../../etc/passwd",
    "sub/../../../etc/passwd",
    "%2e%2e/%2e%2e/etc/passwd",
    "file:///proc/self/environ",
    "C:\\Windows\\win.ini",
]


# ---------------------------------------------------------------------- CLDF tables
@pytest.mark.parametrize("url", OUTSIDE + ["{trap}/entries.csv", "https://example.invalid/e.csv"])
def test_cldf_table_url_outside_the_upload_is_refused(
    client, owner, dictionary, trap, no_network, media_dir, url
):
    url = url.format(trap=trap.url)
    meta = cldf_metadata(entries_url=url, dialect={"delimiter": "=", "header": False})
    r = _post(client, owner.headers, "hostile.zip", cldf_zip(meta), format="cldf")
    assert_refused(r, "EntryTable", "url")
    assert _count(client, owner.headers) == 0
    assert trap.seen == [] and no_network == []
    assert _files(media_dir) == []


def test_cldf_metadata_alone_naming_proc_environ_is_refused(client, owner, dictionary, no_network):
    """The reported attack: a bare metadata JSON whose EntryTable is /proc/self/environ."""
    meta = cldf_metadata(
        entries_url="/proc/self/environ", dialect={"delimiter": "=", "header": False}
    )
    meta["tables"] = meta["tables"][:1]
    meta["tables"][0]["tableSchema"] = {
        "columns": [
            {"name": "ID", "propertyUrl": TERMS + "id"},
            {"name": "Headword", "propertyUrl": TERMS + "headword"},
        ]
    }
    body = json.dumps(meta).encode()
    r = _post(client, owner.headers, "x-metadata.json", body, format="cldf")
    assert_refused(r, "EntryTable", "/proc/self/environ", "absolute path")
    assert _count(client, owner.headers) == 0
    dump = client.get("/api/dictionaries/demo/export?format=json", headers=owner.headers)
    assert "WORDKEEP_SECRET_KEY" not in dump.text and "leaked" not in dump.text


@pytest.mark.parametrize(
    "where",
    [
        "dialect",
        "tableSchema",
        "base",
        "base_top",
        "context",
        "foreign_key",
        "schema_reference",
        "dc_source",
    ],
)
def test_cldf_other_references_never_reach_outside(
    client, owner, dictionary, trap, no_network, where
):
    meta = cldf_metadata()
    entry = meta["tables"][0]
    if where == "dialect":
        entry["dialect"] = f"{trap.url}/dialect.json"
    elif where == "tableSchema":
        entry["tableSchema"] = f"{trap.url}/schema.json"
    elif where == "base":
        meta["@context"] = ["http://www.w3.org/ns/csvw", {"@base": f"{trap.url}/"}]
    elif where == "base_top":
        meta["@base"] = "/etc/"
    elif where == "context":
        meta["@context"] = f"{trap.url}/context.jsonld"
    elif where == "foreign_key":
        entry["tableSchema"]["foreignKeys"] = [
            {
                "columnReference": "ID",
                "reference": {"resource": "/etc/passwd", "columnReference": "ID"},
            }
        ]
    elif where == "schema_reference":
        entry["tableSchema"]["foreignKeys"] = [
            {
                "columnReference": "ID",
                "reference": {"schemaReference": f"{trap.url}/s.json", "columnReference": "ID"},
            }
        ]
    elif where == "dc_source":
        meta["dc:source"] = "../../../etc/passwd"
    r = _post(client, owner.headers, "hostile.zip", cldf_zip(meta), format="cldf")
    assert r.status_code == 422, r.text
    assert _count(client, owner.headers) == 0
    assert trap.seen == [] and no_network == []


def test_cldf_symlinked_table_inside_a_folder_is_refused_by_the_cli(
    monkeypatch, database_url, tmp_path, no_network
):
    """The CLI imports a folder as it is: a table that is a symbolic link out is refused."""
    from sqlmodel import Session

    from lexicon.db.engine import make_engine
    from wordkeep.cli_io import import_command

    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(tmp_path / "media"))
    engine = make_engine(database_url)
    with Session(engine) as session:
        editing.create_dictionary(session=session, data={"slug": "cli", "title": "CLI"})
        session.commit()
    secret = tmp_path / "secret.csv"
    secret.write_text("ID,Language_ID,Headword,Media_IDs\nz1,seh,LEAKED,\n", "utf-8")
    app = typer.Typer()
    app.command("import")(import_command)
    app.command("noop")(lambda: None)
    runner = CliRunner()
    for case, meta_url in (("symlink", "entries.csv"), ("absolute", str(secret))):
        folder = tmp_path / case
        with zipfile.ZipFile(io.BytesIO(cldf_zip(cldf_metadata(entries_url=meta_url)))) as zf:
            zf.extractall(folder)
        if case == "symlink":
            (folder / "cldf" / "entries.csv").unlink()
            (folder / "cldf" / "entries.csv").symlink_to(secret)
        r = runner.invoke(app, ["import", str(folder / "cldf"), "-d", "cli", "--format", "cldf"])
        assert r.exit_code == 2, r.output
        said = " ".join(r.output.split())  # Rich wraps long lines
        assert "EntryTable" in said and "LEAKED" not in said, r.output
    with Session(engine) as session:
        dictionary = entries.get_dictionary(session=session, slug="cli")
        assert entries.count_entries(session=session, dictionary=dictionary, viewer=ADMIN) == 0
    engine.dispose()
    assert no_network == []


def test_cldf_table_missing_from_the_package_is_named(client, owner, dictionary, media_dir):
    """A table url naming no file in the upload: a 422 naming the table, not a 500."""
    meta = cldf_metadata(entries_url="words.csv")
    r = _post(client, owner.headers, "missing.zip", cldf_zip(meta), format="cldf")
    assert_refused(r, "EntryTable", "words.csv", "not in the package")
    assert _count(client, owner.headers) == 0
    assert _files(media_dir) == []


def test_cldf_zipped_table_gets_the_archive_checks(client, owner, dictionary, media_dir):
    """csvw reads `entries.csv.zip` when `entries.csv` is missing: an archive inside the upload,
    which must not slip past the zip-bomb checks the upload itself got."""
    rows = "ID,Language_ID,Headword,Media_IDs\n" + "".join(
        f"e{i},seh,{'a' * 2000},\n" for i in range(2000)
    )
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("entries.csv", rows)
    assert zipfile.ZipFile(inner).infolist()[0].compress_size * 200 < len(rows)  # over the ratio
    body = cldf_zip(cldf_metadata(), files={"cldf/entries.csv.zip": inner.getvalue()})
    with zipfile.ZipFile(io.BytesIO(body)) as zf:  # the table only zipped
        members = {n: zf.read(n) for n in zf.namelist() if n != "cldf/entries.csv"}
    r = _post(client, owner.headers, "nested.zip", _zip(members), format="cldf")
    assert_refused(r, "entries.csv", "zip bomb")
    assert _count(client, owner.headers) == 0
    # a zipped table within the limits still imports
    small = io.BytesIO()
    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("entries.csv", "ID,Language_ID,Headword,Media_IDs\ne1,seh,nyumba,\n")
    members["cldf/entries.csv.zip"] = small.getvalue()
    r = _post(client, owner.headers, "zipped.zip", _zip(members), format="cldf")
    assert r.status_code == 201, r.text
    assert _count(client, owner.headers) == 1


def test_cldf_standard_context_is_not_fetched_and_good_data_imports(
    client, owner, dictionary, no_network, media_dir
):
    """The control: the standard @context, a packed recording named by a relative
    downloadUrl; imported, the recording stored, and no socket opened."""
    meta = cldf_metadata(media=True)
    body = cldf_zip(
        meta,
        [("nyumba.mp3", "audio/nyumba.mp3")],
        files={"cldf/audio/nyumba.mp3": MP3.read_bytes()},
    )
    r = _post(client, owner.headers, "good.zip", body, format="cldf")
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 1 and r.json()["media_added"] == 1, r.json()
    assert _files(media_dir), "the packed recording is stored"
    assert no_network == []


# ---------------------------------------------------------------------- media names
@pytest.fixture
def outside_file(tmp_path):
    """A file outside every upload, named by the hostile media references."""
    path = tmp_path / "outside.mp3"
    path.write_bytes(MP3.read_bytes())
    return path


def _media_names(trap, outside_file) -> list[str]:
    return [
        str(outside_file),
        "/proc/self/environ",
        "../outside.mp3",
        "audio/../../outside.mp3",
        f"{trap.url}/voice.mp3",
        "file:///etc/passwd",
    ]


def test_cldf_download_url_outside_is_not_in_the_package(
    client, owner, dictionary, trap, no_network, media_dir, session, outside_file
):
    names = _media_names(trap, outside_file)
    rows = [(f"n{i}.mp3", url) for i, url in enumerate(names)]
    r = _post(client, owner.headers, "m.zip", cldf_zip(cldf_metadata(media=True), rows))
    assert_not_in_package(r, *names)
    assert _files(media_dir) == [] and _media_rows(session) == 0
    assert trap.seen == [] and no_network == []


def _lift(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<lift version="0.13">\n'
        f'<entry id="e1" guid="6f9a0a3c-33c2-4b55-9d4f-2d1c3b0e9a11">'
        f'<lexical-unit><form lang="seh"><text>nyumba</text></form></lexical-unit>{body}'
        "</entry>\n</lift>\n"
    )


def _lift_media(names: list[str]) -> str:
    from xml.sax.saxutils import quoteattr

    prons = "".join(f"<pronunciation><media href={quoteattr(n)}/></pronunciation>" for n in names)
    pics = "".join(f"<illustration href={quoteattr(n)}/>" for n in names)
    return prons + f'<sense id="s1"><gloss lang="en"><text>house</text></gloss>{pics}</sense>'


@pytest.mark.parametrize("packed", ["lift", "lift zip"])
def test_lift_hrefs_outside_are_not_in_the_package(
    client, owner, dictionary, trap, no_network, media_dir, session, outside_file, packed
):
    names = _media_names(trap, outside_file)
    lift = _lift(_lift_media(names)).encode()
    if packed == "lift":
        r = _post(client, owner.headers, "x.lift", lift)
    else:
        body = _zip({"pkg/x.lift": lift}, links=None)
        r = _post(client, owner.headers, "x.zip", body, format="lift")
    assert_not_in_package(r, *names)
    assert _files(media_dir) == [] and _media_rows(session) == 0
    assert trap.seen == [] and no_network == []


def test_a_path_on_the_keepers_disk_is_found_by_its_last_part_inside_the_package(
    client, owner, dictionary, trap, no_network, media_dir, session
):
    """FLEx and Toolbox write absolute paths of the keeper's own disk: the file the package
    carries under that last part is used; a URL is never followed, not even by its last part."""
    names = ["C:\\Users\\keeper\\Sound\\word.mp3", "file://D:/WorkFiles/audio/word.mp3"]
    lift = _lift(_lift_media(names[:1]) + "").encode()
    body = _zip({"pkg/x.lift": lift, "pkg/audio/word.mp3": MP3.read_bytes()}, links=None)
    r = _post(client, owner.headers, "x.zip", body, format="lift")
    assert r.status_code == 201, r.text
    assert r.json()["media_added"] == 1, r.json()
    lines = ["\\_sh v3.0  400  MDF 4.0", "", "\\lx nyumba", "\\ge house", f"\\sf {names[1]}"]
    lines += ["", "\\lx moto", "\\ge fire", f"\\sf {trap.url}/word.mp3"]
    sfm = ("\n".join(lines) + "\n").encode()
    body = _zip({"words.sfm": sfm, "audio/word.mp3": MP3.read_bytes()}, links=None)
    r = _post(client, owner.headers, "y.zip", body, format="mdf")
    assert r.status_code == 201, r.text
    said = " ".join(w["message"] for w in r.json()["warnings"])
    assert "word.mp3' is not in the package" in said and trap.url in said, said
    assert trap.seen == [] and no_network == []


def test_mdf_file_markers_outside_are_not_in_the_package(
    client, owner, dictionary, trap, no_network, media_dir, session, outside_file
):
    names = _media_names(trap, outside_file)
    lines = ["\\_sh v3.0  400  MDF 4.0", "", "\\lx nyumba", "\\ps n", "\\ge house"]
    lines += [f"\\sf {n}" for n in names[:3]] + [f"\\pc {n}" for n in names[3:]]
    r = _post(client, owner.headers, "x.sfm", ("\n".join(lines) + "\n").encode(), format="mdf")
    assert_not_in_package(r, *names)
    assert _files(media_dir) == [] and _media_rows(session) == 0
    assert trap.seen == [] and no_network == []


def test_csv_media_columns_outside_are_not_in_the_package(
    client, owner, dictionary, trap, no_network, media_dir, session, outside_file
):
    names = _media_names(trap, outside_file)
    rows = [f"w{i},gloss{i},{n},{names[-1 - i]}" for i, n in enumerate(names)]
    body = ("headword,gloss_en,audio,picture\n" + "\n".join(rows) + "\n").encode()
    r = _post(client, owner.headers, "x.csv", body)
    assert_not_in_package(r, *names)
    assert _files(media_dir) == [] and _media_rows(session) == 0
    assert trap.seen == [] and no_network == []


def test_xlsx_media_columns_and_symlinks_in_a_zip(
    client, owner, dictionary, trap, no_network, media_dir, session, outside_file
):
    names = _media_names(trap, outside_file)
    wb = Workbook()
    ws = wb.active
    ws.append(["headword", "gloss_en", "audio", "picture"])
    for i, n in enumerate(names):
        ws.append([f"w{i}", f"gloss{i}", n, names[-1 - i]])
    buf = io.BytesIO()
    wb.save(buf)
    r = _post(client, owner.headers, "x.xlsx", buf.getvalue())
    assert_not_in_package(r, *names)
    # A zip member that is a symbolic link (to the file outside) is refused outright.
    body = _zip({"x.xlsx": buf.getvalue()}, links={"audio/voice.mp3": str(outside_file)})
    assert_refused(_post(client, owner.headers, "x.zip", body, format="xlsx"), "symbolic link")
    assert _files(media_dir) == [] and _media_rows(session) == 0
    assert _count(client, owner.headers) == len(names)
    assert trap.seen == [] and no_network == []


@pytest.mark.parametrize("fmt", ["lift", "cldf", "csv", "mdf"])
def test_symlinks_inside_zips_are_refused(client, owner, dictionary, fmt, outside_file):
    first = {
        "lift": ("x.lift", _lift("")),
        "cldf": ("cldf/Dictionary-metadata.json", json.dumps(cldf_metadata())),
        "csv": ("x.csv", "headword,gloss_en,audio\nnyumba,house,voice.mp3\n"),
        "mdf": ("x.sfm", "\\lx nyumba\n\\sf voice.mp3\n"),
    }[fmt]
    body = _zip(dict([first]), links={"voice.mp3": str(outside_file)})
    assert_refused(_post(client, owner.headers, "x.zip", body, format=fmt), "symbolic link")
    assert _count(client, owner.headers) == 0


def test_the_cli_csv_import_reads_no_symlinked_media(
    monkeypatch, database_url, tmp_path, outside_file
):
    """A folder on disk may hold symbolic links: one leading out is not in the package."""
    from sqlmodel import Session

    from lexicon.db.engine import make_engine
    from wordkeep.cli_io import import_command

    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    media_dir = tmp_path / "media"
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(media_dir))
    engine = make_engine(database_url)
    with Session(engine) as session:
        editing.create_dictionary(session=session, data={"slug": "cli", "title": "CLI"})
        session.commit()
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "voice.mp3").symlink_to(outside_file)
    (folder / "x.csv").write_text("headword,gloss_en,audio\nnyumba,house,voice.mp3\n", "utf-8")
    app = typer.Typer()
    app.command("import")(import_command)
    app.command("noop")(lambda: None)
    r = CliRunner().invoke(app, ["import", str(folder / "x.csv"), "-d", "cli"])
    assert r.exit_code == 0, r.output
    said = " ".join(r.output.split())  # Rich wraps long lines
    assert "voice.mp3" in said and "not in the package" in said, r.output
    assert _files(media_dir) == []
    engine.dispose()


# ---------------------------------------------------------------------- XML declarations
PADDING = "<!--" + "x" * (300 * 1024) + "-->\n"
DOCTYPE = '<!DOCTYPE lift [<!ENTITY boom "exploded">]>\n'


def _padded_lift(encoding: str = "utf-8") -> bytes:
    text = (
        f'<?xml version="1.0" encoding="{encoding.upper()}"?>\n{PADDING}{DOCTYPE}'
        '<lift version="0.13"><entry id="e1"><lexical-unit><form lang="seh">'
        "<text>&boom;</text></form></lexical-unit></entry></lift>\n"
    )
    return text.encode(encoding)


@pytest.mark.parametrize("case", ["lift", "lift utf-16", "lift zip", "ranges in zip", "xlsx"])
def test_doctype_after_padding_is_refused(client, owner, dictionary, case):
    if case == "lift":
        r = _post(client, owner.headers, "x.lift", _padded_lift())
    elif case == "lift utf-16":
        r = _post(client, owner.headers, "x.lift", _padded_lift("utf-16"))
    elif case == "lift zip":
        r = _post(client, owner.headers, "x.zip", _zip({"x.lift": _padded_lift()}), format="lift")
    elif case == "ranges in zip":
        ranges = (
            f'<?xml version="1.0"?>\n{PADDING}<!DOCTYPE lift-ranges>\n'
            '<lift-ranges><range id="x"/></lift-ranges>\n'
        )
        body = _zip({"x.lift": _lift(""), "x.lift-ranges": ranges})
        r = _post(client, owner.headers, "x.zip", body, format="lift")
    else:
        wb = Workbook()
        wb.active.append(["headword", "gloss_en"])
        wb.active.append(["nyumba", "house"])
        buf = io.BytesIO()
        wb.save(buf)
        out = io.BytesIO()
        with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
            for item in src.infolist():
                data = src.read(item)
                if item.filename == "xl/worksheets/sheet1.xml":
                    if data.startswith(b"<?xml"):
                        data = data.split(b"?>", 1)[1]
                    prolog = b'<?xml version="1.0" encoding="UTF-8"?>\n'
                    data = prolog + PADDING.encode() + DOCTYPE.encode() + data
                dst.writestr(item.filename, data)
        r = _post(client, owner.headers, "x.xlsx", out.getvalue())
    assert r.status_code == 422, r.text
    assert "DOCTYPE" in r.text or "entities" in r.text
    assert _count(client, owner.headers) == 0
    for fmt in ("lift", "json"):
        assert client.get(f"/api/dictionaries/demo/export?format={fmt}").status_code == 200


# ---------------------------------------------------------------------- client file names
CLIENT_NAMES = ["..", "/", "a/../../b", ".", "   ", "../../etc/passwd", "x\\..\\..\\y.mp3"]


@pytest.fixture
def entry(session, dictionary):
    return editing.create_entry(
        session=session,
        dictionary=dictionary,
        data={"headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}}]},
        editor="owner",
    )


def _exports_answer(client, headers):
    for fmt in ("lift", "csv", "cldf", "mdf", "json"):
        r = client.get(f"/api/dictionaries/demo/export?format={fmt}", headers=headers)
        assert r.status_code == 200, (fmt, r.text)
        for name in zipfile.ZipFile(io.BytesIO(r.content)).namelist():
            assert not name.startswith("/") and ".." not in name.split("/"), name


@pytest.mark.parametrize("name", CLIENT_NAMES)
def test_recording_with_a_hostile_file_name_keeps_exports_working(
    client, owner, entry, session, media_dir, name
):
    url = f"/api/dictionaries/demo/entries/{entry['id']}/pronunciations"
    with open(MP3, "rb") as fh:
        r = client.post(url, files={"file": (name, fh, "audio/mpeg")}, headers=owner.headers)
    assert r.status_code == 201, r.text
    session.expire_all()
    (row,) = session.exec(select(Media)).scalars().all()
    session.rollback()
    assert row.original_name not in ("", ".", "..") and "/" not in row.original_name
    assert "\\" not in row.original_name and not row.original_name.startswith(" ")
    for path in _files(media_dir):
        assert Path(path).resolve().is_relative_to(media_dir.resolve())
    _exports_answer(client, owner.headers)


@pytest.mark.parametrize("name", ["..", "/", "a/../../b"])
def test_picture_with_a_hostile_file_name_keeps_exports_working(client, owner, entry, name):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG")
    url = f"/api/dictionaries/demo/entries/{entry['id']}/senses/{entry['senses'][0]['id']}/pictures"
    r = client.post(
        url, files={"file": (name, buf.getvalue(), "image/jpeg")}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    _exports_answer(client, owner.headers)


def test_names_stored_before_the_check_do_not_break_exports(client, owner, entry, session):
    """Rows written by the old code keep their names: the exporter copes with each."""
    with open(MP3, "rb") as fh:
        url = f"/api/dictionaries/demo/entries/{entry['id']}/pronunciations"
        assert client.post(url, files={"file": ("a.mp3", fh)}, headers=owner.headers).is_success
    names = ["..", "/", "", "a/../../b", "."]
    if session.get_bind().dialect.name == "sqlite":
        names.append("x\x00y.mp3")  # PostgreSQL text cannot hold a NUL at all
    for stored in names:
        session.exec(update(Media).values(original_name=stored))
        session.commit()
        _exports_answer(client, owner.headers)


def test_a_nul_in_a_recording_name_is_dropped(session, dictionary, entry, app):
    """NUL cannot travel in a multipart header; the library call gets it as given."""
    with open(MP3, "rb") as fh:
        media.add_pronunciation_audio(
            session=session,
            storage=app.state.storage,
            dictionary=dictionary,
            entry_id=entry["id"],
            fileobj=fh,
            filename="voice\x00.mp3",
            fields={},
            editor="owner",
        )
    session.expire_all()
    (row,) = session.exec(select(Media)).scalars().all()
    assert row.original_name == "voice.mp3"


@pytest.mark.parametrize("name", ["..", "/", ".", "a/../../b.csv"])
def test_an_import_file_name_cannot_escape_its_folder(client, owner, dictionary, name):
    body = b"headword,gloss_en\nnyumba,house\n"
    r = _post(client, owner.headers, name, body, format="csv")
    assert r.status_code == 201, r.text
    assert _count(client, owner.headers) == 1
