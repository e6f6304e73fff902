#!/usr/bin/env bash
# Install Wordkeep into ./.venv, with the Debian packages it needs (fonts; with --test also
# Chromium and poppler-utils for the browser and PDF tests, espeak-ng for the segmenting tests'
# synthetic speech). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
[ "${1:-}" = "--test" ] && with_test=1

packages="fonts-sil-charis fonts-sil-doulos fonts-sil-andika fonts-noto-core"
[ "$with_test" = 1 ] && packages="$packages chromium poppler-utils espeak-ng"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "warning: please install these Debian packages (as root):$missing" >&2
  fi
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Wordkeep needs Python 3.11 or newer ($python is $("$python" --version 2>&1))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
if [ "$with_test" = 1 ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,align]"
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -e .
fi
echo "installed: .venv/bin/wordkeep"
