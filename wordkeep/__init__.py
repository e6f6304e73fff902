"""The `wordkeep` command line (see wordkeep.cli)."""
