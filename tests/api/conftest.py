"""Fixtures the API tests share: `protocol`, the cultural-protocol cases (tests/protocol_cases.py)."""

from tests.protocol_cases import protocol  # noqa: F401  (the fixture)
