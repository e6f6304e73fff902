"""Owners manage members and circles; what a circle member sees follows at once."""

from __future__ import annotations

import pytest

from tests.conftest import make_user

URL = "/api/dictionaries/demo"
SECRET = {
    "headword": {"seh": "ngoma"},
    "visibility": "restricted",
    "circle": "elders",
    "senses": [{"glosses": {"en": "sacred drum"}}],
}


@pytest.fixture
def people(session, dictionary):
    return {
        "editor": make_user(session, "editor@example.org", "editor", dictionary),
        "viewer": make_user(session, "viewer@example.org", "viewer", dictionary),
        "stranger": make_user(session, "stranger@example.org"),
    }


def test_owner_lists_and_sets_roles(client, auth, people):
    listed = client.get(f"{URL}/members", headers=auth)
    assert listed.status_code == 200
    roles = {m["email"]: m["role"] for m in listed.json()["items"]}
    assert roles == {
        "owner@example.org": "owner",
        "editor@example.org": "editor",
        "viewer@example.org": "viewer",
    }
    assert "hash" not in listed.text and "password" not in listed.text

    made = client.put(
        f"{URL}/members/Stranger@Example.org", json={"role": "contributor"}, headers=auth
    )
    assert made.status_code == 200 and made.json()["role"] == "contributor"
    assert client.get(f"{URL}/members/stranger@example.org", headers=auth).json()["role"] == (
        "contributor"
    )
    # A new email makes a user without a password (set later with `wordkeep user add`).
    new = client.put(f"{URL}/members/new@example.org", json={"role": "viewer"}, headers=auth)
    assert new.status_code == 200 and new.json()["email"] == "new@example.org"
    bad = client.put(f"{URL}/members/new@example.org", json={"role": "king"}, headers=auth)
    assert bad.status_code == 422
    assert client.delete(f"{URL}/members/new@example.org", headers=auth).status_code == 204
    assert client.get(f"{URL}/members/new@example.org", headers=auth).status_code == 404


def test_only_owners_manage_members(client, people):
    for who in ("editor", "viewer", "stranger"):
        headers = people[who].headers
        assert client.get(f"{URL}/members", headers=headers).status_code == 403
        put = client.put(
            f"{URL}/members/{people[who].email}", json={"role": "owner"}, headers=headers
        )
        assert put.status_code == 403
        assert (
            client.put(f"{URL}/circles/elders/members/x@example.org", headers=headers).status_code
            == 403
        )
    assert client.get(f"{URL}/members").status_code == 401


def test_the_last_owner_stays(client, auth, people):
    demote = client.put(f"{URL}/members/owner@example.org", json={"role": "editor"}, headers=auth)
    assert demote.status_code == 409
    assert client.delete(f"{URL}/members/owner@example.org", headers=auth).status_code == 409
    assert client.put(
        f"{URL}/members/editor@example.org", json={"role": "owner"}, headers=auth
    ).is_success
    assert client.put(
        f"{URL}/members/owner@example.org", json={"role": "editor"}, headers=auth
    ).is_success


def test_circles_decide_who_sees_restricted_entries(client, auth, people):
    made = client.post(f"{URL}/entries", json=SECRET, headers=auth).json()
    entry_url = f"{URL}/entries/{made['id']}"
    viewer = people["viewer"]
    assert client.get(entry_url, headers=viewer.headers).status_code == 404

    # Only members can join a circle.
    refused = client.put(f"{URL}/circles/elders/members/{people['stranger'].email}", headers=auth)
    assert refused.status_code == 422
    joined = client.put(f"{URL}/circles/elders/members/{viewer.email}", headers=auth)
    assert joined.status_code == 200 and joined.json() == {
        "name": "elders",
        "members": ["viewer@example.org"],
    }
    assert client.get(f"{URL}/circles", headers=auth).json()["items"] == [joined.json()]
    assert client.get(f"{URL}/members/{viewer.email}", headers=auth).json()["circles"] == ["elders"]
    assert client.get(entry_url, headers=viewer.headers).json()["headword"] == {"seh": "ngoma"}
    assert client.get(f"{URL}/entries", headers=viewer.headers).json()["total"] == 1

    left = client.delete(f"{URL}/circles/elders/members/{viewer.email}", headers=auth)
    assert left.status_code == 200 and left.json()["members"] == []
    assert client.get(entry_url, headers=viewer.headers).status_code == 404
    assert (
        client.delete(f"{URL}/circles/elders/members/{viewer.email}", headers=auth).status_code
        == 404
    )

    # Removing a member takes them out of the dictionary's circles too.
    client.put(f"{URL}/circles/elders/members/{viewer.email}", headers=auth)
    assert client.delete(f"{URL}/members/{viewer.email}", headers=auth).status_code == 204
    assert client.get(f"{URL}/circles/elders/members", headers=auth).json()["members"] == []
    assert client.get(entry_url, headers=viewer.headers).status_code == 404


def test_members_of_a_private_dictionary(client, session, auth, people):
    client.patch(URL, json={"visibility": "private"}, headers=auth)
    assert client.get(URL, headers=people["stranger"].headers).status_code == 404
    assert client.get(f"{URL}/members", headers=people["stranger"].headers).status_code == 404
    assert client.get(f"{URL}/members").status_code == 404
    assert client.get(URL, headers=people["viewer"].headers).status_code == 200
    client.put(f"{URL}/members/{people['stranger'].email}", json={"role": "viewer"}, headers=auth)
    assert client.get(URL, headers=people["stranger"].headers).status_code == 200
