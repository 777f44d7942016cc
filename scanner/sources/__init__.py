"""Sources yield the items to scan: files of a share (and, later, tables of a database)."""
