"""Issue #16, finding 10: every state-changing route refuses a cookie-authenticated request that
lacks the CSRF token. The routes are enumerated from the app, so a new route cannot forget it
(the check is one app-wide dependency, api/app.py)."""

from __future__ import annotations

import re

from fastapi import routing

from tests.factories import csrf_from, login

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PARAMS = {"slug": "demo", "email": "owner@example.org", "number": "1", "token_id": "1"}
# The routes issue #16 found without the check: they must be among those enumerated.
FOUND = {
    ("POST", "/api/dictionaries"),
    ("PATCH", "/api/dictionaries/{slug}"),
    ("POST", "/api/dictionaries/{slug}/entries/{entry_id}/pronunciations"),
    ("POST", "/api/dictionaries/{slug}/entries/{entry_id}/examples/{example_id}/audio"),
    ("POST", "/api/dictionaries/{slug}/entries/{entry_id}/senses/{sense_id}/pictures"),
    ("POST", "/api/dictionaries/{slug}/print/fonts"),
}


def unsafe_routes(app) -> list[tuple[str, str]]:
    found = []
    for route in routing.iter_route_contexts(app.routes):
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        for method in sorted((methods or set()) & UNSAFE):
            found.append((method, path))
    return found


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PARAMS.get(m.group(1), "x"), path)


def _logged_in(client, owner):
    assert login(client, owner.email).status_code == 303
    return csrf_from(client.get("/account").text)


def test_every_unsafe_route_refuses_a_cookie_request_without_the_token(client, dictionary, admin):
    routes = unsafe_routes(client.app)
    assert set(routes) >= FOUND, sorted(FOUND - set(routes))
    assert len(routes) > 30  # the enumeration found the app's routes, not an empty list
    # A site admin: every route lets them in (an owner of every dictionary, and one who may
    # create dictionaries), so what refuses is the missing token, not the role.
    _logged_in(client, admin)
    let_through = []
    for method, path in routes:
        url = concrete(path)
        for kind in ("json", "form", "multipart"):
            body = {
                "json": {"json": {}},
                "form": {"data": {"x": "1"}},
                "multipart": {"files": {"file": ("a.bin", b"x")}},
            }[kind]
            answer = client.request(method, url, follow_redirects=False, **body)
            if answer.status_code != 403 or "csrf" not in answer.text.lower():
                let_through.append((method, path, kind, answer.status_code))
    assert not let_through, let_through


def test_the_token_or_a_bearer_token_lets_the_same_requests_through(client, dictionary, owner):
    token = _logged_in(client, owner)
    url = "/api/dictionaries/demo"
    refused = client.patch(url, json={"title": "Changed"})
    assert refused.status_code == 403
    wrong = client.patch(url, json={"title": "Changed"}, headers={"X-CSRF-Token": "not-it"})
    assert wrong.status_code == 403
    ok = client.patch(url, json={"title": "Changed"}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200, ok.text
    # A Bearer token carries no ambient credentials: no CSRF token needed, cookie or not.
    bearer = client.patch(url, json={"title": "Again"}, headers=owner.headers)
    assert bearer.status_code == 200, bearer.text
    # A form posts the token as a field.
    form = client.post(
        "/account/language", data={"locale": "en", "csrf_token": token}, follow_redirects=False
    )
    assert form.status_code in (200, 303), form.text


def test_anonymous_requests_are_not_asked_for_a_token(client, dictionary):
    # No session, no ambient credentials: the answer is the route's own (401), not a CSRF 403.
    answer = client.patch("/api/dictionaries/demo", json={"title": "x"})
    assert answer.status_code == 401
