"""The import and export endpoints, through the real app."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lexicon import editing

FIX = Path(__file__).parents[1] / "fixtures"
SENA = FIX / "lift-sena" / "Sena.lift"


def _post(client, headers, path: Path, **form):
    with open(path, "rb") as fh:
        return client.post(
            "/api/dictionaries/demo/imports",
            headers=headers,
            files={"file": (path.name, fh)},
            data=form,
        )


def test_import_dry_run_then_real(client, owner, dictionary):
    dry = _post(client, owner.headers, SENA, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] and dry.json()["created"] > 10
    assert client.get("/api/dictionaries/demo/entries").json()["total"] == 0
    real = _post(client, owner.headers, SENA, format="lift")
    assert real.status_code == 201, real.text
    body = real.json()
    assert body["created"] == dry.json()["created"] and body["format"] == "lift"
    assert client.get("/api/dictionaries/demo/entries").json()["total"] == body["created"]


def test_import_needs_an_editor(client, dictionary):
    assert _post(client, {}, SENA).status_code in (401, 403)


def test_bad_csv_is_refused_with_its_rows(client, owner, dictionary, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("headword,gloss_en,homograph\nnyumba,house,\nmoto,fire,x\n", "utf-8")
    r = _post(client, owner.headers, bad)
    assert r.status_code == 422
    assert "line 3" in r.text and "'x' is not a number" in r.text
    assert client.get("/api/dictionaries/demo/entries").json()["total"] == 0


def test_export_zip_hides_restricted_entries(client, owner, dictionary, session):
    editing.create_entry(
        session=session,
        dictionary=dictionary,
        data={"headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}}]},
    )
    editing.create_entry(
        session=session,
        dictionary=dictionary,
        data={"headword": {"seh": "sacred"}, "visibility": "restricted", "circle": "elders"},
    )
    for fmt, suffix in (("lift", ".lift"), ("csv", ".csv"), ("json", ".json")):
        r = client.get(f"/api/dictionaries/demo/export?format={fmt}")
        assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
        zf = zipfile.ZipFile(io.BytesIO(r.content))
        (name,) = [n for n in zf.namelist() if n.endswith(suffix)]
        text = zf.read(name).decode("utf-8")
        assert "nyumba" in text and "sacred" not in text
        mine = client.get(f"/api/dictionaries/demo/export?format={fmt}", headers=owner.headers)
        assert "sacred" in zipfile.ZipFile(io.BytesIO(mine.content)).read(name).decode("utf-8")
    assert client.get("/api/dictionaries/demo/export?format=pdf").status_code == 422


def test_streamed_import_reports_progress(client, owner, dictionary, tmp_path):
    import json

    r = _post(client, owner.headers, SENA, stream="true")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert any(x.get("stage") == "writing" and x["total"] > 0 for x in lines)
    assert lines[-1]["report"]["created"] > 10
    # the streamed import is an import job like the others: it can be polled too
    job = client.get(r.headers["location"], headers=owner.headers).json()
    assert job["status"] == "done" and job["report"] == lines[-1]["report"]
    bad = tmp_path / "bad.csv"
    bad.write_text("headword,homograph\nx,one\n", "utf-8")
    r = _post(client, owner.headers, bad, stream="true")
    last = json.loads(r.text.splitlines()[-1])
    assert last["error"]["status"] == 422 and "'one' is not a number" in last["error"]["detail"]
