"""A screenshot of a right-to-left (Urdu, Arabic script) dictionary entry into
docs/screenshots/rtl.png. Rerun any time:

    .venv/bin/python scripts/screenshots_i18n.py [--out docs/screenshots] [--lang en]

It builds a throw-away SQLite database with a few Urdu entries, serves the app on a free
loopback port and drives Debian's Chromium with Playwright.
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
from lexicon import editing
from lexicon.db.engine import make_engine
from lexicon.operations.upgrade import upgrade
from wordkeep.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
LETTERS = "ا آ ب پ ت ٹ ث ج چ ح خ د ڈ ذ ر ڑ ز ژ س ش ص ض ط ظ ع غ ف ق ک گ ل م ن و ہ ھ ء ی ے"
WORDS = [  # headword, English, French, example sentence, its English translation
    ("پانی", "water", "eau", "پانی ٹھنڈا ہے", "The water is cold"),
    ("گھر", "house", "maison", "یہ میرا گھر ہے", "This is my house"),
    ("کتاب", "book", "livre", "کتاب میز پر ہے", "The book is on the table"),
    ("آدمی", "man", "homme", "آدمی آیا", "The man came"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(tmp: Path):
    engine = make_engine(f"sqlite:///{tmp / 'wordkeep.db'}")
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        dictionary = editing.create_dictionary(
            session=session,
            data={
                "slug": "urdu", "title": "Urdu Wordlist", "language_name": "اردو",
                "language_code": "ur", "vernacular_ws": ["ur"], "analysis_ws": ["en", "fr"],
                "alphabet": {"letters": LETTERS.split()}, "licence": "CC-BY-4.0",
            },
        )  # fmt: skip
        ids = []
        for word, en, fr, sentence, translation in WORDS:
            sense = {
                "glosses": {"en": en, "fr": fr},
                "examples": [{"text": {"ur": sentence}, "translations": {"en": translation}}],
            }
            data = {"headword": {"ur": word}, "part_of_speech": "n", "senses": [sense]}
            entry = editing.create_entry(session=session, dictionary=dictionary, data=data)
            ids.append(entry["id"])
    return engine, ids[0]


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
    parser.add_argument("--lang", default="en", help="interface language of the page")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wordkeep-rtl-") as tmp:
        engine, entry_id = _prepare(Path(tmp))
        settings = Settings(
            database_url=str(engine.url), media_dir=str(Path(tmp) / "media"),
            secret_key="screenshots-only-secret", environment="development",
        )  # fmt: skip
        server, url = _serve(create_app(settings, engine=engine))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=args.chromium, headless=True, args=["--no-sandbox"]
                )
                page = browser.new_page(viewport={"width": 900, "height": 560})
                page.goto(f"{url}/d/urdu/entries/{entry_id}?lang={args.lang}")
                page.wait_for_load_state("networkidle")
                target = args.out / "rtl.png"
                page.screenshot(path=str(target), full_page=True)
                browser.close()
            print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        finally:
            server.should_exit = True


if __name__ == "__main__":
    main()
