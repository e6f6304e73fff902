"""Running a site: upgrading its database (`upgrade`), backups (`backup`) and the demo
dictionary (`demo`)."""
