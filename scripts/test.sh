#!/usr/bin/env bash
# Install everything the tests need, then lint and run the whole suite.
# With WORDKEEP_TEST_DATABASE_URL set, every database test also runs on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
