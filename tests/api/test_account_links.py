"""The pages account links open (issue 18): the first-run setup page, "Forgot your password?"
(emailed through a real SMTP server on loopback, aiosmtpd), an owner's reset link for a member,
and the reset page, which ends the account's other sessions."""

from __future__ import annotations

import re
import time
from email import message_from_bytes
from email.header import decode_header, make_header
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from lexicon.accounts import setup
from lexicon.models import User
from tests.conftest import make_user
from tests.factories import free_port


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, email, password="password-123"):
    page = client.get("/login")
    done = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def post_form(client, path, **fields):
    page = client.get(path)
    return client.post(
        path, data={"csrf_token": csrf_of(page.text), **fields}, follow_redirects=False
    )


# ---------------------------------------------------------------- a real SMTP server


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"

    def wait(self, count=1, timeout=10.0):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}?from=keepers@example.org"
    yield inbox
    controller.stop()


@pytest.fixture
def mail_client(settings, engine, smtp):
    app = create_app(settings.model_copy(update={"smtp_url": smtp.url}), engine=engine)
    with TestClient(app) as client:
        yield client


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def link_in(text: str) -> str:
    return "/" + re.search(r"http://testserver/(\S+)", text).group(1)


# ---------------------------------------------------------------- first run


def test_setup_page_makes_the_first_admin_once(client, session):
    token = setup.new_setup_link(session=session)
    weak = post_form(client, f"/setup/{token}", email="ada@example.org", display_name="Ada",
                     password="short", password_again="short")  # fmt: skip
    assert weak.status_code == 422 and "at least 8 characters" in weak.text
    done = post_form(client, f"/setup/{token}", email="ada@example.org", display_name="Ada",
                     password="a long password", password_again="a long password")  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert "Ada" in client.get("/").text  # logged in
    session.commit()
    admin = session.exec(select(User)).scalar_one()
    assert admin.is_admin and admin.email == "ada@example.org"
    client.cookies.clear()
    again = client.get(f"/setup/{token}")
    assert again.status_code == 410 and "admin already" in again.text
    assert client.get("/setup/wrong").status_code == 410  # no setup at all once an admin exists


def test_a_wrong_setup_token_is_refused(client, session):
    setup.new_setup_link(session=session)
    page = client.get("/setup/wrong-token")
    assert page.status_code == 404 and "copied whole" in page.text


# ---------------------------------------------------------------- resets


def test_forgot_emails_a_link_and_answers_the_same_for_unknown_emails(mail_client, session, smtp):
    make_user(session, "ana@example.org")
    known = post_form(mail_client, "/forgot", email="ana@example.org")
    unknown = post_form(mail_client, "/forgot", email="nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: re.sub(r'value="[^"]+"', "", html)  # noqa: E731 (the CSRF token)
    assert strip(known.text) == strip(unknown.text)
    (to, message), *rest = smtp.wait()
    assert to == ["ana@example.org"] and not rest
    assert message["From"] == "keepers@example.org"
    link = link_in(body_of(message))
    assert link.startswith("/reset/")
    # The link sets the password once; the old password stops working.
    done = post_form(mail_client, link, password="brand new pass", password_again="brand new pass")
    assert done.status_code == 303
    assert mail_client.get(link).status_code == 410
    mail_client.cookies.clear()
    log_in(mail_client, "ana@example.org", "brand new pass")


def test_without_smtp_forgot_says_to_ask_an_owner(client):
    assert 'href="/forgot"' in client.get("/login").text
    page = client.get("/forgot")
    assert "does not send email" in page.text and 'name="email"' not in page.text


def test_a_reset_ends_the_other_sessions(client, app, session, dictionary, auth):
    make_user(session, "ana@example.org", "editor", dictionary)
    with TestClient(app) as phone:
        log_in(phone, "ana@example.org")
        assert phone.get("/d/demo/edit/").status_code == 200
        made = client.post("/api/dictionaries/demo/members/ana@example.org/reset-link",
                           headers=auth)  # fmt: skip
        assert made.status_code == 201
        link = "/" + made.json()["url"].split("/", 3)[3]
        mismatch = post_form(client, link, password="one password", password_again="another")
        assert mismatch.status_code == 422 and "not the same" in mismatch.text
        done = post_form(client, link, password="brand new pass", password_again="brand new pass")
        assert done.status_code == 303
        assert client.get("/d/demo/edit/").status_code == 200  # this browser is logged in
        assert phone.get("/d/demo/edit/", follow_redirects=False).status_code in (401, 303)
    assert client.get(link).status_code == 410


def test_only_owners_make_reset_links(client, session, dictionary):
    editor = make_user(session, "editor@example.org", "editor", dictionary)
    url = "/api/dictionaries/demo/members/owner@example.org/reset-link"
    assert client.post(url, headers=editor.headers).status_code == 403
    assert client.post(url).status_code == 401


# ---------------------------------------------------------------- email of invitations


def test_an_invitation_is_also_emailed(mail_client, session, dictionary, auth, smtp):
    made = mail_client.post(
        "/api/dictionaries/demo/invitations",
        json={"email": "ana@example.org", "role": "editor", "circles": []},
        headers=auth,
    )
    assert made.status_code == 201 and made.json()["emailed"] is True
    (to, message), *_ = smtp.wait()
    assert to == ["ana@example.org"] and "Demo Dictionary" in message["Subject"]
    assert made.json()["url"] in body_of(message)


def test_an_unreachable_smtp_server_still_gives_the_link(settings, engine, dictionary, auth):
    port = free_port()  # nothing listens there
    app = create_app(settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"}),
                     engine=engine)  # fmt: skip
    with TestClient(app) as client:
        made = client.post(
            "/api/dictionaries/demo/invitations",
            json={"email": "ana@example.org", "role": "editor"},
            headers=auth,
        )
    assert made.status_code == 201 and made.json()["emailed"] is False
    assert made.json()["url"].startswith("http://testserver/invite/")


# ---------------------------------------------------------------- the reader's language


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def speaks(session, person, locale):
    person.user.locale = locale
    session.add(person.user)
    session.commit()


def test_a_french_owner_inviting_in_spanish_sends_spanish(mail_client, session, owner, auth,
                                                          dictionary, smtp):  # fmt: skip
    speaks(session, owner, "fr")
    made = mail_client.post("/api/dictionaries/demo/invitations", headers=auth,
                            json={"email": "ana@example.org", "role": "editor", "locale": "es"})  # fmt: skip
    assert made.status_code == 201 and made.json()["locale"] == "es"
    (to, message), *_ = smtp.wait()
    assert subject_of(message) == "Invitación a Demo Dictionary"
    assert "enlace" in body_of(message)
    url = made.json()["url"]
    assert url in body_of(message) and url.endswith("?lang=es")
    # The page the link opens is in Spanish; accepting makes Spanish the new account's language.
    path = link_in(url)
    page = mail_client.get(path)
    assert page.status_code == 200 and 'lang="es"' in page.text
    done = mail_client.post(path, data={"csrf_token": csrf_of(page.text), "display_name": "Ana",
                                        "password": "a good password",
                                        "password_again": "a good password"},
                            follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    session.expire_all()
    ana = session.exec(select(User).where(User.email == "ana@example.org")).scalar_one()
    assert ana.locale == "es"


def test_an_invitation_defaults_to_the_inviters_language(mail_client, session, owner, auth,
                                                        dictionary, smtp):  # fmt: skip
    speaks(session, owner, "fr")
    made = mail_client.post("/api/dictionaries/demo/invitations", headers=auth,
                            json={"email": "ana@example.org", "role": "editor"})  # fmt: skip
    assert made.status_code == 201 and made.json()["locale"] == "fr"
    (to, message), *_ = smtp.wait()
    assert subject_of(message) == "Invitation à Demo Dictionary"
    bad = mail_client.post("/api/dictionaries/demo/invitations", headers=auth,
                           json={"email": "bo@example.org", "role": "editor", "locale": "xx"})  # fmt: skip
    assert bad.status_code == 422 and len(smtp.messages) == 1


def test_an_invitee_with_an_account_gets_their_own_language(mail_client, session, auth,
                                                           dictionary, smtp):  # fmt: skip
    speaks(session, make_user(session, "ana@example.org"), "pt")
    made = mail_client.put("/api/dictionaries/demo/members/ana@example.org", headers=auth,
                           json={"role": "editor", "locale": "es"})  # fmt: skip
    assert made.status_code == 200
    made = mail_client.post("/api/dictionaries/demo/invitations", headers=auth,
                            json={"email": "ana@example.org", "role": "editor", "locale": "es"})  # fmt: skip
    assert made.json()["locale"] == "pt"
    (to, message), *_ = smtp.wait()
    assert subject_of(message) == "Convite para Demo Dictionary"


def test_the_members_page_invites_in_the_language_picked(mail_client, session, owner,
                                                         dictionary, smtp):  # fmt: skip
    speaks(session, owner, "fr")
    log_in(mail_client, owner.email)
    page = mail_client.get("/d/demo/edit/members")
    assert '<option value="fr" lang="fr" selected>' in page.text  # the inviter's, by default
    made = mail_client.post("/d/demo/edit/members/invite", data={
        "csrf_token": csrf_of(page.text), "email": "ana@example.org", "role": "editor",
        "locale": "es"})  # fmt: skip
    shared = unquote(re.search(r'href="https://wa.me/\?text=([^"]+)"', made.text).group(1))
    assert made.status_code == 200 and shared.startswith("Únase a Demo Dictionary en Wordkeep")
    assert '<html lang="fr"' in made.text  # the rest of the page stays French
    (to, message), *_ = smtp.wait()
    assert subject_of(message) == "Invitación a Demo Dictionary"


def test_a_reset_is_in_the_accounts_language_not_the_browsers(mail_client, session, smtp):
    speaks(session, make_user(session, "ana@example.org"), "es")
    mail_client.cookies.set("wordkeep_lang", "fr")
    asked = post_form(mail_client, "/forgot", email="ana@example.org")
    assert asked.status_code == 200 and 'lang="fr"' in asked.text
    (to, message), *_ = smtp.wait()
    assert subject_of(message) == "Su contraseña de Wordkeep"
    # Without a language of its own, the account gets the asking page's.
    make_user(session, "bo@example.org")
    post_form(mail_client, "/forgot", email="bo@example.org")
    assert subject_of(smtp.wait(2)[1][1]) == "Votre mot de passe Wordkeep"
