"""Harava: find personal data in file shares and databases, and check it against registers."""

__version__ = "0.1.0"
