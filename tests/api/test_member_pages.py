"""The members page (issue 18): an owner sees members with role, circles and last activity,
pending invitations, makes an invitation link to copy, changes a role, removes a member,
withdraws an invitation and makes a reset link; nobody else gets the page."""

from __future__ import annotations

import re

from tests.conftest import make_user

PAGE = "/d/demo/edit/members"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, email):
    page = client.get("/login")
    client.post("/login", data={"email": email, "password": "password-123",
                                "csrf_token": csrf_of(page.text)})  # fmt: skip


def post(client, path, **fields):
    token = csrf_of(client.get(PAGE).text)
    return client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)


def test_owner_invites_and_manages_members(client, session, dictionary, owner):
    make_user(session, "ed@example.org", "editor", dictionary, circles=["elders"])
    log_in(client, owner.email)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "ed@example.org" in page.text and "elders" in page.text

    made = post(client, f"{PAGE}/invite", email="new@example.org", role="viewer",
                circles="elders, women")  # fmt: skip
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    link = re.search(r'value="(http://testserver/invite/[^"]+)"', made.text).group(1)
    assert "wa.me" in made.text and "sms:" in made.text
    later = client.get(PAGE).text
    assert "new@example.org" in later and link not in later  # pending, the link not shown again

    changed = post(client, f"{PAGE}/role", email="ed@example.org", role="contributor")
    assert changed.status_code == 303
    assert "contributor" in client.get("/api/dictionaries/demo/members/ed@example.org").text

    reset = post(client, f"{PAGE}/reset", email="ed@example.org")
    assert reset.status_code == 200 and "http://testserver/reset/" in reset.text

    removed = post(client, f"{PAGE}/remove", email="ed@example.org")
    assert removed.status_code == 303
    assert client.get("/api/dictionaries/demo/members/ed@example.org").status_code == 404

    invitation_id = client.get("/api/dictionaries/demo/invitations").json()["items"][0]["id"]
    withdrawn = post(client, f"/d/demo/edit/invitations/{invitation_id}/revoke")
    assert withdrawn.status_code == 303
    assert client.get("/" + link.split("/", 3)[3]).status_code == 410


def test_the_last_owner_is_kept_with_a_message(client, dictionary, owner):
    log_in(client, owner.email)
    refused = post(client, f"{PAGE}/role", email=owner.email, role="viewer")
    assert refused.status_code == 409 and "last owner" in refused.text


def test_only_owners_see_the_members_page(client, session, dictionary):
    make_user(session, "ed@example.org", "editor", dictionary)
    log_in(client, "ed@example.org")
    assert client.get(PAGE).status_code == 403
    token = csrf_of(client.get("/d/demo/edit/").text)
    refused = client.post(f"{PAGE}/invite", data={"csrf_token": token, "email": "x@example.org"})
    assert refused.status_code == 403


def test_forms_need_the_csrf_token(client, dictionary, owner):
    log_in(client, owner.email)
    refused = client.post(f"{PAGE}/invite", data={"email": "x@example.org", "role": "viewer"})
    assert refused.status_code == 403


def test_the_settings_page_adds_a_member_by_invitation(client, dictionary, owner):
    log_in(client, owner.email)
    settings = client.get("/d/demo/edit/settings").text
    assert 'action="/d/demo/edit/members/invite"' in settings
    made = client.post(
        f"{PAGE}/invite",
        data={"csrf_token": csrf_of(settings), "email": "nobody.yet@example.org", "role": "editor"},
    )
    assert made.status_code == 200 and "http://testserver/invite/" in made.text
