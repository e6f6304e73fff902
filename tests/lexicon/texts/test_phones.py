"""g2p's mappings (the aligner's phones) leave the process's logging as it was: ReadAlongs'
logging set-up, loaded with them, puts an INFO handler on the root logger, which made every
library's INFO lines appear in the CLI's output (Alembic's, before a command's own)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[3]
PROBE = """
import logging
from lexicon.texts import phones
before = (list(logging.root.handlers), logging.root.level)
assert phones.g2p_languages(["fra", "xyz"]) == "fra"
assert phones._converter("und") is not None
print(logging.root.handlers == before[0], logging.root.level == before[1])
"""


def test_loading_g2p_keeps_the_root_logger_as_it_was():
    # A fresh interpreter: the set-up runs once per process, when g2p first loads its mappings.
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"], done.stdout
