#!/usr/bin/env bash
# Install everything the tests need, then lint and run the whole suite.
# With WORDKEEP_TEST_DATABASE_URL set, every database test also runs on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# WORDKEEP_TEST_WORKERS=2: two test processes (pytest-xdist), each with its own SQLite files
# and PostgreSQL database (the given one's name + _gw0, _gw1); 0, the default, runs them here.
exec .venv/bin/python -m pytest -n "${WORDKEEP_TEST_WORKERS:-0}" "$@"
