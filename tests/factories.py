"""Plain helpers shared by the tests: people, entries, logins and S3 buckets.

Fixtures live in tests/conftest.py; what is here is called, not requested by name.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from lexicon import accounts, editing, entries
from lexicon.media.storage import storage_from_url
from lexicon.models import Entry

PASSWORD = "password-123"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@functools.cache
def password_hash() -> str:
    """PASSWORD's real argon2 hash, made once: a hash takes 0.1-1 s and nearly every test makes
    users, so they all store this one (logging in still verifies it as usual)."""
    return accounts.hash_password(PASSWORD)


def make_user(
    session, email: str, role: str | None = None, dictionary=None, circles=(), is_admin=False
):
    """A user with a password (PASSWORD), a token and auth headers."""
    user = accounts.create_user(session=session, email=email, is_admin=is_admin)
    user.password_hash = password_hash()
    session.add(user)
    session.commit()
    if role and dictionary is not None:
        accounts.set_role(session=session, user=user, dictionary=dictionary, role=role)
    for circle in circles:
        accounts.add_to_circle(session=session, user=user, dictionary=dictionary, circle=circle)
    _, token = accounts.create_token(session=session, user=user, name="tests")
    return SimpleNamespace(
        user=user, email=user.email, token=token, headers={"Authorization": f"Bearer {token}"}
    )


def add_entry(
    session, dictionary, word: str, gloss: str = "", *, homograph: int = 0, fields=None, **sense
):
    """An entry with headword `word` (in `seh`) and, when a gloss or sense fields are given, one
    sense with the English gloss and those fields; `fields` are more of the entry's own."""
    senses = [{"glosses": {"en": gloss} if gloss else {}, **sense}] if gloss or sense else []
    data = {"headword": {"seh": word}, "homograph": homograph, "senses": senses, **(fields or {})}
    return editing.create_entry(session=session, dictionary=dictionary, data=data)


def all_entries(session, dictionary) -> list[dict]:
    """Every stored entry of the dictionary, as full entry dicts (deleted ones too)."""
    rows = session.exec(select(Entry).where(Entry.dictionary_id == dictionary.id)).scalars().all()
    return entries.entry_dicts(session=session, dictionary=dictionary, rows=list(rows))


def csrf_from(html: str) -> str:
    """The CSRF token of the (first) form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def axe_violations(page, ran: tuple = ("html-has-lang",)) -> list:
    """axe-core's violations on the page as (rule, impact, first targets); `ran`: rules that
    must be among its passes, to know axe really ran on this page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => { const r = await axe.run(document);"
        " return {violations: r.violations, passes: r.passes.map((p) => p.id)}; }"
    )
    assert set(ran) <= set(result["passes"])  # axe really ran
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]  # fmt: skip


def sign_in(page, base: str, email: str, then: str) -> None:
    """Log a browser page in through the real form and wait until it lands on `then`."""
    page.goto(f"{base}/login?next={then}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.login button[type=submit], form.login input[type=submit]")
    page.wait_for_url(f"{base}{then}")


def login(client, email: str, password: str = PASSWORD, next_: str = "/"):
    """Log in through the real form; returns the form post's answer."""
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "next": next_, "csrf_token": token},
        follow_redirects=False,
    )


PORTS_PER_WORKER = 1000
_next_port = itertools.count()


def free_port() -> int:
    """A free TCP port on the loopback interface, from a block of ports that belongs to this
    pytest-xdist worker alone, below the kernel's ephemeral range. A port from `bind(0)`
    could be handed to another worker's server (or `bind(0)`) in the second before ours
    bound it: CI once saw a test's second server answered by another worker's browser-test
    server. No other process is given a port in this block, and this worker never gives one
    out twice until it has used the block up."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    first = max(1024, low - 9 * PORTS_PER_WORKER) + (worker % 8) * PORTS_PER_WORKER
    for _ in range(PORTS_PER_WORKER):
        port = first + next(_next_port) % PORTS_PER_WORKER
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use (or lingering): the next one
            return port
    raise RuntimeError(f"no free loopback port in {first}-{first + PORTS_PER_WORKER - 1}")


def new_s3_bucket(endpoint: str) -> str:
    """A new, empty bucket on the S3 server at `endpoint`; returns its media URL for
    `storage_from_url` and WORDKEEP_MEDIA_DIR. The AWS_* variables of S3_CREDENTIALS must be set."""
    bucket = f"wk-{uuid.uuid4().hex[:12]}"
    url = f"s3://{bucket}/media?endpoint={endpoint}&region=us-east-1"
    storage_from_url(url).client.create_bucket(Bucket=bucket)
    return url


def others_can_write(engine, dictionary_id: int) -> bool:
    """Whether another connection could save in the dictionary this moment without waiting.
    SQLite: its one write lock is free (BEGIN IMMEDIATE with no busy timeout). PostgreSQL has
    no such lock: a save there waits only for the dictionary's row, which every save updates
    (`editing.touch`), so that row is asked for without waiting."""
    if engine.dialect.name == "sqlite":
        raw = sqlite3.connect(engine.url.database, timeout=0)
        try:
            raw.execute("BEGIN IMMEDIATE")
            raw.rollback()
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            raw.close()
    with engine.connect() as connection:
        try:
            connection.execute(
                text("SELECT id FROM dictionary WHERE id = :id FOR UPDATE NOWAIT"),
                {"id": dictionary_id},
            )
            return True
        except OperationalError:
            return False
        finally:
            connection.rollback()


@contextlib.contextmanager
def dictionary_held(engine, dictionary_id: int) -> Iterator[None]:
    """Another connection holds the dictionary as a large import's write does, until the block
    ends. SQLite: its one write lock (BEGIN IMMEDIATE). PostgreSQL: the dictionary's row, which
    an import's first statement updates (`editing.touch`) and every other write then waits for."""
    if engine.dialect.name == "sqlite":
        other = sqlite3.connect(engine.url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with engine.connect() as connection:
        connection.execute(
            text("UPDATE dictionary SET generation = generation + 1 WHERE id = :id"),
            {"id": dictionary_id},
        )
        try:
            yield
        finally:
            connection.rollback()


def watch_lock(monkeypatch, module, name: str, engine, dictionary_id: int) -> list[bool]:
    """Wrap module.name so that each call notes whether others could save as it ran."""
    seen: list[bool] = []
    original = getattr(module, name)

    def watched(*args, **kwargs):
        seen.append(others_can_write(engine, dictionary_id))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, watched)
    return seen


class _PostedFields(HTMLParser):
    """What a browser posts from one form of a page (no button clicked): enabled fields with a
    name (inside it, unless they name another form; or outside it, naming it), checkboxes and radios only when checked, each select's selected option, a textarea's
    text without the first line end HTML drops."""

    def __init__(self, chosen):
        super().__init__()
        self.chosen, self.pairs = chosen, []
        self._in_form, self._textarea, self._select = False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.chosen(a):
            self._in_form = True
        if tag == "option":  # its select's
            mine = self._select is not None
        elif "form" in a:  # a field of the form it names, wherever it is
            mine = self.chosen({"id": a["form"]})
        else:
            mine = self._in_form
        if not mine or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("file", "submit", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.pairs.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.pairs.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.pairs.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def posted_fields(html: str, *, form_id: str = "", form_class: str = "") -> list[tuple]:
    """The (name, value) pairs a browser posts from the page's form with that id or class."""

    def chosen(attrs: dict) -> bool:
        if form_id:
            return attrs.get("id") == form_id
        return form_class in (attrs.get("class") or "").split()

    parser = _PostedFields(chosen)
    parser.feed(html)
    return parser.pairs
