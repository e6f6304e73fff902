"""Screenshots of the keepers' editor (entry list and entry form, desktop and a 390 px phone)
into docs/screenshots/, from the shipped demo dictionary. Rerun any time:

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]

It builds a throw-away SQLite database, serves the app on a free loopback port and drives
Debian's Chromium with Playwright.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright
from sqlmodel import Session

from api.app import create_app
from lexicon import accounts
from lexicon.db.engine import make_engine
from lexicon.operations.demo import load_demo
from lexicon.operations.upgrade import upgrade
from wordkeep.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo" / "hdi.json"
EMAIL, PASSWORD = "keeper@example.org", "screenshots-only-password"
SIZES = {"desktop": (1280, 860), "phone": (390, 844)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(tmp: Path) -> tuple[object, str, str]:
    engine = make_engine(f"sqlite:///{tmp / 'wordkeep.db'}")
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        dictionary, _ = load_demo(session=session, path=DEMO)
        user = accounts.create_user(session=session, email=EMAIL, password=PASSWORD)
        accounts.set_role(session=session, user=user, dictionary=dictionary, role="owner")
        from lexicon import entries
        from lexicon.accounts.access import Viewer

        page = entries.list_entries(
            session=session, dictionary=dictionary, viewer=Viewer(is_admin=True), limit=300
        )
        rich = max(
            page["items"],
            key=lambda e: (len(e["senses"]), sum(len(s["examples"]) for s in e["senses"])),
        )
    return engine, dictionary.slug, rich["id"]


def _serve(app) -> tuple[uvicorn.Server, str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the app did not start")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wordkeep-shots-") as tmp:
        engine, slug, entry_id = _prepare(Path(tmp))
        settings = Settings(
            database_url=str(engine.url), media_dir=str(Path(tmp) / "media"),
            secret_key="screenshots-only-secret", environment="development",
        )  # fmt: skip
        server, base = _serve(create_app(settings, engine=engine))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"]
                )
                for name, (width, height) in SIZES.items():
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    page.goto(f"{base}/login?next=/d/{slug}/edit/")
                    page.fill("#email", EMAIL)
                    page.fill("#password", PASSWORD)
                    page.press("#password", "Enter")
                    page.wait_for_url(f"{base}/d/{slug}/edit/")
                    page.screenshot(path=args.out / f"editor-list-{name}.png")
                    page.goto(f"{base}/d/{slug}/edit/entries/{entry_id}")
                    page.screenshot(path=args.out / f"editor-form-{name}.png")
                    context.close()
                browser.close()
        finally:
            server.should_exit = True
    for path in sorted(args.out.glob("editor-*.png")):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
