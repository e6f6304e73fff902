"""Invitations (issue 18): an owner invites by email with a role and circles; the link is
single-use, expires, is stored hashed, and accepting it makes the account and the membership
in one go. Only owners manage them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lexicon import accounts, entries
from lexicon.accounts import invitations
from lexicon.accounts.links import token_hash
from lexicon.models import Invitation, User, utcnow
from tests.conftest import make_user

URL = "/api/dictionaries/demo/invitations"


@pytest.fixture(autouse=True)
def demo(dictionary):
    return dictionary


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def invite(client, auth, email="new@example.org", role="editor", circles=()):
    made = client.post(
        URL, json={"email": email, "role": role, "circles": list(circles)}, headers=auth
    )
    assert made.status_code == 201, made.text
    return made.json()


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def accept(client, url, name="Ana", password="a good password", again=None):
    page = client.get(path_of(url))
    assert page.status_code == 200, page.text
    return client.post(
        path_of(url),
        data={
            "csrf_token": csrf_of(page.text),
            "display_name": name,
            "password": password,
            "password_again": password if again is None else again,
        },
        follow_redirects=False,
    )


def test_invite_accept_lands_in_the_dictionary_with_role_and_circles(client, auth, session):
    made = invite(client, auth, "Ana@Example.org", "editor", ["elders", "women"])
    assert set(made) >= {"id", "url", "expires_at"}
    assert made["url"].startswith("http://testserver/invite/")
    token = made["url"].rsplit("/", 1)[1].split("?")[0]  # ?lang= names its language
    row = session.get(Invitation, made["id"])
    assert row.token_hash == token_hash(token) and token not in str(row.model_dump())
    listed = client.get(URL, headers=auth).json()
    assert listed["total"] == 1 and listed["items"][0]["state"] == "pending"
    assert listed["items"][0]["email"] == "ana@example.org"
    assert "token" not in str(listed) and token not in str(listed)

    page = client.get(path_of(made["url"]))
    assert "Demo Dictionary" in page.text and "ana@example.org" in page.text
    done = accept(client, made["url"])
    assert done.status_code == 303 and done.headers["location"] == "/d/demo/edit/"
    # Logged in as the new account, with the role and the circles.
    assert client.get("/d/demo/edit/").status_code == 200
    member = accounts.member(session=session, dictionary=_dict(session), email="ana@example.org")
    assert member["role"] == "editor" and member["circles"] == ["elders", "women"]
    assert member["display_name"] == "Ana"
    assert client.get(URL, headers=auth).json()["items"][0]["state"] == "accepted"
    # The new account logs in with its password.
    client.cookies.clear()
    page = client.get("/login")
    login = client.post(
        "/login",
        data={"email": "ana@example.org", "password": "a good password",
              "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert login.status_code == 303


def _dict(session):
    session.commit()  # a fresh snapshot: the app wrote through its own session
    return entries.get_dictionary(session=session, slug="demo")


def test_a_link_works_once(client, auth, session):
    made = invite(client, auth)
    assert accept(client, made["url"]).status_code == 303
    client.cookies.clear()
    again = client.get(path_of(made["url"]))
    assert again.status_code == 410 and "used already" in again.text
    # A second account cannot be made with it, even posting directly.
    page = client.get("/login")
    post = client.post(
        path_of(made["url"]),
        data={"csrf_token": csrf_of(page.text), "display_name": "B",
              "password": "another password", "password_again": "another password"},
    )  # fmt: skip
    assert post.status_code == 410
    session.commit()
    assert len(session.exec(select(User)).scalars().all()) == 2  # the owner and Ana


def test_an_expired_link_says_so_and_makes_nothing(client, session, dictionary, owner):
    row, token = invitations.create_invitation(
        session=session, dictionary=dictionary, email="late@example.org", role="viewer",
        now=utcnow() - timedelta(days=8),
    )  # fmt: skip
    page = client.get(f"/invite/{token}")
    assert page.status_code == 410 and "expired" in page.text
    assert session.exec(select(User).where(User.email == "late@example.org")).first() is None


def test_expiry_is_seven_days(session, dictionary):
    row, token = invitations.create_invitation(
        session=session, dictionary=dictionary, email="a@example.org", role="viewer"
    )
    assert timedelta(days=6, hours=23) < row.expires_at - row.created_at <= timedelta(days=7)
    later = utcnow() + timedelta(days=7, minutes=1)
    with pytest.raises(invitations.links.LinkNotValid) as caught:
        invitations.open_invitation(session=session, token=token, now=later)
    assert caught.value.reason == "expired"


def test_a_wrong_token_is_not_found(client, dictionary):
    page = client.get("/invite/not-a-token")
    assert page.status_code == 404 and "copied whole" in page.text


def test_revoked_links_stop_working(client, auth):
    made = invite(client, auth)
    assert client.delete(f"{URL}/{made['id']}", headers=auth).status_code == 204
    page = client.get(path_of(made["url"]))
    assert page.status_code == 410 and "withdrawn" in page.text
    assert client.get(URL, headers=auth).json()["items"][0]["state"] == "revoked"
    assert client.delete(f"{URL}/999", headers=auth).status_code == 404


def test_a_new_invitation_withdraws_the_earlier_one(client, auth):
    first = invite(client, auth, "x@example.org")
    second = invite(client, auth, "x@example.org", "viewer")
    assert client.get(path_of(first["url"])).status_code == 410
    assert client.get(path_of(second["url"])).status_code == 200


def test_a_weak_password_or_a_mismatch_makes_nothing(client, auth, session):
    made = invite(client, auth, "weak@example.org")
    short = accept(client, made["url"], password="short")
    assert short.status_code == 422 and "at least 8 characters" in short.text
    differ = accept(client, made["url"], password="long enough one", again="long enough two")
    assert differ.status_code == 422 and "not the same" in differ.text
    nameless = accept(client, made["url"], name="  ")
    assert nameless.status_code == 422
    session.commit()
    assert session.exec(select(User).where(User.email == "weak@example.org")).first() is None
    assert client.get(URL, headers=auth).json()["items"][0]["state"] == "pending"
    assert accept(client, made["url"]).status_code == 303  # the link still works


def test_an_existing_account_logs_in_to_accept(client, auth, session, dictionary):
    make_user(session, "known@example.org")
    made = invite(client, auth, "known@example.org", "contributor", ["elders"])
    page = client.get(path_of(made["url"]))
    assert "Log in with it" in page.text
    token = csrf_of(client.get("/login").text)
    post = client.post(path_of(made["url"]), data={"csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert post.status_code == 303 and post.headers["location"].startswith("/login")
    # Logged in as someone else: still not accepted for them.
    login_page = client.get("/login")
    client.post("/login", data={"email": "known@example.org", "password": "password-123",
                                "csrf_token": csrf_of(login_page.text)})  # fmt: skip
    page = client.get(path_of(made["url"]))
    assert "Join the dictionary" in page.text
    joined = client.post(path_of(made["url"]), data={"csrf_token": csrf_of(page.text)},
                         follow_redirects=False)  # fmt: skip
    assert joined.status_code == 303 and joined.headers["location"] == "/d/demo/edit/"
    member = accounts.member(session=session, dictionary=_dict(session), email="known@example.org")
    assert member["role"] == "contributor" and member["circles"] == ["elders"]


def test_only_owners_manage_invitations(client, session, dictionary):
    editor = make_user(session, "editor@example.org", "editor", dictionary)
    stranger = make_user(session, "stranger@example.org")
    body = {"email": "x@example.org", "role": "owner", "circles": []}
    for who in (editor, stranger):
        assert client.post(URL, json=body, headers=who.headers).status_code == 403
        assert client.get(URL, headers=who.headers).status_code == 403
        assert client.delete(f"{URL}/1", headers=who.headers).status_code == 403
    assert client.post(URL, json=body).status_code == 401
    # A private dictionary is answered as missing to those outside it.
    dictionary.visibility = "private"
    session.add(dictionary)
    session.commit()
    assert client.post(URL, json=body, headers=stranger.headers).status_code == 404
    assert client.get(URL, headers=stranger.headers).status_code == 404


def test_an_owner_of_another_dictionary_cannot_revoke_here(client, session, dictionary, auth):
    from lexicon import editing

    other_owner = make_user(session, "other@example.org")
    editing.create_dictionary(
        session=session, data={"slug": "other", "title": "Other"}, owner_id=other_owner.user.id
    )
    made = invite(client, auth)
    gone = client.delete(
        f"/api/dictionaries/other/invitations/{made['id']}", headers=other_owner.headers
    )
    assert gone.status_code == 404
    assert client.get(path_of(made["url"])).status_code == 200


def test_bad_invitations_are_refused(client, auth):
    for body in (
        {"email": "not an email", "role": "editor"},
        {"email": "a@example.org", "role": "king"},
        {"email": "a@example.org", "role": "editor", "circles": ["x" * 101]},
    ):
        assert client.post(URL, json=body, headers=auth).status_code == 422, body


def test_put_member_for_a_new_email_gives_an_invitation_link(client, auth, session):
    made = client.put(
        "/api/dictionaries/demo/members/fresh@example.org", json={"role": "editor"}, headers=auth
    )
    assert made.status_code == 200
    body = made.json()
    assert body["email"] == "fresh@example.org" and body["role"] == "editor"
    assert body["can_log_in"] is False
    assert body["invitation"]["url"].startswith("http://testserver/invite/")
    # The link lets them choose a password: the account made earlier is completed.
    assert accept(client, body["invitation"]["url"], name="Fresh").status_code == 303
    session.commit()
    user = session.exec(select(User).where(User.email == "fresh@example.org")).scalar_one()
    session.refresh(user)
    assert user.password_hash and user.display_name == "Fresh"
    # An account that logs in already gets no invitation.
    again = client.put(
        "/api/dictionaries/demo/members/fresh@example.org", json={"role": "viewer"}, headers=auth
    ).json()
    assert again["can_log_in"] is True and again["invitation"] is None


def test_removing_a_member_withdraws_their_invitations(client, auth):
    made = client.put(
        "/api/dictionaries/demo/members/gone@example.org", json={"role": "viewer"}, headers=auth
    ).json()
    assert client.delete("/api/dictionaries/demo/members/gone@example.org", headers=auth)
    assert client.get(path_of(made["invitation"]["url"])).status_code == 410
