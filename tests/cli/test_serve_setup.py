"""First run (issue 18): the real `wordkeep serve`, in a subprocess, prints a one-time setup
link while no site admin exists: a new one at each start (the earlier one stops working), and
none once the link's page has made the admin."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import typer
from typer.testing import CliRunner

from tests.factories import free_port
from wordkeep import cli_users
from wordkeep.first_run import print_setup_link
from wordkeep.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"http://127\.0\.0\.1:\d+/setup/[A-Za-z0-9_-]+")


def serve_once(database_url: str, media_dir: Path, out: Path):
    """Start `wordkeep serve`, wait until it answers; (process, port, its output so far)."""
    env = {**os.environ, "WORDKEEP_DATABASE_URL": database_url,
           "WORDKEEP_MEDIA_DIR": str(media_dir), "WORDKEEP_MEDIA_SWEEP_INTERVAL": "0"}  # fmt: skip
    port = free_port()
    with out.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "wordkeep", "serve", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, out.read_text()
        assert time.monotonic() < deadline, "the server did not start: " + out.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    return server, port, out.read_text()


def stop(server) -> None:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def test_serve_prints_a_setup_link_until_an_admin_exists(database_url, media_dir, tmp_path):
    server, _, first_output = serve_once(database_url, media_dir, tmp_path / "1.log")
    stop(server)
    first = LINK.search(first_output).group(0)

    server, port, output = serve_once(database_url, media_dir, tmp_path / "2.log")
    try:
        second = LINK.search(output).group(0)
        assert second != first and "wordkeep user add" in output
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as browser:
            old = browser.get("/setup/" + first.rsplit("/", 1)[1])
            assert old.status_code == 410  # each start withdraws the earlier link
            path = "/setup/" + second.rsplit("/", 1)[1]
            page = browser.get(path)
            assert page.status_code == 200
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            made = browser.post(path, data={
                "csrf_token": token, "display_name": "Ada", "email": "ada@example.org",
                "password": "a long password", "password_again": "a long password",
            })  # fmt: skip
            assert made.status_code == 303 and made.headers["location"] == "/"
            assert "Ada" in browser.get("/").text  # the new admin is logged in
            assert browser.get(path).status_code == 410  # used
    finally:
        stop(server)

    server, _, output = serve_once(database_url, media_dir, tmp_path / "3.log")
    stop(server)
    assert "/setup/" not in output and "Wordkeep on" in output


def test_user_add_admin_still_works_and_ends_the_setup_links(monkeypatch, engine, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", url)
    settings = Settings(database_url=url, media_dir=str(tmp_path / "media"))
    assert print_setup_link(settings, engine, host="127.0.0.1", port=8000)
    app = typer.Typer()
    app.command("noop")(lambda: None)
    cli_users.register(app)
    done = CliRunner().invoke(
        app, ["user", "add", "root@example.org", "--admin"], input="passphrase-1\npassphrase-1\n"
    )
    assert done.exit_code == 0, done.output
    assert print_setup_link(settings, engine, host="127.0.0.1", port=8000) is None
