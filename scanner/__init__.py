"""Harava: find personal data in file shares and databases, and check it against registers."""

__version__ = "0.1.0"

#: Output formats of ``harava scan`` (each a writer in ``scanner.sinks``).
FORMATS = ("table", "jsonl", "json", "csv", "parquet")
