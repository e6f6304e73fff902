"""The API against its own OpenAPI schema (schemathesis): no 5xx, and every error is JSON.

Every operation gets a bounded number of generated requests, valid and invalid, authenticated
as the dictionary's owner, half of them aimed at the real dictionary and entry so the checks
reach past "not found". Failures are collected (route, input, answer) rather than shrunk, so
one run lists them all. Deterministic (derandomised) so CI sees the same requests every time.
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.openapi import from_asgi

from lexicon import editing

EXAMPLES = {"positive": 3, "negative": 2}  # per operation (invalid input is slow to make)
# Typesetting a PDF costs a second of CPU; two tries per mode still reach its validation.
FEW = {"/api/dictionaries/{slug}/print.pdf": 2, "/api/dictionaries/{slug}/print.png": 2}


def problem(response) -> str | None:
    """What is wrong with an answer, if anything."""
    # 501 is no bug: the server lacks an optional extra (say wordkeep[align]) and says so, in JSON.
    if response.status_code >= 500 and response.status_code != 501:
        return f"server error {response.status_code}"
    if response.status_code < 400:
        return None
    kind = response.headers.get("content-type", "")
    if not kind.startswith("application/json"):
        return f"error {response.status_code} without a JSON body ({kind or 'no type'})"
    try:
        body = response.json()
    except json.JSONDecodeError:
        return f"error {response.status_code} with a body that is not JSON"
    if not isinstance(body, dict) or "detail" not in body:
        return f"error {response.status_code} JSON without 'detail'"
    return None


def test_no_server_errors_and_json_errors(app, auth, session, dictionary):
    entry = editing.create_entry(
        session=session, dictionary=dictionary,
        data={"headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}}]},
    )  # fmt: skip
    known = {"slug": "demo", "entry_id": entry["id"], "number": 1}
    schema = from_asgi("/openapi.json", app)
    client = TestClient(app, raise_server_exceptions=False)
    failures: list[dict] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20  # the schema really was read

    for op in operations:
        mine = {k: v for k, v in known.items() if "{" + k + "}" in op.path}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases = st.one_of(
                op.as_strategy(generation_mode=mode, path_parameters=mine or None),
                op.as_strategy(generation_mode=mode),
            )

            @given(case=cases)
            @settings(
                max_examples=FEW.get(op.path, EXAMPLES[mode.value]),
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=auth)
                kwargs.pop("cookies", None)
                response = client.request(**kwargs)
                wrong = problem(response)
                if wrong:
                    failures.append({
                        "route": f"{case.method} {case.operation.path}",
                        "problem": wrong,
                        "url": str(response.request.url)[:300],
                        "body": str(kwargs.get("json", kwargs.get("data", "")))[:300],
                        "answer": response.text[:300],
                    })  # fmt: skip

            try:
                call()
            except Unsatisfiable:
                # Nothing to make invalid (no parameters, no body): the valid run covered it.
                assert mode is GenerationMode.NEGATIVE, op.path
    assert failures == [], json.dumps(failures, indent=1, ensure_ascii=False)


# Inputs that once answered 500 (found by probing and by bench/load.py), and their neighbours:
# a NUL made PostgreSQL refuse the row and SQLite's FTS5 the query; a search for "ŋ" alone (a
# confusable of the letter "ng") failed in the alphabet's key range.
AWKWARD = [
    "a\x00b", "\x00", "\x1b[31mred", "\u202eevil", "tab\there", "\ufeffbom", "e\u0301",
    "ŋ", "Ŋ", "ŋ\u0300", "ng", "'",
]  # fmt: skip


def test_awkward_input_never_causes_server_errors(app, auth, session, dictionary):
    client = TestClient(app, raise_server_exceptions=False)
    entry_id = editing.create_entry(
        session=session, dictionary=dictionary, data={"headword": {"seh": "nyumba"}}
    )["id"]
    url = f"/api/dictionaries/demo/entries/{entry_id}"
    for text in AWKWARD:
        version = client.get(url).json()["version"]
        answers = [
            client.post(
                "/api/dictionaries/demo/entries", json={"headword": {"seh": text}}, headers=auth
            ),
            client.put(
                url,
                json={"headword": {"seh": "nyumba"}, "notes": [{"text": {"en": text}}]},
                headers={**auth, "If-Match": f'"{version}"'},
            ),
            client.get("/api/dictionaries/demo/search", params={"q": text}),
            client.get("/api/dictionaries/demo/entries", params={"cursor": text}),
        ]
        for answer in answers:
            assert problem(answer) is None, (text, str(answer.request.url), answer.text[:300])
        page = client.get("/d/demo/search", params={"q": text})
        assert page.status_code < 500, (text, page.status_code)


def test_an_unexpected_error_is_json_with_the_request_id(app):
    from api import middleware

    def boom():
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    if not any(m.cls is middleware.RequestIdMiddleware for m in app.user_middleware):
        middleware.install(app)  # until create_app installs it
    client = TestClient(app, raise_server_exceptions=False)
    answer = client.get("/boom", headers={"X-Request-ID": "report-1234"})
    assert answer.status_code == 500
    assert answer.json()["request_id"] == "report-1234"
    assert answer.headers["x-request-id"] == "report-1234"
    assert problem(answer) == "server error 500"  # a 500 still counts as a failure above
    bad = client.get("/healthz", headers={"X-Request-ID": "no spaces or <tags> allowed"})
    assert bad.headers["x-request-id"] != "no spaces or <tags> allowed"
